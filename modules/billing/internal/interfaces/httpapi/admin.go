package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/application"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

const adminTag = "Platform: billing"

// RegisterAdmin mounts billing's platform administration on a.
func (h *Handler) RegisterAdmin(a *web.Admin) {
	api := a.API()
	huma.Register(api, web.Op("list-platform-subscriptions", http.MethodGet, "/billing/subscriptions", adminTag,
		"List subscriptions", "Every organization's subscriptions, canceled ones too, newest first, filtered by status, plan or organization.",
		http.StatusUnprocessableEntity), h.adminList)
	huma.Register(api, web.Op("get-platform-subscription", http.MethodGet, "/billing/subscriptions/{id}", adminTag,
		"Get a subscription", "With its latest webhook events.", http.StatusNotFound), h.adminGet)
	huma.Register(api, web.Op("sync-platform-subscription", http.MethodPost, "/billing/subscriptions/{id}/sync", adminTag,
		"Sync a subscription now", "Fetches it from the provider and applies it.", http.StatusNotFound, http.StatusConflict, http.StatusServiceUnavailable), h.adminSync)
	replay := web.Op("replay-webhook-event", http.MethodPost, "/billing/events/{provider}/{eventId}/replay", adminTag,
		"Replay a webhook event", "Processes a recorded event again, as a new job.", http.StatusNotFound)
	replay.DefaultStatus = http.StatusAccepted
	huma.Register(api, replay, h.adminReplay)
	comp := web.Op("comp-plan", http.MethodPost, "/billing/comps", adminTag,
		"Give a plan without payment", "A subscription to a paid plan until a date, with no provider; the organization must have no live subscription.",
		http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	comp.DefaultStatus = http.StatusCreated
	huma.Register(api, comp, h.adminComp)
}

// AdminSubscription is a subscription as platform administration shows it.
type AdminSubscription struct {
	ID                 string     `json:"id"`
	OrganizationID     string     `json:"organizationId"`
	Plan               string     `json:"plan"`
	Interval           string     `json:"interval"`
	Status             string     `json:"status"`
	CurrentPeriodStart time.Time  `json:"currentPeriodStart"`
	CurrentPeriodEnd   time.Time  `json:"currentPeriodEnd"`
	TrialEnd           *time.Time `json:"trialEnd"`
	CancelAtPeriodEnd  bool       `json:"cancelAtPeriodEnd"`
	Seats              int        `json:"seats"`
	Provider           string     `json:"provider" doc:"The payment provider, or comp for a platform admin's grant."`
	CustomerRef        string     `json:"customerRef"`
	ProviderRef        string     `json:"providerRef"`
	ProviderChangedAt  time.Time  `json:"providerChangedAt"`
	PastDueSince       *time.Time `json:"pastDueSince"`
	CreatedAt          time.Time  `json:"createdAt"`
	UpdatedAt          time.Time  `json:"updatedAt"`
}

func adminSubscriptionJSON(s *domain.Subscription) AdminSubscription {
	return AdminSubscription{
		ID: s.ID.String(), OrganizationID: s.OrganizationID.String(), Plan: s.Plan, Interval: string(s.Interval), Status: string(s.Status),
		CurrentPeriodStart: s.CurrentPeriodStart, CurrentPeriodEnd: s.CurrentPeriodEnd, TrialEnd: s.TrialEnd,
		CancelAtPeriodEnd: s.CancelAtPeriodEnd, Seats: s.Seats, Provider: s.Provider, CustomerRef: s.CustomerRef,
		ProviderRef: s.ProviderRef, ProviderChangedAt: s.ProviderChangedAt, PastDueSince: s.PastDueSince,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}

type adminListInput struct {
	Status         string `query:"status" enum:"trialing,active,past_due,canceled,incomplete,paused,unpaid"`
	Plan           string `query:"plan" maxLength:"64"`
	OrganizationID string `query:"organizationId" maxLength:"100"`
	Cursor         string `query:"cursor" maxLength:"200"`
	Limit          int    `query:"limit" minimum:"1" maximum:"200" default:"50"`
}

func invalidQuery(field, msg string) error {
	return kernel.Invalid("billing.invalid_filter", msg, kernel.FieldError{Field: field, Code: "invalid", Message: msg})
}

func (h *Handler) adminList(ctx context.Context, in *adminListInput) (*web.CursorOutput[AdminSubscription], error) {
	after, ok := web.DecodeCursor[domain.SubscriptionKind](in.Cursor)
	if !ok {
		return nil, invalidQuery("query.cursor", "The cursor is not one this API returned.")
	}
	q := application.SubscriptionQuery{Status: in.Status, Plan: in.Plan, After: after, Limit: in.Limit}
	if in.OrganizationID != "" {
		org, err := kernel.ParseID[kernel.OrganizationKind](in.OrganizationID)
		if err != nil {
			return nil, invalidQuery("query.organizationId", "Must be an organization ID (org_…).")
		}
		q.OrganizationID = org
	}
	subs, next, err := h.svc.ListSubscriptions(ctx, q)
	return web.ReplyPage(subs, web.EncodeCursor(next), err, adminSubscriptionJSON)
}

// AdminEvent is a webhook event of the ledger.
type AdminEvent struct {
	Provider    string     `json:"provider"`
	ID          string     `json:"id"`
	Type        string     `json:"type"`
	OccurredAt  time.Time  `json:"occurredAt"`
	ReceivedAt  time.Time  `json:"receivedAt"`
	ProcessedAt *time.Time `json:"processedAt" doc:"null until processed (a failing one is retried)."`
	Outcome     string     `json:"outcome" doc:"applied, ignored, stale, foreign or duplicate; empty until processed."`
	LastError   string     `json:"lastError"`
	Attempts    int        `json:"attempts"`
}

// AdminSubscriptionDetail is a subscription with its latest events.
type AdminSubscriptionDetail struct {
	AdminSubscription
	Events []AdminEvent `json:"events"`
}

func adminDetailJSON(d application.SubscriptionDetail) AdminSubscriptionDetail {
	out := AdminSubscriptionDetail{AdminSubscription: adminSubscriptionJSON(d.Subscription), Events: make([]AdminEvent, 0, len(d.Events))}
	for _, e := range d.Events {
		out.Events = append(out.Events, AdminEvent{Provider: e.Provider, ID: e.ID, Type: e.Type, OccurredAt: e.OccurredAt,
			ReceivedAt: e.ReceivedAt, ProcessedAt: e.ProcessedAt, Outcome: e.Outcome, LastError: e.LastError, Attempts: e.Attempts})
	}
	return out
}

type adminIDInput struct {
	ID string `path:"id" maxLength:"100"`
}

func (in adminIDInput) id() (domain.SubscriptionID, error) {
	return kernel.ParseIDOr[domain.SubscriptionKind](in.ID, application.ErrSubscriptionNotFound)
}

func (h *Handler) adminGet(ctx context.Context, in *adminIDInput) (*web.Output[AdminSubscriptionDetail], error) {
	id, err := in.id()
	if err != nil {
		return nil, err
	}
	d, err := h.svc.SubscriptionDetail(ctx, id)
	return web.Reply(d, err, adminDetailJSON)
}

func (h *Handler) adminSync(ctx context.Context, in *adminIDInput) (*web.Output[AdminSubscriptionDetail], error) {
	id, err := in.id()
	if err != nil {
		return nil, err
	}
	d, err := h.svc.Sync(ctx, id)
	return web.Reply(d, err, adminDetailJSON)
}

type adminReplayInput struct {
	Provider string `path:"provider" maxLength:"32"`
	EventID  string `path:"eventId" maxLength:"255"`
}

func (h *Handler) adminReplay(ctx context.Context, in *adminReplayInput) (*struct{}, error) {
	return nil, h.svc.Replay(ctx, in.Provider, in.EventID)
}

type adminCompInput struct {
	Body struct {
		OrganizationID string    `json:"organizationId" maxLength:"100"`
		Plan           string    `json:"plan" maxLength:"64"`
		Until          time.Time `json:"until" doc:"When the comp ends (RFC 3339, in the future)."`
		Reason         string    `json:"reason,omitempty" maxLength:"500" doc:"At least 5 characters; recorded in the audit log."`
	}
}

var errCompOrganization = kernel.NotFound("billing.organization_not_found", "Organization not found.")

func (h *Handler) adminComp(ctx context.Context, in *adminCompInput) (*web.Output[AdminSubscription], error) {
	p, err := kernel.RequirePlatformAdmin(ctx)
	if err != nil {
		return nil, err
	}
	org, err := kernel.ParseIDOr[kernel.OrganizationKind](in.Body.OrganizationID, errCompOrganization)
	if err != nil {
		return nil, err
	}
	sub, err := h.svc.Comp(ctx, application.CompInput{Org: org, Plan: in.Body.Plan, Until: in.Body.Until, Reason: in.Body.Reason, AdminID: p.UserID})
	return web.Reply(sub, err, adminSubscriptionJSON)
}
