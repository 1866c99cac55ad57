package httpapi

import (
	"sync"

	"github.com/groundworkhq/groundwork/kernel"
)

// rechecks tells open streams to re-check their session now rather than at
// their next periodic check: when a user's sessions end, their streams
// close at once. It is safe for concurrent use.
type rechecks struct {
	mu     sync.Mutex
	byUser map[kernel.UserID]*streamSet
}

// streamSet is the signal channels of one user's open streams.
type streamSet struct{ chans map[chan struct{}]struct{} }

func newRechecks() *rechecks {
	return &rechecks{byUser: map[kernel.UserID]*streamSet{}}
}

// register returns the channel a stream of user is signalled on, and the
// function that forgets it.
func (r *rechecks) register(user kernel.UserID) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	r.mu.Lock()
	defer r.mu.Unlock()
	set := r.byUser[user]
	if set == nil {
		set = &streamSet{chans: map[chan struct{}]struct{}{}}
		r.byUser[user] = set
	}
	set.chans[ch] = struct{}{}
	return ch, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(set.chans, ch)
		if len(set.chans) == 0 && r.byUser[user] == set {
			delete(r.byUser, user)
		}
	}
}

// signal asks every stream of user to re-check; a stream already asked
// is not asked twice.
func (r *rechecks) signal(user kernel.UserID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if set := r.byUser[user]; set != nil {
		for ch := range set.chans {
			poke(ch)
		}
	}
}

// signalAll asks every stream to re-check.
func (r *rechecks) signalAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, set := range r.byUser {
		for ch := range set.chans {
			poke(ch)
		}
	}
}

func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// RecheckStreams has the open streams of user re-check their session now:
// the user's sessions ended (signed out, revoked, deactivated, deleted).
func (h *Handler) RecheckStreams(user kernel.UserID) { h.rechecks.signal(user) }

// RecheckAllStreams has every open stream re-check its session now (news
// of ended sessions may have been missed).
func (h *Handler) RecheckAllStreams() { h.rechecks.signalAll() }
