package sandbox

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// Subscription returns the subscription's state; ChangedAt is its last
// change. domain.ErrUnknownSubscription when there is none.
func (p *Provider) Subscription(ctx context.Context, ref string) (domain.ProviderSubscription, error) {
	s, err := p.subscription(ctx, ref, false)
	if err != nil {
		return domain.ProviderSubscription{}, providerError(err)
	}
	return s.snapshot(), nil
}

// update changes the subscription ref with fn in a transaction and returns
// its new state. fn returns the type of the event the change sends, or ""
// when it changed nothing: then nothing is written and nothing sent. A
// change stamps the row's updated_at (strictly later than before) and
// sends its event after the commit. domain.ErrUnknownSubscription when
// there is no such subscription; fn's error as it is.
func (p *Provider) update(ctx context.Context, ref string, fn func(s *subscription, now time.Time) (event string, err error)) (domain.ProviderSubscription, error) {
	var out subscription
	err := p.db.Tx(ctx, func(ctx context.Context) error {
		s, err := p.subscription(ctx, ref, true)
		if err != nil {
			return err
		}
		now := p.now()
		typ, err := fn(&s, now)
		if err != nil {
			return err
		}
		if typ != "" {
			s.UpdatedAt = nextChange(s.UpdatedAt, now)
			if err := p.saveSubscription(ctx, s); err != nil {
				return err
			}
			p.notifyAfterCommit(ctx, typ, s)
		}
		out = s
		return nil
	})
	if err != nil {
		return domain.ProviderSubscription{}, providerError(err)
	}
	return out.snapshot(), nil
}

// Cancel cancels the subscription now (status canceled; sends
// subscription.canceled) or at the period's end (cancel_at_period_end;
// sends subscription.updated). Cancelling a canceled subscription, or
// again at the period end, changes nothing. A cancellation at the period
// end takes effect at EndPeriod.
func (p *Provider) Cancel(ctx context.Context, ref string, atPeriodEnd bool) (domain.ProviderSubscription, error) {
	return p.update(ctx, ref, func(s *subscription, now time.Time) (string, error) {
		switch {
		case s.Status == domain.StatusCanceled:
			return "", nil
		case atPeriodEnd:
			if s.CancelAtPeriodEnd {
				return "", nil
			}
			s.CancelAtPeriodEnd = true
			return eventSubscriptionUpdated, nil
		}
		s.Status, s.CancelAtPeriodEnd, s.CanceledAt = domain.StatusCanceled, false, &now
		return eventSubscriptionCanceled, nil
	})
}

// Resume undoes a cancellation at the period end (or a pause) and sends
// subscription.updated; a subscription with neither is left as it is. A
// canceled subscription cannot be resumed: kernel Conflict.
func (p *Provider) Resume(ctx context.Context, ref string) (domain.ProviderSubscription, error) {
	return p.update(ctx, ref, func(s *subscription, _ time.Time) (string, error) {
		switch {
		case s.Status == domain.StatusCanceled:
			return "", errCanceled
		case s.Status == domain.StatusPaused:
			s.Status, s.CancelAtPeriodEnd = domain.StatusActive, false
		case s.CancelAtPeriodEnd:
			s.CancelAtPeriodEnd = false
		default:
			return "", nil
		}
		return eventSubscriptionUpdated, nil
	})
}

// ChangePrice moves the subscription to price with seats (0: not per
// seat) and sends subscription.updated. The sandbox charges nothing, so
// there is nothing to prorate: the change takes effect at once whatever
// now says. A change of interval starts a new period now, as Stripe
// does. kernel Invalid for negative seats, Conflict on a canceled
// subscription.
func (p *Provider) ChangePrice(ctx context.Context, ref string, price domain.Price, seats int, _ bool) (domain.ProviderSubscription, error) {
	if seats < 0 {
		return domain.ProviderSubscription{}, errInvalidSeats
	}
	if price.Plan == "" || !validInterval(price.Interval) {
		return domain.ProviderSubscription{}, invalidRequest("The price needs a plan and an interval of month or year.")
	}
	return p.update(ctx, ref, func(s *subscription, now time.Time) (string, error) {
		if s.Status == domain.StatusCanceled {
			return "", errCanceled
		}
		if s.Price == price && s.Seats == seats {
			return "", nil
		}
		if s.Price.Interval != price.Interval {
			s.CurrentPeriodStart, s.CurrentPeriodEnd = now, addInterval(now, price.Interval)
		}
		s.Price, s.Seats = price, seats
		return eventSubscriptionUpdated, nil
	})
}

// SetSeats sets the subscription's quantity and sends
// subscription.updated. kernel Invalid for fewer than 1 seat, Conflict on
// a canceled subscription.
func (p *Provider) SetSeats(ctx context.Context, ref string, seats int) (domain.ProviderSubscription, error) {
	if seats < 1 {
		return domain.ProviderSubscription{}, errInvalidSeats
	}
	return p.update(ctx, ref, func(s *subscription, _ time.Time) (string, error) {
		if s.Status == domain.StatusCanceled {
			return "", errCanceled
		}
		if s.Seats == seats {
			return "", nil
		}
		s.Seats = seats
		return eventSubscriptionUpdated, nil
	})
}

// FailPayment makes the subscription's next payment fail now: status
// past_due, and invoice.payment_failed sent. For tests, and for the
// subscription page's "Fail the next payment" button. A subscription
// already past_due is left as it is; a canceled one gives kernel
// Conflict, an unknown one domain.ErrUnknownSubscription.
func (p *Provider) FailPayment(ctx context.Context, ref string) error {
	_, err := p.update(ctx, ref, func(s *subscription, _ time.Time) (string, error) {
		switch s.Status {
		case domain.StatusCanceled:
			return "", errCanceled
		case domain.StatusPastDue:
			return "", nil
		}
		s.Status = domain.StatusPastDue
		return eventPaymentFailed, nil
	})
	return err
}

// RecoverPayment settles a past_due subscription's failed payment: status
// active again, and invoice.paid sent. Any other subscription is left as
// it is. For the subscription page's "Pay the overdue invoice" button and
// tests of recovery.
func (p *Provider) RecoverPayment(ctx context.Context, ref string) error {
	_, err := p.update(ctx, ref, func(s *subscription, _ time.Time) (string, error) {
		if s.Status != domain.StatusPastDue {
			return "", nil
		}
		s.Status = domain.StatusActive
		return eventInvoicePaid, nil
	})
	return err
}

// EndPeriod is the time passing the sandbox does not run on its own: the
// subscription's current period (or trial) ends now. A trial becomes an
// active subscription whose first period starts now (invoice.paid); a
// cancellation at the period end takes effect (subscription.canceled);
// an active subscription renews for a period from now (invoice.paid); a
// past_due one renews still unpaid (invoice.payment_failed). A canceled
// subscription is left as it is. For the subscription page's "End the
// period now" button, demos and tests of renewals, trials and
// cancellations.
func (p *Provider) EndPeriod(ctx context.Context, ref string) error {
	_, err := p.update(ctx, ref, func(s *subscription, now time.Time) (string, error) {
		switch {
		case s.Status == domain.StatusCanceled:
			return "", nil
		case s.CancelAtPeriodEnd:
			s.Status, s.CancelAtPeriodEnd, s.CanceledAt = domain.StatusCanceled, false, &now
			s.CurrentPeriodEnd = now
			return eventSubscriptionCanceled, nil
		}
		s.CurrentPeriodStart, s.CurrentPeriodEnd = now, addInterval(now, s.Price.Interval)
		switch s.Status {
		case domain.StatusTrialing:
			s.Status, s.TrialEnd = domain.StatusActive, nil
		case domain.StatusPastDue:
			return eventPaymentFailed, nil
		}
		return eventInvoicePaid, nil
	})
	return err
}
