package stream_test

import (
	"context"
	"sync"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/stream"
)

func newUser() kernel.UserID { return kernel.NewID[kernel.UserKind]() }

func newNotification() application.NotificationID {
	return kernel.NewID[application.NotificationKind]()
}

// receive returns the next event on ch, failing if none is buffered: Publish
// delivers synchronously, so there is nothing to wait for.
func receive(t *testing.T, ch <-chan stream.Event) stream.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("channel closed, want an event")
		}
		return ev
	default:
		t.Fatal("no event buffered")
		return stream.Event{}
	}
}

func requireEmpty(t *testing.T, ch <-chan stream.Event) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		t.Fatalf("got %+v (open %v), want nothing", ev, ok)
	default:
	}
}

// requireClosed drains what is buffered and fails unless the channel is
// then closed.
func requireClosed(t *testing.T, ch <-chan stream.Event) (drained int) {
	t.Helper()
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return drained
			}
			drained++
		default:
			t.Fatal("channel is still open")
		}
	}
}

func TestHub_FansOutPerUser(t *testing.T) {
	t.Parallel()
	h := stream.NewHub(4)
	alice, bob := newUser(), newUser()
	a1, cancelA1 := h.Subscribe(alice)
	defer cancelA1()
	a2, cancelA2 := h.Subscribe(alice)
	defer cancelA2()
	b, cancelB := h.Subscribe(bob)
	defer cancelB()
	if n := h.Subscribers(); n != 3 {
		t.Fatalf("Subscribers() = %d, want 3", n)
	}

	id := newNotification()
	h.Publish(context.Background(), alice, id)
	for _, ch := range []<-chan stream.Event{a1, a2} {
		if ev := receive(t, ch); ev.UserID != alice || ev.NotificationID != id {
			t.Errorf("event = %+v, want alice's %s", ev, id)
		}
	}
	requireEmpty(t, b)

	h.Publish(context.Background(), newUser(), newNotification()) // nobody listens: a no-op
	requireEmpty(t, a1)
	requireEmpty(t, b)
}

func TestHub_CancelRemovesTheSubscriber(t *testing.T) {
	t.Parallel()
	h := stream.NewHub(4)
	user := newUser()
	ch, cancel := h.Subscribe(user)
	other, cancelOther := h.Subscribe(user)
	defer cancelOther()

	cancel()
	cancel() // idempotent
	if n := h.Subscribers(); n != 1 {
		t.Fatalf("Subscribers() after cancel = %d, want 1", n)
	}
	requireClosed(t, ch)

	h.Publish(context.Background(), user, newNotification())
	receive(t, other)
	cancelOther()
	if n := h.Subscribers(); n != 0 {
		t.Fatalf("Subscribers() after every cancel = %d, want 0", n)
	}
}

func TestHub_DisconnectsASlowSubscriberWithoutBlocking(t *testing.T) {
	t.Parallel()
	const buffer = 2
	h := stream.NewHub(buffer)
	user := newUser()
	slow, cancelSlow := h.Subscribe(user)
	defer cancelSlow()
	fast, cancelFast := h.Subscribe(user)
	defer cancelFast()

	ids := []application.NotificationID{newNotification(), newNotification(), newNotification()}
	for _, id := range ids {
		h.Publish(context.Background(), user, id) // must not block on slow
		if ev := receive(t, fast); ev.NotificationID != id {
			t.Errorf("fast got %s, want %s", ev.NotificationID, id)
		}
	}
	// The slow one keeps what it had buffered, then its channel is closed so
	// its client reconnects and replays instead of silently missing one.
	if n := requireClosed(t, slow); n != buffer {
		t.Errorf("slow subscriber had %d events buffered, want %d", n, buffer)
	}
	if n := h.Subscribers(); n != 1 {
		t.Errorf("Subscribers() = %d, want 1 (the slow one removed)", n)
	}
	cancelSlow() // cancelling after a disconnect is harmless
}

func TestHub_DisconnectAllAndClose(t *testing.T) {
	t.Parallel()
	h := stream.NewHub(4)
	user := newUser()
	ch, cancel := h.Subscribe(user)
	defer cancel()

	h.DisconnectAll()
	requireClosed(t, ch)
	if h.Closed() || h.Subscribers() != 0 {
		t.Fatalf("after DisconnectAll: Closed() = %v, Subscribers() = %d", h.Closed(), h.Subscribers())
	}
	again, cancelAgain := h.Subscribe(user) // still open for new subscribers
	defer cancelAgain()
	h.Publish(context.Background(), user, newNotification())
	receive(t, again)

	h.Close()
	h.Close()
	requireClosed(t, again)
	if !h.Closed() {
		t.Error("Closed() = false after Close")
	}
	late, cancelLate := h.Subscribe(user)
	defer cancelLate()
	requireClosed(t, late)
	if n := h.Subscribers(); n != 0 {
		t.Errorf("Subscribers() after Close = %d, want 0", n)
	}
}

// TestHub_Concurrent runs subscribers, publishers and cancellations at once;
// with -race it checks the hub's locking, and at the end that every
// subscription was removed.
func TestHub_Concurrent(t *testing.T) {
	t.Parallel()
	h := stream.NewHub(8)
	users := []kernel.UserID{newUser(), newUser(), newUser()}
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			user := users[i%len(users)]
			ch, cancel := h.Subscribe(user)
			defer cancel()
			for range 50 {
				h.Publish(context.Background(), users[(i+1)%len(users)], newNotification())
				select {
				case <-ch:
				default:
				}
			}
		})
	}
	wg.Wait()
	if n := h.Subscribers(); n != 0 {
		t.Errorf("Subscribers() = %d after every cancel, want 0", n)
	}
}
