// Package stream pushes new in-app notifications to the open streams of
// their recipients. A Hub fans announcements out to subscribers in this
// process; an Announcer raises them when the creating transaction commits;
// on PostgreSQL a Listener carries them between processes with
// LISTEN/NOTIFY.
package stream

import (
	"context"
	"sync"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

// DefaultBuffer is how many announcements a subscriber may fall behind by
// before the hub disconnects it.
const DefaultBuffer = 64

// Event announces that a notification was created for a user. It carries
// only IDs: a subscriber loads the notification itself, so what it writes is
// what the database holds.
type Event struct {
	UserID         kernel.UserID
	NotificationID application.NotificationID
}

// Hub fans announcements out to the subscribers of each user in this
// process. It never blocks a publisher: a subscriber whose buffer is full
// is disconnected (its channel closed) rather than left to miss events
// silently, so its client reconnects and catches up with Last-Event-ID.
// A Hub is safe for concurrent use.
type Hub struct {
	buffer int

	mu     sync.Mutex
	subs   map[kernel.UserID]map[*subscription]struct{}
	closed bool
}

type subscription struct {
	ch chan Event
}

// NewHub returns a Hub giving each subscriber a buffer of the given size
// (DefaultBuffer when buffer is not positive).
func NewHub(buffer int) *Hub {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	return &Hub{buffer: buffer, subs: map[kernel.UserID]map[*subscription]struct{}{}}
}

// Subscribe returns a channel of the announcements for user and a cancel
// function that unsubscribes; cancel is idempotent and must be called. The
// channel is closed when the subscriber is cancelled, falls behind, is
// disconnected by DisconnectAll, or the hub closes; after Close, Subscribe
// returns a closed channel.
func (h *Hub) Subscribe(user kernel.UserID) (<-chan Event, func()) {
	s := &subscription{ch: make(chan Event, h.buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(s.ch)
		return s.ch, func() {}
	}
	set := h.subs[user]
	if set == nil {
		set = map[*subscription]struct{}{}
		h.subs[user] = set
	}
	set[s] = struct{}{}
	return s.ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.removeLocked(user, s)
	}
}

// removeLocked unsubscribes s and closes its channel, once.
func (h *Hub) removeLocked(user kernel.UserID, s *subscription) {
	set, ok := h.subs[user]
	if !ok {
		return
	}
	if _, ok := set[s]; !ok {
		return
	}
	delete(set, s)
	if len(set) == 0 {
		delete(h.subs, user)
	}
	close(s.ch)
}

// Publish announces notification id to user's subscribers in this process.
// It never blocks: a subscriber whose buffer is full is disconnected.
func (h *Hub) Publish(_ context.Context, user kernel.UserID, id application.NotificationID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev := Event{UserID: user, NotificationID: id}
	for s := range h.subs[user] {
		select {
		case s.ch <- ev:
		default:
			h.removeLocked(user, s)
		}
	}
}

// DisconnectAll closes every current subscription but keeps the hub open.
// The PostgreSQL listener calls it after a lost connection, during which
// announcements may have been missed: clients reconnect and replay.
func (h *Hub) DisconnectAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.disconnectAllLocked()
}

func (h *Hub) disconnectAllLocked() {
	for user, set := range h.subs {
		for s := range set {
			h.removeLocked(user, s)
		}
	}
}

// Close disconnects every subscriber and refuses new ones; streams then
// end. It is idempotent.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	h.disconnectAllLocked()
}

// Closed reports whether Close was called.
func (h *Hub) Closed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// Subscribers returns how many subscriptions are open, across all users.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, set := range h.subs {
		n += len(set)
	}
	return n
}
