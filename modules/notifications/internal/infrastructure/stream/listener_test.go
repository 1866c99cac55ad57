package stream_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/stream"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

const waitFor = 30 * time.Second

// await returns the next event on ch within waitFor; ok is false if ch was
// closed.
func await(t *testing.T, ch <-chan stream.Event) (stream.Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		return ev, ok
	case <-time.After(waitFor):
		t.Fatalf("no event after %s", waitFor)
		return stream.Event{}, false
	}
}

// TestAnnouncer_OnlyOnCommit checks, on each dialect, that an announcement
// made in a transaction reaches the hub when it commits and never when it
// rolls back.
func TestAnnouncer_OnlyOnCommit(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d := testdb.Open(t, dialect)
		hub := stream.NewHub(8)
		if dialect == db.Postgres {
			l := stream.NewListener(d.PgxPool(), hub, nil)
			if err := l.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = l.Stop(context.Background()) })
		}
		a := stream.NewAnnouncer(d, hub)
		user := newUser()
		ch, cancel := hub.Subscribe(user)
		defer cancel()
		ctx := context.Background()

		rolledBack, committed := newNotification(), newNotification()
		errRollback := errors.New("roll back")
		err := d.Tx(ctx, func(ctx context.Context) error {
			if err := a.Announce(ctx, user, rolledBack); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Tx = %v", err)
		}
		err = d.Tx(ctx, func(ctx context.Context) error {
			if err := a.Announce(ctx, user, committed); err != nil {
				return err
			}
			// Not before commit: on SQLite the hook has not run, on
			// PostgreSQL NOTIFY waits for the commit.
			requireEmpty(t, ch)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Announcements arrive in commit order, so the first one seen after
		// the rolled-back transaction tells whether it leaked.
		if ev, ok := await(t, ch); !ok || ev.NotificationID != committed || ev.UserID != user {
			t.Fatalf("got %+v (open %v), want the committed %s", ev, ok, committed)
		}
	})
}

// TestListener_Reconnects kills the listener's connection: subscribers are
// disconnected (they may have missed something), and announcements flow
// again once it has reconnected.
func TestListener_Reconnects(t *testing.T) {
	t.Parallel()
	d := testdb.Open(t, db.Postgres)
	hub := stream.NewHub(8)
	l := stream.NewListener(d.PgxPool(), hub, nil)
	l.MinBackoff = 10 * time.Millisecond
	ctx := context.Background()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := l.Stop(ctx); err != nil {
			t.Error(err)
		}
	}()
	if err := l.Start(ctx); err == nil {
		t.Error("a second Start succeeded")
	}
	a := stream.NewAnnouncer(d, hub)
	user := newUser()

	ch, cancel := hub.Subscribe(user)
	defer cancel()
	// A malformed payload on the channel is ignored.
	if _, err := d.Q(ctx).Exec(ctx, `SELECT pg_notify($1, 'not json')`, stream.Channel); err != nil {
		t.Fatal(err)
	}
	first := newNotification()
	if err := a.Announce(ctx, user, first); err != nil {
		t.Fatal(err)
	}
	if ev, ok := await(t, ch); !ok || ev.NotificationID != first {
		t.Fatalf("got %+v (open %v), want %s", ev, ok, first)
	}

	var killed int
	if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN `+stream.Channel+`'`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d listening backends, want 1", killed)
	}
	if ev, ok := await(t, ch); ok {
		t.Fatalf("got %+v, want the subscription closed after the reconnect", ev)
	}

	// Announce until one gets through the new connection.
	ch, cancel = hub.Subscribe(user)
	defer cancel()
	testdb.Eventually(t, "an announcement to get through the new connection", func() bool {
		if err := a.Announce(ctx, user, newNotification()); err != nil {
			t.Fatal(err)
		}
		select {
		case ev, ok := <-ch:
			if !ok {
				// Subscribed before the reconnect finished: subscribe again.
				ch, cancel = hub.Subscribe(user)
				t.Cleanup(cancel)
				return false
			}
			if ev.UserID != user {
				t.Fatalf("got %+v", ev)
			}
			return true
		case <-time.After(50 * time.Millisecond):
			return false
		}
	})
}

func TestListener_StopWithoutStart(t *testing.T) {
	t.Parallel()
	l := stream.NewListener(nil, stream.NewHub(1), nil)
	if err := l.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}
