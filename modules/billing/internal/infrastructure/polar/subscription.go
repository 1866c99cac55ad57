package polar

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// Polar's proration behaviors (SubscriptionProrationBehavior).
const (
	// prorationInvoice applies the change now and invoices the prorated
	// difference at once.
	prorationInvoice = "invoice"
	// prorationNextPeriod applies the change at the start of the next
	// period, without prorations.
	prorationNextPeriod = "next_period"
)

// subscriptionObject is the slice of Polar's Subscription schema the adapter
// reads.
type subscriptionObject struct {
	ID                 string            `json:"id"`
	Status             string            `json:"status"`
	CustomerID         string            `json:"customer_id"`
	ProductID          string            `json:"product_id"`
	CurrentPeriodStart time.Time         `json:"current_period_start"`
	CurrentPeriodEnd   *time.Time        `json:"current_period_end"`
	TrialEnd           *time.Time        `json:"trial_end"`
	CancelAtPeriodEnd  bool              `json:"cancel_at_period_end"`
	Seats              *int              `json:"seats"`
	CreatedAt          time.Time         `json:"created_at"`
	ModifiedAt         *time.Time        `json:"modified_at"`
	Metadata           map[string]any    `json:"metadata"`
	Customer           *customerEmbedded `json:"customer"`
}

// customerEmbedded is the customer Polar embeds in subscriptions and orders.
type customerEmbedded struct {
	ExternalID *string `json:"external_id"`
}

// statuses maps Polar's SubscriptionStatus onto billing's. An
// incomplete_expired subscription never started and never will: canceled.
var statuses = map[string]domain.Status{
	"incomplete":         domain.StatusIncomplete,
	"incomplete_expired": domain.StatusCanceled,
	"trialing":           domain.StatusTrialing,
	"active":             domain.StatusActive,
	"past_due":           domain.StatusPastDue,
	"canceled":           domain.StatusCanceled,
	"unpaid":             domain.StatusUnpaid,
	"paused":             domain.StatusPaused,
}

// organizationOf reads whose a Polar object is: the customer's external_id
// (CreateCustomer and Checkout set it to the organization ID), else the
// "organization_id" metadata. It is zero when neither holds an organization
// ID.
func organizationOf(c *customerEmbedded, md map[string]any) kernel.OrganizationID {
	if c != nil && c.ExternalID != nil {
		if id, err := kernel.ParseID[kernel.OrganizationKind](*c.ExternalID); err == nil {
			return id
		}
	}
	if s, ok := md["organization_id"].(string); ok {
		if id, err := kernel.ParseID[kernel.OrganizationKind](s); err == nil {
			return id
		}
	}
	return kernel.OrganizationID{}
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func (s subscriptionObject) snapshot() (domain.ProviderSubscription, error) {
	status, ok := statuses[s.Status]
	if !ok {
		return domain.ProviderSubscription{}, kernel.Internal(fmt.Errorf("polar subscription %s: unknown status %q", s.ID, s.Status))
	}
	out := domain.ProviderSubscription{
		Ref:                s.ID,
		CustomerRef:        s.CustomerID,
		OrganizationID:     organizationOf(s.Customer, s.Metadata),
		PriceID:            s.ProductID,
		Status:             status,
		CurrentPeriodStart: utc(s.CurrentPeriodStart),
		CancelAtPeriodEnd:  s.CancelAtPeriodEnd,
		ChangedAt:          utc(s.CreatedAt),
	}
	if s.CurrentPeriodEnd != nil {
		out.CurrentPeriodEnd = utc(*s.CurrentPeriodEnd)
	}
	if s.TrialEnd != nil {
		t := utc(*s.TrialEnd)
		out.TrialEnd = &t
	}
	if s.Seats != nil {
		out.Seats = *s.Seats
	}
	if s.ModifiedAt != nil {
		out.ChangedAt = utc(*s.ModifiedAt)
	}
	return out, nil
}

// subscriptionCall sends one request about subscription ref and maps the
// subscription Polar answers with.
func (p *Provider) subscriptionCall(ctx context.Context, op, method, ref string, body any) (domain.ProviderSubscription, error) {
	if ref == "" {
		return domain.ProviderSubscription{}, fmt.Errorf("polar %s: %w", op, domain.ErrUnknownSubscription)
	}
	var out subscriptionObject
	if err := p.call(ctx, method, "/v1/subscriptions/"+url.PathEscape(ref), body, &out, true); err != nil {
		return domain.ProviderSubscription{}, fmt.Errorf("polar %s: %w", op, err)
	}
	snap, err := out.snapshot()
	if err != nil {
		return domain.ProviderSubscription{}, fmt.Errorf("polar %s: %w", op, err)
	}
	return snap, nil
}

// Subscription fetches the subscription (GET /v1/subscriptions/{id});
// domain.ErrUnknownSubscription when Polar has none with that ID.
func (p *Provider) Subscription(ctx context.Context, ref string) (domain.ProviderSubscription, error) {
	return p.subscriptionCall(ctx, "subscription", http.MethodGet, ref, nil)
}

type cancelUpdate struct {
	CancelAtPeriodEnd bool `json:"cancel_at_period_end"`
}

// Cancel cancels at the period end (PATCH {cancel_at_period_end: true}) or
// now, by revoking (DELETE /v1/subscriptions/{id}). Polar refuses to cancel
// a subscription that already is (403, billing.provider_refused).
func (p *Provider) Cancel(ctx context.Context, ref string, atPeriodEnd bool) (domain.ProviderSubscription, error) {
	if atPeriodEnd {
		return p.subscriptionCall(ctx, "cancel", http.MethodPatch, ref, cancelUpdate{CancelAtPeriodEnd: true})
	}
	return p.subscriptionCall(ctx, "revoke", http.MethodDelete, ref, nil)
}

// Resume undoes a cancellation at the period end (PATCH
// {cancel_at_period_end: false}). A revoked subscription cannot be resumed.
func (p *Provider) Resume(ctx context.Context, ref string) (domain.ProviderSubscription, error) {
	return p.subscriptionCall(ctx, "resume", http.MethodPatch, ref, cancelUpdate{CancelAtPeriodEnd: false})
}

type productUpdate struct {
	ProductID         string `json:"product_id"`
	ProrationBehavior string `json:"proration_behavior"`
}

type seatsUpdate struct {
	Seats             int    `json:"seats"`
	ProrationBehavior string `json:"proration_behavior,omitempty"`
}

func proration(now bool) string {
	if now {
		return prorationInvoice
	}
	return prorationNextPeriod
}

// ChangePrice moves the subscription to price's product (PATCH {product_id,
// proration_behavior}): now, invoicing the prorated difference at once
// ("invoice"), or from the next period without prorations ("next_period").
// Polar takes the product and the seats in separate updates, so when seats
// is set and differs from what the product change left, a second PATCH
// {seats, proration_behavior} follows; if that one fails the product change
// stands and the error says so (billing fetches the subscription anyway).
// Polar may refuse a second update while a next-period change is pending
// (409, billing.provider_conflict).
func (p *Provider) ChangePrice(ctx context.Context, ref string, price domain.Price, seats int, now bool) (domain.ProviderSubscription, error) {
	snap, err := p.subscriptionCall(ctx, "change price", http.MethodPatch, ref, productUpdate{
		ProductID:         price.ProviderID,
		ProrationBehavior: proration(now),
	})
	if err != nil || seats <= 0 || snap.Seats == seats {
		return snap, err
	}
	after, err := p.subscriptionCall(ctx, "change price seats", http.MethodPatch, ref, seatsUpdate{
		Seats:             seats,
		ProrationBehavior: proration(now),
	})
	if err != nil {
		return domain.ProviderSubscription{}, fmt.Errorf("product changed, seats not: %w", err)
	}
	return after, nil
}

// SetSeats sets the seats of a seat-based subscription (PATCH {seats}),
// prorated as the organization's Polar settings say. Polar refuses seats on
// a subscription that is not seat-based (400, billing.provider_refused).
func (p *Provider) SetSeats(ctx context.Context, ref string, seats int) (domain.ProviderSubscription, error) {
	return p.subscriptionCall(ctx, "set seats", http.MethodPatch, ref, seatsUpdate{Seats: seats})
}
