package stripepay

import (
	"context"
	"errors"

	"github.com/stripe/stripe-go/v85"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// metaOrganization is the metadata key carrying our organization's ID on
// customers and subscriptions.
const metaOrganization = "organization_id"

// CreateCustomer creates a Stripe customer with the organization's name, the
// billing contact's email and the organization's ID as metadata, and returns
// its ID (cus_…).
func (p *Provider) CreateCustomer(ctx context.Context, c domain.Customer) (string, error) {
	params := &stripe.CustomerCreateParams{
		Metadata: map[string]string{metaOrganization: c.OrganizationID.String()},
	}
	if c.Name != "" {
		params.Name = stripe.String(c.Name)
	}
	if c.Email != "" {
		params.Email = stripe.String(c.Email)
	}
	cus, err := p.sc.V1Customers.Create(ctx, params)
	if err != nil {
		return "", mapErr(err, nil)
	}
	return cus.ID, nil
}

// Checkout creates a Checkout Session in subscription mode for the
// customer, buying r.Price with r.Seats as quantity (1 when the plan is not
// per seat), with the trial when r.TrialDays > 0, and returns its URL. The
// organization's ID rides as the session's client_reference_id and as the
// subscription's metadata, so the webhooks and the subscription say whose it
// is.
func (p *Provider) Checkout(ctx context.Context, r domain.CheckoutRequest) (string, error) {
	quantity := int64(r.Seats)
	if quantity <= 0 {
		quantity = 1
	}
	org := r.OrganizationID.String()
	sub := &stripe.CheckoutSessionCreateSubscriptionDataParams{
		Metadata: map[string]string{metaOrganization: org},
	}
	if r.TrialDays > 0 {
		sub.TrialPeriodDays = stripe.Int64(int64(r.TrialDays))
	}
	params := &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		Customer:          stripe.String(r.CustomerRef),
		ClientReferenceID: stripe.String(org),
		LineItems: []*stripe.CheckoutSessionCreateLineItemParams{{
			Price:    stripe.String(r.Price.ProviderID),
			Quantity: stripe.Int64(quantity),
		}},
		SubscriptionData: sub,
		SuccessURL:       stripe.String(r.SuccessURL),
		CancelURL:        stripe.String(r.CancelURL),
	}
	s, err := p.sc.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return "", mapErr(err, nil)
	}
	if s.URL == "" {
		// Only embedded or custom UI sessions have no URL, and we create
		// neither.
		return "", kernel.Internal(errors.New("stripe: checkout session " + s.ID + " has no URL"))
	}
	return s.URL, nil
}

// Portal creates a Billing Portal session for the customer, returning to
// returnURL, and returns its URL.
func (p *Provider) Portal(ctx context.Context, customerRef, returnURL string) (string, error) {
	s, err := p.sc.V1BillingPortalSessions.Create(ctx, &stripe.BillingPortalSessionCreateParams{
		Customer:  stripe.String(customerRef),
		ReturnURL: stripe.String(returnURL),
	})
	if err != nil {
		return "", mapErr(err, nil)
	}
	return s.URL, nil
}
