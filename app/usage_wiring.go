package app

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/modules/billing"
	"github.com/groundworkhq/groundwork/modules/tenancy"
	"github.com/groundworkhq/groundwork/modules/usage"
)

// newUsage builds the usage module over billing's active-subscription
// port and its plans' caps (every cap must name a registered meter), and
// tenancy's organizations.
func newUsage(d Deps, b *billing.Module, t *tenancy.Module) (*usage.Module, error) {
	return usage.New(usage.Deps{
		Services:      d.Services,
		Enabled:       d.Config.Usage.Enabled,
		Subscriptions: usageSubscriptions{billing: b},
		Organizations: usageOrganizations{tenancy: t},
		PlanCapsFunc:  b.PlanCaps,
	})
}

// usageSubscriptions is usage's Subscriptions port over billing's
// ActiveSubscription.
type usageSubscriptions struct{ billing *billing.Module }

var _ usage.Subscriptions = usageSubscriptions{}

func (s usageSubscriptions) ActiveSubscription(ctx context.Context, org kernel.OrganizationID) (usage.Subscription, error) {
	a, err := s.billing.ActiveSubscription(ctx, org)
	if err != nil {
		return usage.Subscription{}, err
	}
	return usage.Subscription{
		Plan: a.Plan, Status: a.Status, Interval: a.Interval,
		CurrentPeriodStart: a.CurrentPeriodStart, CurrentPeriodEnd: a.CurrentPeriodEnd, Caps: a.Caps,
	}, nil
}

// usageOrganizations is usage's Organizations port over tenancy.
type usageOrganizations struct{ tenancy *tenancy.Module }

var _ usage.Organizations = usageOrganizations{}

func (o usageOrganizations) OrganizationName(ctx context.Context, org kernel.OrganizationID) (string, bool, error) {
	s, err := o.tenancy.Summary(ctx, org)
	switch {
	case kernel.KindOf(err) == kernel.KindNotFound:
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return s.Name, true, nil
}

// subscribeUsageAudit records platform admins' changes to an
// organization's quotas in its chain: overrides set and cleared, counters
// reset.
func subscribeUsageAudit(d Deps, b builtins) {
	const target = "usage_meter"
	m, bus := b.audit, d.Bus
	audit.On(m, bus, func(_ context.Context, e usage.OverrideSet) (audit.Entry, bool) {
		meta := map[string]any{"limit": e.Cap, "reason": e.Reason}
		if e.Previous != nil {
			meta["previous"] = *e.Previous
		}
		return audit.Entry{ActorID: e.By.String(), OrganizationID: e.OrganizationID, TargetType: target, TargetID: e.Meter, Metadata: meta}, true
	})
	audit.On(m, bus, func(_ context.Context, e usage.OverrideCleared) (audit.Entry, bool) {
		return audit.Entry{ActorID: e.By.String(), OrganizationID: e.OrganizationID, TargetType: target, TargetID: e.Meter,
			Metadata: map[string]any{"limit": e.Cap}}, true
	})
	audit.On(m, bus, func(_ context.Context, e usage.CounterReset) (audit.Entry, bool) {
		return audit.Entry{ActorID: e.By.String(), OrganizationID: e.OrganizationID, TargetType: target, TargetID: e.Meter,
			Metadata: map[string]any{"used": e.Used, "reason": e.Reason}}, true
	})
}

// registerMeters registers the meters of every module that declares some
// (MeterDeclarer), in module order.
func (b builtins) registerMeters(modules []Module) error {
	for _, m := range modules {
		md, ok := m.(MeterDeclarer)
		if !ok {
			continue
		}
		for _, meter := range md.UsageMeters() {
			if err := b.usage.Register(meter); err != nil {
				return fmt.Errorf("module %s: meter %q: %w", m.Name(), meter.Key, err)
			}
		}
	}
	return nil
}

// Usage returns the usage module, for products that register their meters
// (before Start) and check and count quotas (CheckAndIncrement).
func (a *App) Usage() *usage.Module { return a.builtins.usage }
