package application

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

// Subscriptions reads an organization's plan in force: the caps and the
// billing period usage counts against. The composition root satisfies it
// with an adapter over billing's ActiveSubscription; usage never reads
// billing's tables.
type Subscriptions interface {
	ActiveSubscription(ctx context.Context, org kernel.OrganizationID) (Subscription, error)
}

// Subscription is what usage needs of an organization's plan.
type Subscription struct {
	Plan string
	// Status is "" on the free plan, without a subscription.
	Status string
	// Interval is the subscription's billing interval ("month", "year").
	Interval                             string
	CurrentPeriodStart, CurrentPeriodEnd time.Time
	// Caps are the plan's caps by meter (-1 unlimited); a meter the plan
	// does not name is not available on it.
	Caps map[string]int64
}

// Period is the billing period the windows follow: the subscription's when
// it has one (a status and both ends of the period), none otherwise
// (calendar windows).
func (s Subscription) Period() domain.Period {
	if s.Status == "" || s.CurrentPeriodStart.IsZero() || s.CurrentPeriodEnd.IsZero() {
		return domain.Period{}
	}
	p := domain.Period{Start: s.CurrentPeriodStart.UTC(), End: s.CurrentPeriodEnd.UTC()}
	switch s.Interval {
	case "month":
		p.Interval = domain.Monthly
	case "year":
		p.Interval = domain.Yearly
	}
	return p
}

// Cap is the plan's cap on meter: 0 when the plan does not name it.
func (s Subscription) Cap(meter string) int64 {
	if c, ok := s.Caps[meter]; ok {
		return c
	}
	return 0
}

// Increment is one conditional increment of a counter.
type Increment struct {
	Org   kernel.OrganizationID
	Meter string
	N     int64
	// Cap is the plan's cap (domain.Unlimited: none).
	Cap int64
	// WindowStart and WindowEnd are the window that holds Now: the
	// counter's next one should its window have ended.
	WindowStart, WindowEnd time.Time
	Now                    time.Time
}

// Key names one counter.
type Key struct {
	Org   kernel.OrganizationID
	Meter string
}

// Store keeps the counters, their history and the idempotency keys. Every
// method runs in the transaction ctx carries, or alone without one; those
// marked "in a transaction" need one.
type Store interface {
	// Increment adds in.N to the counter with a conditional statement
	// (a plain update of a counter whose window holds now, the common
	// case, then an upsert for the rest): it creates the counter, or rolls it into
	// [in.WindowStart, in.WindowEnd) when its window has ended at in.Now
	// (keeping the ended window as the counter's Previous), and counts
	// only when what the window then counts stays within the cap — the
	// organization's override of the meter when it has one (kept on the
	// counter), else in.Cap — which the counter keeps. It returns the
	// counter's count, cap and notified threshold as they stand after
	// (not its window, which a crossed threshold reads from
	// MarkNotified), and false, changing nothing, when the cap would be
	// passed.
	Increment(ctx context.Context, in Increment) (domain.Counter, bool, error)
	// MarkNotified raises the counter's notified threshold to percent and
	// reports whether it was lower, with the end of the counter's window
	// when it was.
	MarkNotified(ctx context.Context, k Key, percent int) (end time.Time, raised bool, err error)
	// Refund takes n off the counter, never below zero, unless its window
	// has ended at now; false when there is no such counter in a window
	// that holds now.
	Refund(ctx context.Context, k Key, n int64, now time.Time) (bool, error)
	// Counter returns the counter; false when there is none.
	Counter(ctx context.Context, k Key) (domain.Counter, bool, error)
	// Standing returns the counter and the override of the organization's
	// meter, in one read; nil for either there is not.
	Standing(ctx context.Context, k Key) (*domain.Counter, *domain.Override, error)
	// Counters returns the organization's counters.
	Counters(ctx context.Context, org kernel.OrganizationID) ([]domain.Counter, error)
	// ClaimKey records an idempotency key of the counter and reports
	// whether it is new (in a transaction).
	ClaimKey(ctx context.Context, k Key, key string, now time.Time) (bool, error)
	// ReleaseKey forgets an idempotency key (in a transaction).
	ReleaseKey(ctx context.Context, k Key, key string) error
	// PruneKeys deletes the idempotency keys recorded before before and
	// returns how many.
	PruneKeys(ctx context.Context, before time.Time) (int, error)
	// Due returns up to limit counters with a window to record at now:
	// ended, or rolled past by an increment.
	Due(ctx context.Context, now time.Time, limit int) ([]Key, error)
	// LockCounter returns the counter, locked until the transaction ends;
	// false when there is none (in a transaction).
	LockCounter(ctx context.Context, k Key) (domain.Counter, bool, error)
	// SaveCounter writes the counter's window, count, notified threshold
	// and Previous (in a transaction).
	SaveCounter(ctx context.Context, c domain.Counter) error
	// DeleteCounter deletes the counter, and the override of its meter
	// (in a transaction).
	DeleteCounter(ctx context.Context, k Key) error
	// AddHistory records closed windows of the counter, once each: a
	// window already recorded is left as it is. It returns how many it
	// recorded.
	AddHistory(ctx context.Context, k Key, windows []domain.Closed, now time.Time) (int, error)
	// Override returns the organization's override of the meter; false
	// when there is none.
	Override(ctx context.Context, k Key) (domain.Override, bool, error)
	// Overrides returns the organization's overrides.
	Overrides(ctx context.Context, org kernel.OrganizationID) ([]domain.Override, error)
	// SaveOverride sets the override of its organization's meter,
	// replacing one there was, and puts its cap on the meter's counter,
	// creating the counter at zero in [start, end) when there is none (in
	// a transaction).
	SaveOverride(ctx context.Context, o domain.Override, start, end time.Time) error
	// DeleteOverride deletes the override, and its cap from the counter,
	// and reports whether there was one (in a transaction).
	DeleteOverride(ctx context.Context, k Key) (bool, error)
	// NearCaps returns up to limit counters whose current window at now
	// has reached a threshold, the closest to their caps first, and how
	// many have reached 80% and 100%.
	NearCaps(ctx context.Context, now time.Time, limit int) (counters []domain.Counter, warning, reached int, err error)
	// History returns the counter's recorded windows that overlap [from,
	// to) (a zero bound is open), newest first, at most limit.
	History(ctx context.Context, k Key, from, to time.Time, limit int) ([]domain.Closed, error)
}
