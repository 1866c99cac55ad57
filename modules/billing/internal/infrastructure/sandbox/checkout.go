package sandbox

import (
	"context"
	"net/url"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// CreateCustomer stores a sandbox customer for the organization and
// returns its reference ("scus_…").
func (p *Provider) CreateCustomer(ctx context.Context, c domain.Customer) (string, error) {
	cus := customer{Ref: newRef("scus_"), OrganizationID: orgText(c.OrganizationID), Name: c.Name, Email: c.Email, CreatedAt: p.now()}
	if err := p.insertCustomer(ctx, cus); err != nil {
		return "", providerError(err)
	}
	return cus.Ref, nil
}

// Checkout stores an open checkout of r and returns the URL of its page,
// SERVER_URL/billing/sandbox/checkout/{id}. It refuses an unknown customer
// (kernel NotFound) and a request no provider would take (kernel Invalid:
// no plan, an unknown interval, negative seats or trial, success or cancel
// URL not absolute).
func (p *Provider) Checkout(ctx context.Context, r domain.CheckoutRequest) (string, error) {
	switch {
	case r.Price.Plan == "":
		return "", invalidRequest("The checkout names no plan.")
	case !validInterval(r.Price.Interval):
		return "", invalidRequest("The checkout's interval must be month or year.")
	case r.Price.Amount < 0 || r.Price.Currency == "":
		return "", invalidRequest("The checkout's price needs an amount and a currency.")
	case r.Seats < 0:
		return "", invalidRequest("A checkout's seats cannot be negative.")
	case r.TrialDays < 0:
		return "", invalidRequest("A checkout's trial cannot be negative.")
	case !checkURL(r.SuccessURL) || !checkURL(r.CancelURL):
		return "", invalidRequest("The success and cancel URLs must be absolute http or https URLs.")
	}
	c := checkout{
		ID: newRef("schk_"), OrganizationID: orgText(r.OrganizationID), CustomerRef: r.CustomerRef,
		Price: r.Price, Seats: r.Seats, TrialDays: r.TrialDays,
		SuccessURL: r.SuccessURL, CancelURL: r.CancelURL, CreatedAt: p.now(),
	}
	if err := p.insertCheckout(ctx, c); err != nil {
		return "", providerError(err)
	}
	return p.checkoutURL(c.ID), nil
}

func (p *Provider) checkoutURL(id string) string {
	return p.pageURL(nil, "billing", "sandbox", "checkout", id)
}

// The outcomes of a checkout, as its page's buttons name them.
const (
	outcomePay       = "pay"
	outcomePayFail   = "pay_then_fail"
	outcomeDecline   = "decline"
	outcomeSubscribe = "subscribed" // stored for both paying outcomes
	outcomeDeclined  = "declined"
)

// completeCheckout spends the open checkout id with the buyer's choice
// and returns where the buyer goes next: the success URL after paying
// (the subscription page, with the success URL to return to, after "pay,
// then fail"), the cancel URL after declining. Paying creates the
// subscription and sends subscription.created once the transaction
// commits. errUnknownCheckout when the checkout is unknown or spent.
func (p *Provider) completeCheckout(ctx context.Context, id, choice string) (next string, err error) {
	err = p.db.Tx(ctx, func(ctx context.Context) error {
		c, err := p.openCheckout(ctx, id, true)
		if err != nil {
			return err
		}
		now := p.now()
		if choice == outcomeDecline {
			next = c.CancelURL
			return p.spendCheckout(ctx, c.ID, outcomeDeclined, "", now)
		}
		s := subscription{
			Ref: newRef("ssub_"), CustomerRef: c.CustomerRef, OrganizationID: c.OrganizationID,
			Price: c.Price, Seats: c.Seats, Status: domain.StatusActive,
			CurrentPeriodStart: now, CurrentPeriodEnd: addInterval(now, c.Price.Interval),
			CreatedAt: now, UpdatedAt: now,
		}
		if c.TrialDays > 0 {
			end := now.AddDate(0, 0, c.TrialDays)
			s.Status, s.TrialEnd = domain.StatusTrialing, &end
		}
		if err := p.insertSubscription(ctx, s); err != nil {
			return err
		}
		if err := p.spendCheckout(ctx, c.ID, outcomeSubscribe, s.Ref, now); err != nil {
			return err
		}
		p.notifyAfterCommit(ctx, eventSubscriptionCreated, s)
		next = c.SuccessURL
		if choice == outcomePayFail {
			next = p.pageURL(url.Values{"return": {c.SuccessURL}}, "billing", "sandbox", "subscriptions", c.CustomerRef)
		}
		return nil
	})
	return next, err
}

// notifyAfterCommit sends the event of type about s once the transaction
// in ctx commits (at once without one), so no webhook leaves for a change
// that rolls back and none is posted while a transaction is held.
func (p *Provider) notifyAfterCommit(ctx context.Context, typ string, s subscription) {
	e := p.newEvent(typ, s)
	db.AfterCommit(ctx, func(ctx context.Context) { p.deliver(ctx, e) })
}
