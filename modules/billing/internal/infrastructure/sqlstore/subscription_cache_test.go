package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// A save holds its organization out of the cache from the save until its
// commit's drop: a reader meanwhile is answered from the database and
// fills nothing, so no reader after the commit is answered the row from
// before it; once the drop ran, reads are cached again.
func TestSubscriptionCache_heldUntilTheDrop(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d := testdb.Open(t, dialect)
		testdb.Migrate(t, d, "billing", Migrations())
		s := New(d)
		ctx := context.Background()
		org := kernel.NewID[kernel.OrganizationKind]()
		cached := func() bool {
			_, ok, _ := s.cache.get(org)
			return ok
		}
		// "none" is cached once read (the listener must be live first).
		testdb.Eventually(t, "the listener", d.Listening)
		if sub, err := s.LiveSubscription(ctx, org, false); err != nil || sub != nil || !cached() {
			t.Fatalf("before = %+v, %v, cached %v", sub, err, cached())
		}
		now := time.Now().UTC().Truncate(time.Second)
		sub := &domain.Subscription{ID: kernel.NewID[domain.SubscriptionKind](), OrganizationID: org, Plan: "pro", Interval: domain.Month,
			Status: domain.StatusActive, CurrentPeriodStart: now, CurrentPeriodEnd: now.AddDate(0, 1, 0), Provider: "sandbox",
			CustomerRef: "cus_1", ProviderRef: "sub_1", ProviderChangedAt: now, CreatedAt: now, UpdatedAt: now}
		err := d.Tx(ctx, func(ctx context.Context) error {
			// Registered before the save's own hooks, this runs between the
			// commit and the drop: still held, so the read goes to the
			// database, which has the change.
			db.AfterCommit(ctx, func(context.Context) {
				if got, err := s.LiveSubscription(context.Background(), org, false); err != nil || got == nil || cached() {
					t.Errorf("between the commit and the drop = %+v, %v, cached %v", got, err, cached())
				}
			})
			if err := s.SaveSubscription(ctx, sub); err != nil {
				return err
			}
			// Another reader while the save is uncommitted: the database's
			// old answer, and nothing cached.
			got, err := s.LiveSubscription(context.Background(), org, false)
			if err != nil || got != nil || cached() {
				t.Errorf("during the save = %+v, %v, cached %v", got, err, cached())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.LiveSubscription(ctx, org, false); err != nil || got == nil || got.Plan != "pro" || !cached() {
			t.Fatalf("after = %+v, %v, cached %v", got, err, cached())
		}
	})
}
