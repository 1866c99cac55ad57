package stripepay

import (
	"context"
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// The proration behaviours of a subscription update.
const (
	prorate   = "create_prorations"
	noProrate = "none"
)

// Subscription retrieves the subscription (sub_…); domain.ErrUnknownSubscription
// when Stripe has none with that ID.
func (p *Provider) Subscription(ctx context.Context, ref string) (domain.ProviderSubscription, error) {
	s, err := p.retrieve(ctx, ref)
	if err != nil {
		return domain.ProviderSubscription{}, err
	}
	return p.snapshot(s)
}

// Cancel cancels the subscription now, or sets it to cancel at the end of
// the period (cancel_at_period_end), and returns its new state.
func (p *Provider) Cancel(ctx context.Context, ref string, atPeriodEnd bool) (domain.ProviderSubscription, error) {
	if ref == "" {
		return domain.ProviderSubscription{}, domain.ErrUnknownSubscription
	}
	if atPeriodEnd {
		return p.update(ctx, ref, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(true)})
	}
	s, err := p.sc.V1Subscriptions.Cancel(ctx, ref, nil)
	if err != nil {
		return domain.ProviderSubscription{}, mapErr(err, domain.ErrUnknownSubscription)
	}
	return p.snapshot(s)
}

// Resume undoes a cancellation at the period end (cancel_at_period_end
// false) and returns the subscription's new state. A subscription canceled
// now cannot be resumed: Stripe refuses, which gives kernel.Invalid.
func (p *Provider) Resume(ctx context.Context, ref string) (domain.ProviderSubscription, error) {
	return p.update(ctx, ref, &stripe.SubscriptionUpdateParams{CancelAtPeriodEnd: stripe.Bool(false)})
}

// ChangePrice moves the subscription's (first) item to price with seats as
// its quantity; seats 0, a plan not per seat, sets the quantity to 1 as
// Checkout does, so that leaving a per-seat plan does not keep charging its
// seats. With now, Stripe prorates the rest of the period
// (proration_behavior create_prorations); without, nothing is prorated
// (none): the new price is what the next period's invoice charges.
//
// Without now the item changes at once all the same, so the snapshot
// returned already carries the new price: a downgrade's features apply from
// now while its price applies from the next period. Deferring the change
// itself would take a subscription schedule with a phase per period, which
// this adapter does not manage.
func (p *Provider) ChangePrice(ctx context.Context, ref string, price domain.Price, seats int, now bool) (domain.ProviderSubscription, error) {
	quantity := int64(seats)
	if quantity <= 0 {
		quantity = 1
	}
	if !now {
		return p.changeAtPeriodEnd(ctx, ref, price, quantity)
	}
	itemID, err := p.firstItem(ctx, ref)
	if err != nil {
		return domain.ProviderSubscription{}, err
	}
	return p.update(ctx, ref, &stripe.SubscriptionUpdateParams{
		Items: []*stripe.SubscriptionUpdateItemParams{{
			ID:       stripe.String(itemID),
			Price:    stripe.String(price.ProviderID),
			Quantity: stripe.Int64(quantity),
		}},
		ProrationBehavior: stripe.String(prorate),
	})
}

// changeAtPeriodEnd moves the subscription to price from its next period,
// as Stripe does it: through a subscription schedule (the subscription's
// own, or one made from it) whose current phase keeps today's price and
// seats until the period ends and whose next phase has the new ones; the
// schedule then releases the subscription. Until then the subscription,
// and so the plan billing shows, stay as they are.
func (p *Provider) changeAtPeriodEnd(ctx context.Context, ref string, price domain.Price, quantity int64) (domain.ProviderSubscription, error) {
	s, err := p.retrieve(ctx, ref)
	if err != nil {
		return domain.ProviderSubscription{}, err
	}
	item := firstItem(s)
	if item == nil || item.Price == nil {
		return domain.ProviderSubscription{}, kernel.Internal(fmt.Errorf("stripe: subscription %s has no priced item", s.ID))
	}
	scheduleID := ""
	if s.Schedule != nil {
		scheduleID = s.Schedule.ID
	}
	if scheduleID == "" {
		sched, err := p.sc.V1SubscriptionSchedules.Create(ctx, &stripe.SubscriptionScheduleCreateParams{FromSubscription: stripe.String(ref)})
		if err != nil {
			return domain.ProviderSubscription{}, mapErr(err, domain.ErrUnknownSubscription)
		}
		scheduleID = sched.ID
	}
	interval := "month"
	if price.Interval == domain.Year {
		interval = "year"
	}
	_, err = p.sc.V1SubscriptionSchedules.Update(ctx, scheduleID, &stripe.SubscriptionScheduleUpdateParams{
		EndBehavior:       stripe.String("release"),
		ProrationBehavior: stripe.String(noProrate),
		Phases: []*stripe.SubscriptionScheduleUpdatePhaseParams{
			{
				Items: []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{
					Price: stripe.String(item.Price.ID), Quantity: stripe.Int64(max(item.Quantity, 1)),
				}},
				StartDate: stripe.Int64(item.CurrentPeriodStart),
				EndDate:   stripe.Int64(item.CurrentPeriodEnd),
			},
			{
				Items:    []*stripe.SubscriptionScheduleUpdatePhaseItemParams{{Price: stripe.String(price.ProviderID), Quantity: stripe.Int64(quantity)}},
				Duration: &stripe.SubscriptionScheduleUpdatePhaseDurationParams{Interval: stripe.String(interval), IntervalCount: stripe.Int64(1)},
			},
		},
	})
	if err != nil {
		return domain.ProviderSubscription{}, mapErr(err, domain.ErrUnknownSubscription)
	}
	return p.snapshot(s)
}

// SetSeats sets the quantity of the subscription's (first) item to seats,
// prorating the rest of the period. Fewer than one seat is kernel.Invalid.
func (p *Provider) SetSeats(ctx context.Context, ref string, seats int) (domain.ProviderSubscription, error) {
	if seats < 1 {
		return domain.ProviderSubscription{}, kernel.Invalid("billing.invalid_seats", "A per-seat subscription has at least one seat.")
	}
	itemID, err := p.firstItem(ctx, ref)
	if err != nil {
		return domain.ProviderSubscription{}, err
	}
	return p.update(ctx, ref, &stripe.SubscriptionUpdateParams{
		Items: []*stripe.SubscriptionUpdateItemParams{{
			ID:       stripe.String(itemID),
			Quantity: stripe.Int64(int64(seats)),
		}},
		ProrationBehavior: stripe.String(prorate),
	})
}

func (p *Provider) retrieve(ctx context.Context, ref string) (*stripe.Subscription, error) {
	if ref == "" {
		// The SDK would call /v1/subscriptions/, the list.
		return nil, domain.ErrUnknownSubscription
	}
	s, err := p.sc.V1Subscriptions.Retrieve(ctx, ref, nil)
	if err != nil {
		return nil, mapErr(err, domain.ErrUnknownSubscription)
	}
	return s, nil
}

func (p *Provider) update(ctx context.Context, ref string, params *stripe.SubscriptionUpdateParams) (domain.ProviderSubscription, error) {
	if ref == "" {
		return domain.ProviderSubscription{}, domain.ErrUnknownSubscription
	}
	s, err := p.sc.V1Subscriptions.Update(ctx, ref, params)
	if err != nil {
		return domain.ProviderSubscription{}, mapErr(err, domain.ErrUnknownSubscription)
	}
	return p.snapshot(s)
}

// firstItem returns the ID of the subscription's first item, the one
// Checkout created: an item is changed by its ID.
func (p *Provider) firstItem(ctx context.Context, ref string) (string, error) {
	s, err := p.retrieve(ctx, ref)
	if err != nil {
		return "", err
	}
	item := firstItem(s)
	if item == nil || item.ID == "" {
		return "", kernel.Internal(fmt.Errorf("stripe: subscription %s has no item", s.ID))
	}
	return item.ID, nil
}

func firstItem(s *stripe.Subscription) *stripe.SubscriptionItem {
	if s.Items == nil || len(s.Items.Data) == 0 {
		return nil
	}
	return s.Items.Data[0]
}

var statuses = map[stripe.SubscriptionStatus]domain.Status{
	stripe.SubscriptionStatusTrialing:          domain.StatusTrialing,
	stripe.SubscriptionStatusActive:            domain.StatusActive,
	stripe.SubscriptionStatusPastDue:           domain.StatusPastDue,
	stripe.SubscriptionStatusCanceled:          domain.StatusCanceled,
	stripe.SubscriptionStatusIncomplete:        domain.StatusIncomplete,
	stripe.SubscriptionStatusIncompleteExpired: domain.StatusCanceled, // its first payment never came: it is over
	stripe.SubscriptionStatusPaused:            domain.StatusPaused,
	stripe.SubscriptionStatusUnpaid:            domain.StatusUnpaid,
}

// snapshot maps a subscription Stripe just returned, dated now.
//
// ChangedAt is when Stripe answered (the Clock read once the response is
// in), not a timestamp of the object. A Stripe subscription has no "updated"
// field, and what it has cannot order snapshots: changing the price or the
// seats moves none of created, current_period_start, trial_start/end,
// canceled_at or ended_at, and resuming a cancellation at the period end
// clears canceled_at, so a "latest of those" rule would date the resumed
// state before the canceled one it replaces and billing would refuse it.
// Billing fetches the authoritative state whenever it applies one, so the
// time of the fetch orders snapshots exactly: a later answer never holds an
// older state. Equal times re-apply harmlessly (billing compares with >=).
//
// The period is the first item's (v85 keeps current_period_start/end on
// the items, where flexible billing lets them differ); so are the price and
// the seats. An unknown status is an error, so that nothing is stored from
// an object this adapter does not understand.
func (p *Provider) snapshot(s *stripe.Subscription) (domain.ProviderSubscription, error) {
	observed := p.clock.Now()
	status, ok := statuses[s.Status]
	if !ok {
		return domain.ProviderSubscription{}, kernel.Internal(fmt.Errorf("stripe: subscription %s has unknown status %q", s.ID, s.Status))
	}
	ps := domain.ProviderSubscription{
		Ref:               s.ID,
		OrganizationID:    organization(s.Metadata[metaOrganization]),
		Status:            status,
		CancelAtPeriodEnd: s.CancelAtPeriodEnd,
		ChangedAt:         observed,
	}
	if s.Customer != nil {
		ps.CustomerRef = s.Customer.ID
	}
	if item := firstItem(s); item != nil {
		if item.Price != nil {
			ps.PriceID = item.Price.ID
		}
		ps.Seats = int(item.Quantity)
		ps.CurrentPeriodStart = unix(item.CurrentPeriodStart)
		ps.CurrentPeriodEnd = unix(item.CurrentPeriodEnd)
	}
	if s.TrialEnd != 0 {
		t := unix(s.TrialEnd)
		ps.TrialEnd = &t
	}
	return ps, nil
}

// organization parses the organization's ID from metadata; the zero ID when
// it is absent or not an organization's.
func organization(s string) kernel.OrganizationID {
	id, err := kernel.ParseID[kernel.OrganizationKind](s)
	if err != nil {
		return kernel.OrganizationID{}
	}
	return id
}

// unix converts one of Stripe's Unix timestamps; 0 (null) is the zero time.
func unix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
