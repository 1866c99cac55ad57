package application

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

// Organizations is the port usage asks whether an organization exists
// through, for platform administration; the composition root satisfies
// it with tenancy.
type Organizations interface {
	// OrganizationName returns the organization's name; false when there
	// is no such organization.
	OrganizationName(ctx context.Context, org kernel.OrganizationID) (string, bool, error)
}

// ErrOrganizationNotFound is the error of an organization there is not.
var ErrOrganizationNotFound = kernel.NotFound("usage.organization_not_found", "Organization not found.")

// organization returns org's name, or ErrOrganizationNotFound.
func (s *Service) organization(ctx context.Context, org kernel.OrganizationID) (string, error) {
	name, ok, err := s.deps.Organizations.OrganizationName(ctx, org)
	switch {
	case err != nil:
		return "", fmt.Errorf("read organization: %w", err)
	case !ok:
		return "", ErrOrganizationNotFound
	}
	return name, nil
}

// ErrNoOverride is the error of clearing an override there is not.
var ErrNoOverride = kernel.NotFound("usage.override_not_found", "The organization has no override of this meter.")

// OrganizationUsage is an organization's usage as platform administration
// sees it.
type OrganizationUsage struct {
	OrganizationID kernel.OrganizationID
	Name, Plan     string
	Meters         []Status
}

// AdminUsage returns where org stands on every registered meter, with
// its name and plan. Errors: ErrOrganizationNotFound, or billing's or the database's.
func (s *Service) AdminUsage(ctx context.Context, org kernel.OrganizationID) (OrganizationUsage, error) {
	name, err := s.organization(ctx, org)
	if err != nil {
		return OrganizationUsage{}, err
	}
	sub, err := s.deps.Subscriptions.ActiveSubscription(ctx, org)
	if err != nil {
		return OrganizationUsage{}, fmt.Errorf("read the plan: %w", err)
	}
	meters, err := s.List(ctx, org)
	return OrganizationUsage{OrganizationID: org, Name: name, Plan: sub.Plan, Meters: meters}, err
}

// adminMeter checks an admin's request about org's meter: the meter is
// registered and the organization exists.
func (s *Service) adminMeter(ctx context.Context, org kernel.OrganizationID, meter string) (domain.Meter, error) {
	m, err := s.meters.Meter(meter)
	if err != nil {
		return domain.Meter{}, err
	}
	if _, err := s.organization(ctx, org); err != nil {
		return domain.Meter{}, err
	}
	return m, nil
}

// SetOverride makes limit the cap of org's meter in place of its plan's
// (domain.Unlimited for none), for reason (5 to 500 characters), from the
// next increment on; what the window counted stays. It publishes
// OverrideSet in the same transaction (the audit log records it) and
// returns the meter's status. Errors: kernel Invalid
// usage.invalid_override naming body.limit or body.reason,
// usage.unknown_meter, ErrOrganizationNotFound, or the database's.
func (s *Service) SetOverride(ctx context.Context, org kernel.OrganizationID, meter string, limit int64, reason string, by kernel.UserID) (Status, error) {
	if err := domain.CheckCap("body.limit", limit); err != nil {
		return Status{}, err
	}
	reason, err := domain.CheckReason("body.reason", reason)
	if err != nil {
		return Status{}, err
	}
	m, err := s.adminMeter(ctx, org, meter)
	if err != nil {
		return Status{}, err
	}
	sub, err := s.deps.Subscriptions.ActiveSubscription(ctx, org)
	if err != nil {
		return Status{}, fmt.Errorf("read the plan: %w", err)
	}
	now := s.deps.Clock.Now()
	start, end := domain.CurrentWindow(now, sub.Period(), m.Window)
	k := Key{Org: org, Meter: m.Key}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		e := OverrideSet{OrganizationID: org, Meter: m.Key, Cap: limit, Reason: reason, By: by}
		if old, ok, err := s.deps.Store.Override(ctx, k); err != nil {
			return err
		} else if ok {
			e.Previous = &old.Cap
		}
		o := domain.Override{OrganizationID: org, Meter: m.Key, Cap: limit, Reason: reason, SetBy: by, SetAt: now}
		if err := s.deps.Store.SaveOverride(ctx, o, start, end); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, e)
	})
	if err != nil {
		return Status{}, fmt.Errorf("set override of %s: %w", m.Key, err)
	}
	return s.status(ctx, org, m)
}

// ClearOverride removes org's override of meter: the plan's cap applies
// from the next increment on. It publishes OverrideCleared in the same
// transaction. Errors: ErrNoOverride, usage.unknown_meter,
// ErrOrganizationNotFound, or the database's.
func (s *Service) ClearOverride(ctx context.Context, org kernel.OrganizationID, meter string, by kernel.UserID) error {
	m, err := s.adminMeter(ctx, org, meter)
	if err != nil {
		return err
	}
	k := Key{Org: org, Meter: m.Key}
	return s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		old, ok, err := s.deps.Store.Override(ctx, k)
		switch {
		case err != nil:
			return err
		case !ok:
			return ErrNoOverride
		}
		if _, err := s.deps.Store.DeleteOverride(ctx, k); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, OverrideCleared{OrganizationID: org, Meter: m.Key, Cap: old.Cap, By: by})
	})
}

// ResetCounter sets org's count of meter in its current window back to
// zero, for reason (5 to 500 characters), and forgets the thresholds
// published in it; the window and its end stay. It publishes CounterReset
// in the same transaction, with what the window counted, and returns the
// meter's status; a counter with nothing to reset (none, zero, or its
// window over) changes nothing and publishes nothing. Errors: kernel
// Invalid usage.invalid_override naming body.reason,
// usage.unknown_meter, ErrOrganizationNotFound, or the database's.
func (s *Service) ResetCounter(ctx context.Context, org kernel.OrganizationID, meter, reason string, by kernel.UserID) (Status, error) {
	reason, err := domain.CheckReason("body.reason", reason)
	if err != nil {
		return Status{}, err
	}
	m, err := s.adminMeter(ctx, org, meter)
	if err != nil {
		return Status{}, err
	}
	now := s.deps.Clock.Now()
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		c, ok, err := s.deps.Store.LockCounter(ctx, Key{Org: org, Meter: m.Key})
		if err != nil || !ok || c.Ended(now) || (c.Used == 0 && c.Notified == 0) {
			return err
		}
		used := c.Used
		c.Used, c.Notified, c.UpdatedAt = 0, 0, now
		if err := s.deps.Store.SaveCounter(ctx, c); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, CounterReset{OrganizationID: org, Meter: m.Key, Used: used, Reason: reason, By: by})
	})
	if err != nil {
		return Status{}, fmt.Errorf("reset %s: %w", m.Key, err)
	}
	return s.status(ctx, org, m)
}

// NearCap is a counter close to its cap, for the platform overview.
type NearCap struct {
	OrganizationID kernel.OrganizationID `json:"organizationId"`
	Meter          string                `json:"meter"`
	Used           int64                 `json:"used"`
	Limit          int64                 `json:"limit"`
	Percent        int64                 `json:"percent"`
	ResetsAt       *time.Time            `json:"resetsAt"`
}

// Overview is usage's section of the platform overview.
type Overview struct {
	// Enforced says whether quotas are enforced (USAGE_METERING_ENABLED).
	Enforced bool `json:"enforced"`
	// Warning and Reached count the counters, over all organizations and
	// meters, at 80% to 99% and at 100% of their caps in their current
	// windows.
	Warning int `json:"warning"`
	Reached int `json:"reached"`
	// Closest are the counters closest to their caps, at most
	// OverviewClosest, the closest first.
	Closest []NearCap `json:"closest"`
}

// OverviewClosest is how many counters the overview lists.
const OverviewClosest = 10

// Overview returns the counters closest to their caps.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	now := s.deps.Clock.Now()
	counters, warning, reached, err := s.deps.Store.NearCaps(ctx, now, OverviewClosest)
	if err != nil {
		return Overview{}, err
	}
	out := Overview{Enforced: s.deps.Enabled, Warning: warning, Reached: reached, Closest: make([]NearCap, 0, len(counters))}
	for _, c := range counters {
		n := NearCap{OrganizationID: c.OrganizationID, Meter: c.Meter, Used: c.Used, Limit: c.Cap, Percent: c.Used * 100 / c.Cap}
		if m, err := s.meters.Meter(c.Meter); err == nil && m.Window != domain.Lifetime {
			end := c.WindowEnd
			n.ResetsAt = &end
		}
		out.Closest = append(out.Closest, n)
	}
	return out, nil
}
