// Package httpapi is billing's HTTP surface: the public plans, the
// organization's subscription (checkout, portal, cancel, resume, plan
// change) and the providers' webhooks.
package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/application"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

const tag = "Billing"

// The permissions billing declares; owners and admins hold both.
const (
	PermRead   = "billing:read"
	PermManage = "billing:manage"
)

// MaxWebhookBytes caps a webhook body.
const MaxWebhookBytes = 1 << 20

// Handler serves billing's routes.
type Handler struct {
	svc      *application.Service
	provider string // "" without one
}

// New returns a Handler; provider is the configured provider's name ("":
// none, and every webhook path is 404).
func New(svc *application.Service, provider string) *Handler {
	return &Handler{svc: svc, provider: provider}
}

// Register mounts the routes on r.
func (h *Handler) Register(r *web.Router) {
	api := r.API()
	huma.Register(api, web.Op("list-plans", http.MethodGet, "/api/billing/plans", tag,
		"List the plans", "The public plans with their prices, trial and features; no sign-in needed."), h.plans)
	op := func(perm, id, method, path, summary, desc string, errs ...int) huma.Operation {
		return web.PermissionOp(api, perm, id, method, path, tag, summary, desc, errs...)
	}
	huma.Register(api, op(PermRead, "get-subscription", http.MethodGet, "/api/billing/subscription",
		"Get the organization's subscription",
		"The active organization's plan and subscription; plan free and status null without one. entitled says whether the plan's features are on now (trialing, active, or past_due within BILLING_GRACE_DAYS)."), h.subscription)
	huma.Register(api, op(PermManage, "checkout", http.MethodPost, "/api/billing/checkout", "Start a checkout",
		"Opens the payment provider's checkout of a paid plan and answers its URL. A live subscription is 409 billing.already_subscribed (change its plan instead); an unknown or free plan, or an interval the plan has no price for, is 422 billing.invalid_plan.",
		http.StatusConflict, http.StatusUnprocessableEntity, http.StatusServiceUnavailable), h.checkout)
	huma.Register(api, op(PermManage, "billing-portal", http.MethodPost, "/api/billing/portal", "Open the customer portal",
		"The provider's page where payment methods and invoices are managed.", http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusServiceUnavailable), h.portal)
	huma.Register(api, op(PermManage, "cancel-subscription", http.MethodPost, "/api/billing/cancel", "Cancel the subscription",
		"Now, or at the end of the period with atPeriodEnd.", http.StatusNotFound, http.StatusConflict, http.StatusServiceUnavailable), h.cancel)
	huma.Register(api, op(PermManage, "resume-subscription", http.MethodPost, "/api/billing/resume", "Resume the subscription",
		"Undoes a cancellation at the period end.", http.StatusNotFound, http.StatusConflict, http.StatusServiceUnavailable), h.resume)
	huma.Register(api, op(PermManage, "change-plan", http.MethodPost, "/api/billing/change-plan", "Change the plan",
		"An upgrade takes effect now, with the provider's proration; a downgrade from the next period.",
		http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusServiceUnavailable), h.changePlan)
	r.Handle("POST /webhooks/{provider}", http.HandlerFunc(h.webhook))
	r.Handle("GET "+ManagePath, http.HandlerFunc(h.manage))
	r.Handle("POST "+ManagePath, http.HandlerFunc(h.manage))
}

// PlanPrice is a plan's price for an interval.
type PlanPrice struct {
	Interval string `json:"interval" enum:"month,year"`
	Amount   int64  `json:"amount" doc:"In the currency's minor unit (1900 is 19.00)."`
	Currency string `json:"currency" doc:"ISO 4217, lower case."`
}

// Plan is a plan as the API shows it.
type Plan struct {
	Key         string      `json:"key"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Prices      []PlanPrice `json:"prices" doc:"Empty for the free plan."`
	TrialDays   int         `json:"trialDays"`
	PerSeat     bool        `json:"perSeat" doc:"Charged per member of the organization."`
	Features    []string    `json:"features"`
}

func planJSON(p domain.Plan) Plan {
	out := Plan{Key: p.Key, Name: p.Name, Description: p.Description, TrialDays: p.TrialDays, PerSeat: p.PerSeat,
		Features: append([]string{}, p.Features...), Prices: []PlanPrice{}}
	for _, iv := range []domain.Interval{domain.Month, domain.Year} {
		if pp, ok := p.Prices[iv]; ok {
			out.Prices = append(out.Prices, PlanPrice{Interval: string(iv), Amount: pp.Amount, Currency: pp.Currency})
		}
	}
	return out
}

func (h *Handler) plans(context.Context, *struct{}) (*web.ItemsOutput[Plan], error) {
	var public []domain.Plan
	for _, p := range h.svc.Catalog().Plans() {
		if p.Public {
			public = append(public, p)
		}
	}
	return web.ItemsOf(public, planJSON), nil
}

// Subscription is the organization's plan and subscription.
type Subscription struct {
	Plan               string     `json:"plan" doc:"free without a subscription."`
	Status             *string    `json:"status" enum:"trialing,active,past_due,incomplete,paused,unpaid" doc:"null on the free plan."`
	Entitled           bool       `json:"entitled" doc:"Whether the plan's features are on now."`
	Interval           *string    `json:"interval" enum:"month,year"`
	CurrentPeriodStart *time.Time `json:"currentPeriodStart"`
	CurrentPeriodEnd   *time.Time `json:"currentPeriodEnd"`
	TrialEnd           *time.Time `json:"trialEnd"`
	CancelAtPeriodEnd  bool       `json:"cancelAtPeriodEnd"`
	Seats              int        `json:"seats" doc:"The quantity of a per-seat plan; 0 otherwise."`
	Provider           *string    `json:"provider"`
}

func (h *Handler) subscriptionJSON(s *domain.Subscription) Subscription {
	if s == nil {
		return Subscription{Plan: domain.FreePlan, Entitled: true}
	}
	status, interval, provider := string(s.Status), string(s.Interval), s.Provider
	start, end := s.CurrentPeriodStart, s.CurrentPeriodEnd
	return Subscription{
		Plan: s.Plan, Status: &status, Entitled: h.svc.Entitled(s), Interval: &interval,
		CurrentPeriodStart: &start, CurrentPeriodEnd: &end, TrialEnd: s.TrialEnd,
		CancelAtPeriodEnd: s.CancelAtPeriodEnd, Seats: s.Seats, Provider: &provider,
	}
}

// org is the active organization (the permission gate has checked it).
func org(ctx context.Context) (kernel.OrganizationID, error) {
	o, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return kernel.OrganizationID{}, kernel.ErrNoActiveOrganization
	}
	return o.OrganizationID, nil
}

func (h *Handler) subscription(ctx context.Context, _ *struct{}) (*web.Output[Subscription], error) {
	o, err := org(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := h.svc.Subscription(ctx, o)
	return web.Reply(sub, err, h.subscriptionJSON)
}

type checkoutInput struct {
	Body struct {
		Plan     string `json:"plan" maxLength:"64" doc:"A paid plan's key."`
		Interval string `json:"interval,omitempty" enum:"month,year" default:"month"`
		Seats    int    `json:"seats,omitempty" minimum:"0" maximum:"100000" doc:"For a per-seat plan, at least the member count."`
	}
}

type urlOutput struct {
	Body struct {
		URL string `json:"url" doc:"Where to send the buyer."`
	}
}

func urlReply(url string, err error) (*urlOutput, error) {
	if err != nil {
		return nil, err
	}
	out := &urlOutput{}
	out.Body.URL = url
	return out, nil
}

func (h *Handler) checkout(ctx context.Context, in *checkoutInput) (*urlOutput, error) {
	o, err := org(ctx)
	if err != nil {
		return nil, err
	}
	p, _ := kernel.PrincipalFrom(ctx)
	return urlReply(h.svc.Checkout(ctx, application.CheckoutInput{
		Org: o, Plan: in.Body.Plan, Interval: domain.Interval(in.Body.Interval), Seats: in.Body.Seats, PayerUser: p.UserID,
	}))
}

func (h *Handler) portal(ctx context.Context, _ *struct{}) (*urlOutput, error) {
	o, err := org(ctx)
	if err != nil {
		return nil, err
	}
	return urlReply(h.svc.Portal(ctx, o))
}

type cancelInput struct {
	Body struct {
		AtPeriodEnd *bool `json:"atPeriodEnd,omitempty" doc:"Keep the plan until the period ends (the default); false cancels now."`
	}
}

func (h *Handler) cancel(ctx context.Context, in *cancelInput) (*web.Output[Subscription], error) {
	o, err := org(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := h.svc.Cancel(ctx, o, in.Body.AtPeriodEnd == nil || *in.Body.AtPeriodEnd)
	return web.Reply(sub, err, h.subscriptionJSON)
}

func (h *Handler) resume(ctx context.Context, _ *struct{}) (*web.Output[Subscription], error) {
	o, err := org(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := h.svc.Resume(ctx, o)
	return web.Reply(sub, err, h.subscriptionJSON)
}

type changePlanInput struct {
	Body struct {
		Plan     string `json:"plan" maxLength:"64"`
		Interval string `json:"interval,omitempty" enum:"month,year" default:"month"`
	}
}

func (h *Handler) changePlan(ctx context.Context, in *changePlanInput) (*web.Output[Subscription], error) {
	o, err := org(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := h.svc.ChangePlan(ctx, o, in.Body.Plan, domain.Interval(in.Body.Interval))
	return web.Reply(sub, err, h.subscriptionJSON)
}

var errUnknownProvider = kernel.NotFound("billing.unknown_provider", "No payment provider of that name is configured.")

// webhook is POST /webhooks/{provider}: verified, recorded with its job,
// answered at once.
func (h *Handler) webhook(w http.ResponseWriter, r *http.Request) {
	if h.provider == "" || r.PathValue("provider") != h.provider {
		web.WriteProblem(w, r, errUnknownProvider)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			web.WriteProblem(w, r, kernel.TooLarge("billing.webhook_too_large", "The webhook body is over 1 MiB."))
			return
		}
		p := web.ProblemFrom(r.Context(), domain.ErrWebhookRejected.WithCause(err))
		p.Status, p.Title = http.StatusBadRequest, http.StatusText(http.StatusBadRequest)
		web.WriteProblem(w, r, p)
		return
	}
	duplicate, err := h.svc.Ingest(r.Context(), domain.WebhookDelivery{Header: domain.Header(r.Header), Query: r.URL.Query(), Body: body})
	if err != nil {
		p := web.ProblemFrom(r.Context(), err)
		if p.Code == domain.ErrWebhookRejected.Code { // a provider's retry logic reads 400, as it sends it
			p.Status, p.Title = http.StatusBadRequest, http.StatusText(http.StatusBadRequest)
		}
		web.WriteProblem(w, r, p)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if duplicate {
		_, _ = io.WriteString(w, `{"received":true,"duplicate":true}`)
		return
	}
	_, _ = io.WriteString(w, `{"received":true}`)
}
