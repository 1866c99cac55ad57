package sqlstore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/application"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
	"github.com/groundworkhq/groundwork/modules/usage/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

var (
	jan = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	feb = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	mar = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
)

func setup(t *testing.T, dialect db.Dialect) (*sqlstore.Store, *db.DB) {
	t.Helper()
	d := testdb.Open(t, dialect)
	testdb.Migrate(t, d, "usage", sqlstore.Migrations())
	return sqlstore.New(d), d
}

// inc increments in a transaction of its own, in January unless now says.
func inc(t *testing.T, s *sqlstore.Store, d *db.DB, in application.Increment) (domain.Counter, bool) {
	t.Helper()
	if in.Now.IsZero() {
		in.Now, in.WindowStart, in.WindowEnd = jan.Add(time.Hour), jan, feb
	}
	var c domain.Counter
	var ok bool
	err := d.Tx(context.Background(), func(ctx context.Context) error {
		var err error
		c, ok, err = s.Increment(ctx, in)
		return err
	})
	if err != nil {
		t.Fatalf("increment: %v", err)
	}
	return c, ok
}

func TestIncrement(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		org := kernel.NewID[kernel.OrganizationKind]()
		k := application.Key{Org: org, Meter: "tickets"}

		// n alone over the cap creates nothing.
		if _, ok := inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 6, Cap: 5}); ok {
			t.Fatal("6 of 5 counted")
		}
		if _, ok, _ := s.Counter(ctx, k); ok {
			t.Fatal("a refused first increment created the counter")
		}
		c, ok := inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 3, Cap: 5})
		if !ok || c.Used != 3 || c.Cap != 5 || c.Previous != nil {
			t.Fatalf("first = %+v, %v", c, ok)
		}
		if c, _, _ := s.Counter(ctx, k); !c.WindowStart.Equal(jan) || !c.WindowEnd.Equal(feb) {
			t.Fatalf("first counter = %+v", c)
		}
		if c, ok = inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 2, Cap: 5}); !ok || c.Used != 5 {
			t.Fatalf("to the cap = %+v, %v", c, ok)
		}
		if _, ok = inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 1, Cap: 5}); ok {
			t.Fatal("over the cap counted")
		}
		// A higher cap (a plan change) counts on from what was used.
		if c, ok = inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 1, Cap: 10}); !ok || c.Used != 6 {
			t.Fatalf("after raising the cap = %+v, %v", c, ok)
		}
		// No cap.
		if c, ok = inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 1000, Cap: -1}); !ok || c.Used != 1006 {
			t.Fatalf("unlimited = %+v, %v", c, ok)
		}
		if end, ok, err := s.MarkNotified(ctx, k, 80); !ok || err != nil || !end.Equal(feb) {
			t.Fatalf("MarkNotified = %v, %v, %v", end, ok, err)
		}
		if _, ok, err := s.MarkNotified(ctx, k, 80); ok || err != nil {
			t.Fatalf("MarkNotified again = %v, %v", ok, err)
		}

		// In February the window has ended: the count starts again at n,
		// the ended window is kept as Previous, notified resets.
		febNow := feb.Add(time.Minute)
		c, ok = inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 4, Cap: 5, WindowStart: feb, WindowEnd: mar, Now: febNow})
		want := domain.Closed{WindowStart: jan, WindowEnd: feb, Used: 1006, Cap: -1}
		if !ok || c.Used != 4 || c.Notified != 0 {
			t.Fatalf("rolled = %+v, %v", c, ok)
		}
		if c, _, _ = s.Counter(ctx, k); c.Previous == nil || *c.Previous != want || !c.WindowStart.Equal(feb) || !c.WindowEnd.Equal(mar) {
			t.Fatalf("rolled counter = %+v (previous %+v)", c, c.Previous)
		}
		// A roll is also checked against the cap.
		org2 := kernel.NewID[kernel.OrganizationKind]()
		inc(t, s, d, application.Increment{Org: org2, Meter: "tickets", N: 5, Cap: 5})
		if _, ok = inc(t, s, d, application.Increment{Org: org2, Meter: "tickets", N: 6, Cap: 5, WindowStart: feb, WindowEnd: mar, Now: febNow}); ok {
			t.Fatal("a roll over the cap counted")
		}
		if c, _, _ := s.Counter(ctx, application.Key{Org: org2, Meter: "tickets"}); c.Used != 5 || !c.WindowEnd.Equal(feb) {
			t.Fatalf("after a refused roll = %+v", c)
		}

		// Refund: never below zero, never in an ended window.
		if ok, err := s.Refund(ctx, k, 3, febNow); !ok || err != nil {
			t.Fatalf("Refund = %v, %v", ok, err)
		}
		if ok, _ := s.Refund(ctx, k, 3, febNow); !ok {
			t.Fatal("second refund changed nothing")
		}
		if c, _, _ := s.Counter(ctx, k); c.Used != 0 {
			t.Fatalf("after refunds used = %d", c.Used)
		}
		if ok, _ := s.Refund(ctx, k, 1, mar); ok {
			t.Fatal("refunded an ended window")
		}
	})
}

// An override lives on the counter the increment counts on: setting one
// creates the counter at zero, it lifts or lowers the plan's cap at once
// (also for n past the plan's cap alone), it survives a window's roll, and
// clearing it brings the plan's cap back; deleting the counter deletes it.
func TestOverride_onTheCounter(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		org := kernel.NewID[kernel.OrganizationKind]()
		k := application.Key{Org: org, Meter: "tickets"}
		save := func(capacity int64) {
			t.Helper()
			o := domain.Override{OrganizationID: org, Meter: "tickets", Cap: capacity, Reason: "a pilot", SetBy: kernel.NewID[kernel.UserKind](), SetAt: jan}
			if err := d.Tx(ctx, func(ctx context.Context) error { return s.SaveOverride(ctx, o, jan, feb) }); err != nil {
				t.Fatalf("SaveOverride: %v", err)
			}
		}

		save(-1)
		if c, ok, _ := s.Counter(ctx, k); !ok || c.Used != 0 || !c.WindowStart.Equal(jan) || !c.WindowEnd.Equal(feb) {
			t.Fatalf("the override's counter = %+v, %v", c, ok)
		}
		// The plan does not include the meter (cap 0): unlimited anyway.
		if c, ok := inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 100, Cap: 0}); !ok || c.Used != 100 || c.Cap != -1 {
			t.Fatalf("past the plan's cap with an unlimited override = %+v, %v", c, ok)
		}
		save(102)
		if c, ok := inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 2, Cap: 0}); !ok || c.Used != 102 || c.Cap != 102 {
			t.Fatalf("to the override = %+v, %v", c, ok)
		}
		if _, ok := inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 1, Cap: 500}); ok {
			t.Fatal("counted past the override on a plan's cap above it")
		}
		// In February the count starts again, still against the override.
		febNow := feb.Add(time.Minute)
		if c, ok := inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 102, Cap: 0, WindowStart: feb, WindowEnd: mar, Now: febNow}); !ok || c.Used != 102 {
			t.Fatalf("rolled against the override = %+v, %v", c, ok)
		}
		if ok, err := s.DeleteOverride(ctx, k); !ok || err != nil {
			t.Fatalf("DeleteOverride = %v, %v", ok, err)
		}
		if ok, err := s.DeleteOverride(ctx, k); ok || err != nil {
			t.Fatalf("DeleteOverride again = %v, %v", ok, err)
		}
		if _, ok := inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 1, Cap: 102, WindowStart: feb, WindowEnd: mar, Now: febNow}); ok {
			t.Fatal("counted past the plan's cap once the override was cleared")
		}
		if c, ok := inc(t, s, d, application.Increment{Org: org, Meter: "tickets", N: 1, Cap: 103, WindowStart: feb, WindowEnd: mar, Now: febNow}); !ok || c.Cap != 103 {
			t.Fatalf("the plan's cap again = %+v, %v", c, ok)
		}

		save(5)
		if err := d.Tx(ctx, func(ctx context.Context) error { return s.DeleteCounter(ctx, k) }); err != nil {
			t.Fatal(err)
		}
		if os, err := s.Overrides(ctx, org); err != nil || len(os) != 0 {
			t.Fatalf("overrides after deleting the counter = %+v, %v", os, err)
		}
	})
}

// Concurrent increments, each in a transaction of its own, never pass the
// cap together: exactly cap of them count.
func TestIncrement_parallel(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		org := kernel.NewID[kernel.OrganizationKind]()
		const workers, limit = 64, 50
		var counted, refused atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range workers {
			wg.Go(func() {
				<-start
				err := d.Tx(context.Background(), func(ctx context.Context) error {
					_, ok, err := s.Increment(ctx, application.Increment{Org: org, Meter: "m", N: 1, Cap: limit,
						WindowStart: jan, WindowEnd: feb, Now: jan.Add(time.Hour)})
					if err == nil && !ok {
						refused.Add(1)
						return errors.New("refused")
					}
					return err
				})
				if err == nil {
					counted.Add(1)
				} else if err.Error() != "refused" {
					t.Errorf("increment: %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		c, _, err := s.Counter(context.Background(), application.Key{Org: org, Meter: "m"})
		if err != nil || counted.Load() != limit || refused.Load() != workers-limit || c.Used != limit {
			t.Fatalf("counted %d, refused %d, stored %d (%v); want %d, %d, %d", counted.Load(), refused.Load(), c.Used, err, limit, workers-limit, limit)
		}
	})
}

func TestHistoryAndKeys(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		org := kernel.NewID[kernel.OrganizationKind]()
		k := application.Key{Org: org, Meter: "m"}
		windows := []domain.Closed{{WindowStart: jan, WindowEnd: feb, Used: 7, Cap: 10}, {WindowStart: feb, WindowEnd: mar, Used: 2, Cap: -1}}
		if n, err := s.AddHistory(ctx, k, windows, mar); n != 2 || err != nil {
			t.Fatalf("AddHistory = %d, %v", n, err)
		}
		if n, err := s.AddHistory(ctx, k, windows, mar); n != 0 || err != nil {
			t.Fatalf("AddHistory again = %d, %v", n, err)
		}
		got, err := s.History(ctx, k, time.Time{}, time.Time{}, 10)
		if err != nil || len(got) != 2 || got[0] != windows[1] || got[1] != windows[0] {
			t.Fatalf("History = %+v, %v", got, err)
		}
		if got, _ := s.History(ctx, k, feb, time.Time{}, 10); len(got) != 1 || got[0] != windows[1] {
			t.Fatalf("History from February = %+v", got)
		}
		if got, _ := s.History(ctx, k, time.Time{}, feb, 10); len(got) != 1 || got[0] != windows[0] {
			t.Fatalf("History to February = %+v", got)
		}
		if got, _ := s.History(ctx, k, time.Time{}, time.Time{}, 1); len(got) != 1 || got[0] != windows[1] {
			t.Fatalf("History limit 1 = %+v", got)
		}

		err = d.Tx(ctx, func(ctx context.Context) error {
			if ok, err := s.ClaimKey(ctx, k, "req-1", jan); !ok || err != nil {
				t.Fatalf("ClaimKey = %v, %v", ok, err)
			}
			if ok, err := s.ClaimKey(ctx, k, "req-1", jan); ok || err != nil {
				t.Fatalf("ClaimKey again = %v, %v", ok, err)
			}
			return s.ReleaseKey(ctx, k, "req-1")
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = d.Tx(ctx, func(ctx context.Context) error { _, err := s.ClaimKey(ctx, k, "req-1", jan); return err })
		if n, err := s.PruneKeys(ctx, jan.Add(time.Second)); n != 1 || err != nil {
			t.Fatalf("PruneKeys = %d, %v", n, err)
		}
	})
}
