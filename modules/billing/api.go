package billing

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/sandbox"
	"github.com/groundworkhq/groundwork/web"
)

// FreePlan is the plan of an organization without a subscription.
const FreePlan = domain.FreePlan

// ActiveSubscription is what usage and products read of an organization's
// billing: its plan (free without a subscription), whether the plan is in
// force now, the status and the period, and the plan's meter caps.
type ActiveSubscription struct {
	Plan string
	// Status is "" on the free plan.
	Status string
	// Entitled: the plan's features are on (trialing, active, past_due
	// within BILLING_GRACE_DAYS; always on the free plan).
	Entitled                             bool
	Interval                             string
	CurrentPeriodStart, CurrentPeriodEnd time.Time
	// Caps are the plan's meter caps (-1 unlimited); a meter the plan does
	// not name is not available on it.
	Caps map[string]int64
}

// ActiveSubscription returns the organization's active subscription: the
// port usage and products read. No module reads billing's tables.
func (m *Module) ActiveSubscription(ctx context.Context, org kernel.OrganizationID) (ActiveSubscription, error) {
	sub, err := m.svc.Subscription(ctx, org)
	if err != nil {
		return ActiveSubscription{}, fmt.Errorf("billing: %w", err)
	}
	if sub == nil || !m.svc.Entitled(sub) {
		free, _ := m.catalog.Plan(FreePlan)
		out := ActiveSubscription{Plan: FreePlan, Entitled: true, Caps: copyCaps(free.Caps)}
		if sub != nil { // lapsed: the plan it had, not in force
			out.Status, out.Interval = string(sub.Status), string(sub.Interval)
			out.CurrentPeriodStart, out.CurrentPeriodEnd = sub.CurrentPeriodStart, sub.CurrentPeriodEnd
		}
		return out, nil
	}
	plan, _ := m.catalog.Plan(sub.Plan)
	return ActiveSubscription{
		Plan: sub.Plan, Status: string(sub.Status), Entitled: true, Interval: string(sub.Interval),
		CurrentPeriodStart: sub.CurrentPeriodStart, CurrentPeriodEnd: sub.CurrentPeriodEnd, Caps: copyCaps(plan.Caps),
	}, nil
}

func copyCaps(c map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(c))
	for k, v := range c {
		out[k] = v
	}
	return out
}

// ErrSubscriptionRequired is the code of RequireActiveSubscription's
// refusal: 402, with the plans that would allow it in "plans".
const ErrSubscriptionRequired = "billing.subscription_required"

// CheckSubscription returns nil when the organization's plan in force is
// one of plans (any paid plan when none is named); else a 402
// billing.subscription_required problem naming the plans that allow it.
// trialing and active pass; past_due passes for BILLING_GRACE_DAYS after it
// began.
func (m *Module) CheckSubscription(ctx context.Context, org kernel.OrganizationID, plans ...string) error {
	active, err := m.ActiveSubscription(ctx, org)
	if err != nil {
		return err
	}
	allowed := m.catalog.PlansAllowing(plans)
	for _, p := range allowed {
		if p == active.Plan && active.Entitled {
			return nil
		}
	}
	return kernel.PaymentRequired(ErrSubscriptionRequired,
		"This needs a subscription to one of these plans: "+strings.Join(allowed, ", ")+".").WithExtra("plans", allowed)
}

// RequireActiveSubscription is the middleware of plain handlers that need
// one of plans (any paid plan when none is named) in the active
// organization: 401 without a user, 403 without an active organization,
// 402 billing.subscription_required otherwise.
func (m *Module) RequireActiveSubscription(plans ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := m.check(r.Context(), plans); err != nil {
				web.WriteProblem(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// SubscriptionGate is RequireActiveSubscription as a huma middleware, for
// an operation's Middlewares (after its permission gate).
func (m *Module) SubscriptionGate(api huma.API, plans ...string) func(huma.Context, func(huma.Context)) {
	return web.Gate(api, func(ctx context.Context) error { return m.check(ctx, plans) })
}

func (m *Module) check(ctx context.Context, plans []string) error {
	if _, err := kernel.RequireUser(ctx); err != nil {
		return err
	}
	org, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return kernel.ErrNoActiveOrganization
	}
	return m.CheckSubscription(ctx, org.OrganizationID, plans...)
}

// Reconcile fetches every live subscription (of org, when set) from the
// provider and repairs drift: the periodic job's work, and groundwork
// billing sync's.
func (m *Module) Reconcile(ctx context.Context, org kernel.OrganizationID) (int, error) {
	return m.svc.Reconcile(ctx, org)
}

// SandboxSignatureHeader is the header the sandbox provider signs its
// webhooks in.
const SandboxSignatureHeader = sandbox.SignatureHeader

// SignSandboxWebhook returns the SandboxSignatureHeader value of a sandbox
// webhook body signed at at with secret (BILLING_SANDBOX_WEBHOOK_SECRET):
// for a product's end-to-end tests that deliver webhooks themselves.
func SignSandboxWebhook(secret string, body []byte, at time.Time) string {
	return sandbox.Sign([]byte(secret), body, at)
}

// PlanCaps returns every plan's meter caps, plan key → meter → cap (-1
// unlimited): what usage checks at start-up against the meters registered.
func (m *Module) PlanCaps() map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for _, p := range m.catalog.Plans() {
		out[p.Key] = copyCaps(p.Caps)
	}
	return out
}
