package app

import (
	"context"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing"
	"github.com/groundworkhq/groundwork/modules/usage"
)

// newUsage builds the usage module over billing's active-subscription
// port and its plans' caps (every cap must name a registered meter).
func newUsage(d Deps, b *billing.Module) (*usage.Module, error) {
	return usage.New(usage.Deps{
		Services:      d.Services,
		Enabled:       d.Config.Usage.Enabled,
		Subscriptions: usageSubscriptions{billing: b},
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

// Usage returns the usage module, for products that register their meters
// (before Start) and check and count quotas (CheckAndIncrement).
func (a *App) Usage() *usage.Module { return a.builtins.usage }
