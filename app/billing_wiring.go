package app

import (
	"context"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/modules/billing"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/tenancy"
)

// billingDirectory is billing's Directory port over tenancy and iam.
type billingDirectory struct {
	tenancy *tenancy.Module
	iam     *iam.Module
}

var _ billing.Directory = billingDirectory{}

func (d billingDirectory) Email(ctx context.Context, user kernel.UserID) (string, error) {
	u, err := d.iam.User(ctx, user)
	return u.Email, err
}

func (d billingDirectory) Name(ctx context.Context, org kernel.OrganizationID) (string, error) {
	s, err := d.tenancy.Summary(ctx, org)
	return s.Name, err
}

func (d billingDirectory) MemberCount(ctx context.Context, org kernel.OrganizationID) (int, error) {
	s, err := d.tenancy.Summary(ctx, org)
	return s.MemberCount, err
}

// billingConfig is billing's part of the configuration.
func billingConfig(cfg config.Config) billing.Config {
	p := cfg.Payments
	returnURL := cfg.Server.URL.JoinPath("/").String()
	if len(cfg.Server.WebOrigins) > 0 {
		returnURL = cfg.Server.WebOrigins[0] + "/billing"
	}
	return billing.Config{
		Provider: p.Provider, PlansFile: p.PlansFile, GraceDays: p.GraceDays, ReconcileInterval: p.ReconcileInterval,
		ServerURL: cfg.Server.URL, ReturnURL: returnURL,
		Stripe:        billing.ProviderCredentials{Key: p.Stripe.SecretKey, WebhookSecrets: p.Stripe.WebhookSecrets(), APIBase: p.Stripe.APIBase},
		MercadoPago:   billing.ProviderCredentials{Key: p.MercadoPago.AccessToken, WebhookSecrets: p.MercadoPago.WebhookSecrets(), APIBase: p.MercadoPago.APIBase},
		Polar:         billing.ProviderCredentials{Key: p.Polar.AccessToken, WebhookSecrets: p.Polar.WebhookSecrets(), APIBase: polarBase(p.Polar)},
		SandboxSecret: p.Sandbox.WebhookSecret,
		// Every process of a deployment shares its database: the sandbox's
		// derived secret agrees across them.
		SecretSeed: cfg.Database.URL + "|" + cfg.Database.SQLitePath(),
	}
}

// polarBase is the API POLAR_SERVER names, unless POLAR_API_BASE overrides it.
func polarBase(p config.Polar) string {
	switch {
	case p.APIBase != "":
		return p.APIBase
	case p.Server == config.PolarSandbox:
		return "https://sandbox-api.polar.sh"
	}
	return "https://api.polar.sh"
}

// subscribeBillingSeats keeps per-seat subscriptions' quantity on the
// member count: a member who joins, leaves or is removed enqueues the
// organization's seat sync in tenancy's transaction.
func subscribeBillingSeats(d Deps, b builtins) {
	eventbus.Subscribe(d.Bus, "billing", func(ctx context.Context, e tenancy.MemberJoined) error {
		return b.billing.MembersChanged(ctx, e.OrganizationID)
	})
	eventbus.Subscribe(d.Bus, "billing", func(ctx context.Context, e tenancy.MemberLeft) error {
		return b.billing.MembersChanged(ctx, e.OrganizationID)
	})
	eventbus.Subscribe(d.Bus, "billing", func(ctx context.Context, e tenancy.MemberRemoved) error {
		return b.billing.MembersChanged(ctx, e.OrganizationID)
	})
}

// subscribeBillingAudit records billing's events with the provider as the
// actor, in the organization's chain.
func subscribeBillingAudit(d Deps, b builtins) {
	entry := func(e billing.SubscriptionEvent, meta map[string]any) audit.Entry {
		if meta == nil {
			meta = map[string]any{}
		}
		meta["plan"], meta["interval"], meta["status"] = e.Plan, e.Interval, e.Status
		return audit.Entry{ActorType: e.Provider, ActorID: e.Provider, OrganizationID: e.OrganizationID,
			TargetType: "subscription", TargetID: e.SubscriptionID.String(), Metadata: meta}
	}
	m, bus := b.audit, d.Bus
	audit.On(m, bus, func(_ context.Context, e billing.SubscriptionActivated) (audit.Entry, bool) {
		return entry(e.SubscriptionEvent, nil), true
	})
	audit.On(m, bus, func(_ context.Context, e billing.SubscriptionUpdated) (audit.Entry, bool) {
		return entry(e.SubscriptionEvent, nil), true
	})
	audit.On(m, bus, func(_ context.Context, e billing.SubscriptionPlanChanged) (audit.Entry, bool) {
		return entry(e.SubscriptionEvent, map[string]any{"from": e.From}), true
	})
	audit.On(m, bus, func(_ context.Context, e billing.SubscriptionPastDue) (audit.Entry, bool) {
		return entry(e.SubscriptionEvent, nil), true
	})
	audit.On(m, bus, func(_ context.Context, e billing.SubscriptionCanceled) (audit.Entry, bool) {
		return entry(e.SubscriptionEvent, nil), true
	})
	audit.On(m, bus, func(_ context.Context, e billing.SubscriptionComped) (audit.Entry, bool) {
		en := entry(e.SubscriptionEvent, map[string]any{"until": e.Until, "reason": e.Reason})
		en.ActorType, en.ActorID = "", e.By.String() // the platform admin
		return en, true
	})
	audit.On(m, bus, func(_ context.Context, e billing.SubscriptionTrialWillEnd) (audit.Entry, bool) {
		return entry(e.SubscriptionEvent, map[string]any{"trialEnd": e.TrialEnd}), true
	})
}

// Billing returns the billing module, for products that gate on a plan
// (RequireActiveSubscription) or read one (ActiveSubscription).
func (a *App) Billing() *billing.Module { return a.builtins.billing }
