package sqlstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

var t0 = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// setup returns a store on a fresh, migrated database of the dialect.
func setup(t *testing.T, dialect db.Dialect) (*sqlstore.Store, *db.DB) {
	t.Helper()
	d := testdb.Open(t, dialect)
	testdb.Migrate(t, d, "notifications", sqlstore.Migrations())
	return sqlstore.New(d), d
}

func insert(t *testing.T, s *sqlstore.Store, n application.Notification) application.Notification {
	t.Helper()
	if n.ID.IsZero() {
		n.ID = kernel.NewID[application.NotificationKind]()
	}
	if n.Type == "" {
		n.Type, n.Title = "t.x", "title"
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = t0
	}
	if err := s.Insert(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	return n
}

func ids(ns []application.Notification) []application.NotificationID {
	out := make([]application.NotificationID, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func TestStore(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		ctx := context.Background()
		user, other := kernel.NewID[kernel.UserKind](), kernel.NewID[kernel.UserKind]()

		full := insert(t, s, application.Notification{
			UserID: user, OrganizationID: kernel.NewID[kernel.OrganizationKind](),
			Type: "billing.payment_failed", Title: "Failed", Body: "Body", Link: "/billing",
			Data: map[string]any{"n": 1, "nested": map[string]any{"ok": true}}, CreatedAt: t0,
		})
		got, err := s.Get(ctx, user, full.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != full.ID || got.UserID != user || got.OrganizationID != full.OrganizationID ||
			got.Type != full.Type || got.Title != full.Title || got.Body != full.Body || got.Link != full.Link ||
			!got.CreatedAt.Equal(t0) || got.CreatedAt.Location() != time.UTC || got.ReadAt != nil {
			t.Errorf("Get = %+v, want %+v", got, full)
		}
		if n, _ := got.Data["n"].(interface{ String() string }); n == nil || n.String() != "1" {
			t.Errorf("Data = %#v", got.Data)
		}
		bare := insert(t, s, application.Notification{UserID: user})
		if got, err := s.Get(ctx, user, bare.ID); err != nil || got.Data != nil || got.Link != "" || !got.OrganizationID.IsZero() {
			t.Errorf("bare Get = %+v, %v", got, err)
		}

		// Scoped to the user: another user's ID is not found.
		if _, err := s.Get(ctx, other, full.ID); !errors.Is(err, application.ErrNotFound) {
			t.Errorf("Get as another user = %v, want ErrNotFound", err)
		}
		if _, err := s.MarkRead(ctx, other, full.ID, t0); !errors.Is(err, application.ErrNotFound) {
			t.Errorf("MarkRead as another user = %v, want ErrNotFound", err)
		}
		if n, err := s.MarkAllRead(ctx, other, t0); err != nil || n != 0 {
			t.Errorf("MarkAllRead as another user = %d, %v", n, err)
		}

		third := insert(t, s, application.Notification{UserID: user})
		insert(t, s, application.Notification{UserID: other})
		all, err := s.List(ctx, user, application.NotificationID{}, 10, false)
		if err != nil {
			t.Fatal(err)
		}
		if want := []application.NotificationID{third.ID, bare.ID, full.ID}; !equal(ids(all), want) {
			t.Errorf("List = %v, want %v", ids(all), want)
		}
		below, _ := s.List(ctx, user, third.ID, 1, false)
		if want := []application.NotificationID{bare.ID}; !equal(ids(below), want) {
			t.Errorf("List before third = %v, want %v", ids(below), want)
		}
		after, _ := s.After(ctx, user, full.ID, 10)
		if want := []application.NotificationID{bare.ID, third.ID}; !equal(ids(after), want) {
			t.Errorf("After = %v, want %v (oldest first)", ids(after), want)
		}
		newest, _ := s.After(ctx, user, application.NotificationID{}, 2)
		if want := []application.NotificationID{bare.ID, third.ID}; !equal(ids(newest), want) {
			t.Errorf("After with limit 2 = %v, want the newest two %v", ids(newest), want)
		}

		readAt := t0.Add(time.Minute)
		read, err := s.MarkRead(ctx, user, bare.ID, readAt)
		if err != nil || read.ReadAt == nil || !read.ReadAt.Equal(readAt) {
			t.Fatalf("MarkRead = %+v, %v", read, err)
		}
		again, _ := s.MarkRead(ctx, user, bare.ID, readAt.Add(time.Hour))
		if again.ReadAt == nil || !again.ReadAt.Equal(readAt) {
			t.Errorf("second MarkRead readAt = %v, want the first %v", again.ReadAt, readAt)
		}
		unread, _ := s.List(ctx, user, application.NotificationID{}, 10, true)
		if want := []application.NotificationID{third.ID, full.ID}; !equal(ids(unread), want) {
			t.Errorf("unread = %v, want %v", ids(unread), want)
		}
		if n, err := s.CountUnread(ctx, user); err != nil || n != 2 {
			t.Errorf("CountUnread = %d, %v; want 2", n, err)
		}
		if n, err := s.MarkAllRead(ctx, user, readAt); err != nil || n != 2 {
			t.Errorf("MarkAllRead = %d, %v; want 2", n, err)
		}
		if n, _ := s.CountUnread(ctx, other); n != 1 {
			t.Errorf("other's CountUnread = %d, want 1", n)
		}
	})
}

// TestStore_ConcurrentMarkRead marks one notification read from many
// goroutines at once, each with its own time: all see the same, first,
// read time.
func TestStore_ConcurrentMarkRead(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		user := kernel.NewID[kernel.UserKind]()
		n := insert(t, s, application.Notification{UserID: user})

		const workers = 8
		results := make([]time.Time, workers)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Go(func() {
				got, err := s.MarkRead(context.Background(), user, n.ID, t0.Add(time.Duration(i+1)*time.Second))
				if err != nil || got.ReadAt == nil {
					t.Errorf("MarkRead = %+v, %v", got, err)
					return
				}
				results[i] = *got.ReadAt
			})
		}
		wg.Wait()
		final, err := s.Get(context.Background(), user, n.ID)
		if err != nil || final.ReadAt == nil {
			t.Fatalf("Get = %+v, %v", final, err)
		}
		for i, r := range results {
			if !r.Equal(*final.ReadAt) {
				t.Errorf("worker %d saw readAt %v, the row holds %v", i, r, *final.ReadAt)
			}
		}
	})
}

func equal(a, b []application.NotificationID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
