package app

import (
	"context"

	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/modules/billing"
	"github.com/groundworkhq/groundwork/modules/featureflags"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/tenancy"
)

// targetFlag is the audit log's target type of a feature flag.
const targetFlag = "feature_flag"

// newFeatureFlags builds the feature flags over billing's plans.
func newFeatureFlags(d Deps, b *billing.Module) (*featureflags.Module, error) {
	return featureflags.New(featureflags.Deps{Services: d.Services, Plans: flagPlans{billing: b}})
}

// flagPlans is featureflags' Plans port over billing.
type flagPlans struct{ billing *billing.Module }

var _ featureflags.Plans = flagPlans{}

func (p flagPlans) PlanOf(ctx context.Context, org kernel.OrganizationID) (string, error) {
	s, err := p.billing.ActiveSubscription(ctx, org)
	return s.Plan, err
}

func (p flagPlans) PlanExists(plan string) bool {
	_, ok := p.billing.PlanCaps()[plan]
	return ok
}

// subscribeFeatureFlags removes a deleted user's or organization's
// overrides and records every write in the audit log, with what it
// changed before and after: an organization's own switch in its chain,
// the rest in the platform's.
func subscribeFeatureFlags(d Deps, b builtins) {
	eventbus.Subscribe(d.Bus, "featureflags", func(ctx context.Context, e iam.UserDeleted) error {
		return b.featureFlags.UserDeleted(ctx, e.UserID)
	})
	eventbus.Subscribe(d.Bus, "featureflags", func(ctx context.Context, e tenancy.OrganizationDeleted) error {
		return b.featureFlags.OrganizationDeleted(ctx, e.OrganizationID)
	})
	audit.On(b.audit, d.Bus, func(_ context.Context, e featureflags.FlagChanged) (audit.Entry, bool) {
		meta := map[string]any{"change": e.Change, "before": e.Before, "after": e.After}
		if e.Subject != "" {
			meta["subject"] = e.Subject
		}
		return audit.Entry{ActorID: actor(e.By), OrganizationID: e.OrganizationID, TargetType: targetFlag, TargetID: e.Key, Metadata: meta}, true
	})
}

// FeatureFlags returns the feature flags, for products that declare and
// evaluate their own (featureflags.Bool(a.FeatureFlags(), …)).
func (a *App) FeatureFlags() *featureflags.Module { return a.builtins.featureFlags }
