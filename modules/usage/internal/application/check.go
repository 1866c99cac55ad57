package application

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

// Status is where an organization stands on one meter now.
type Status struct {
	Meter domain.Meter
	// Used is what the current window counts.
	Used int64
	// Limit is the cap in force: the override's when there is one, else
	// the plan's; domain.Unlimited (-1) for none, 0 when the plan does
	// not include the meter.
	Limit int64
	// PlanLimit is the plan's cap, whatever the override.
	PlanLimit int64
	// Override is a platform admin's cap of the meter for the
	// organization; nil when there is none.
	Override *domain.Override
	// Remaining is what the cap leaves, domain.Unlimited for none.
	Remaining int64
	// WindowStart and ResetsAt bound the current window; ResetsAt is zero
	// for a lifetime meter.
	WindowStart, ResetsAt time.Time
	// Enforced says whether the cap is enforced (USAGE_METERING_ENABLED).
	Enforced bool
}

// Check returns where org stands on meter: read only. Errors:
// usage.unknown_meter, or billing's or the database's.
func (s *Service) Check(ctx context.Context, org kernel.OrganizationID, meter string) (Status, error) {
	m, err := s.meters.Meter(meter)
	if err != nil {
		return Status{}, err
	}
	return s.status(ctx, org, m)
}

func (s *Service) status(ctx context.Context, org kernel.OrganizationID, m domain.Meter) (Status, error) {
	sub, err := s.deps.Subscriptions.ActiveSubscription(ctx, org)
	if err != nil {
		return Status{}, fmt.Errorf("read the plan: %w", err)
	}
	return s.statusOf(ctx, org, m, sub, s.deps.Clock.Now())
}

func (s *Service) statusOf(ctx context.Context, org kernel.OrganizationID, m domain.Meter, sub Subscription, now time.Time) (Status, error) {
	c, o, err := s.deps.Store.Standing(ctx, Key{Org: org, Meter: m.Key})
	if err != nil {
		return Status{}, err
	}
	return s.statusFrom(m, sub, c, o, now), nil
}

// statusFrom is the status of meter m under sub given its counter (nil:
// none yet) and override (nil: none). A counter whose window is over
// counts nothing, and the window is the one that holds now.
func (s *Service) statusFrom(m domain.Meter, sub Subscription, c *domain.Counter, o *domain.Override, now time.Time) Status {
	st := Status{Meter: m, PlanLimit: sub.Cap(m.Key), Override: o, Enforced: s.deps.Enabled}
	st.Limit = st.PlanLimit
	if o != nil {
		st.Limit = o.Cap
	}
	if c != nil && !c.Ended(now) {
		st.Used, st.WindowStart, st.ResetsAt = c.Used, c.WindowStart, c.WindowEnd
	} else {
		st.WindowStart, st.ResetsAt = domain.CurrentWindow(now, sub.Period(), m.Window)
	}
	if m.Window == domain.Lifetime {
		st.ResetsAt = time.Time{}
	}
	st.Remaining = domain.Remaining(st.Used, st.Limit)
	return st
}

// List returns where org stands on every registered meter, in the order
// they were registered: one read of the plan, one of the counters and
// one of the overrides.
func (s *Service) List(ctx context.Context, org kernel.OrganizationID) ([]Status, error) {
	sub, err := s.deps.Subscriptions.ActiveSubscription(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("read the plan: %w", err)
	}
	counters, err := s.deps.Store.Counters(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("read counters: %w", err)
	}
	overrides, err := s.deps.Store.Overrides(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("read overrides: %w", err)
	}
	byMeter := make(map[string]*domain.Counter, len(counters))
	for i := range counters {
		byMeter[counters[i].Meter] = &counters[i]
	}
	overridden := make(map[string]*domain.Override, len(overrides))
	for i := range overrides {
		overridden[overrides[i].Meter] = &overrides[i]
	}
	now := s.deps.Clock.Now()
	meters := s.meters.All()
	out := make([]Status, len(meters))
	for i, m := range meters {
		out[i] = s.statusFrom(m, sub, byMeter[m.Key], overridden[m.Key], now)
	}
	return out, nil
}
