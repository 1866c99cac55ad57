package application

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// The answers of billing's use cases.
var (
	ErrAlreadySubscribed = kernel.Conflict("billing.already_subscribed",
		"The organization already has a subscription; change its plan instead.")
	ErrNoSubscription = kernel.NotFound("billing.no_subscription", "The organization has no subscription.")
	ErrNoProvider     = kernel.Unavailable("billing.unavailable", "No payment provider is configured (PAYMENT_PROVIDER=none).")
	ErrCheckoutBusy   = kernel.Conflict("billing.checkout_in_progress",
		"Another checkout of this organization is being prepared; try again in a moment.")
)

// invalidPlan is the 422 for a plan or interval that cannot be bought.
func invalidPlan(field, msg string) error {
	return kernel.Invalid("billing.invalid_plan", msg, kernel.FieldError{Field: field, Code: "invalid", Message: msg})
}

// Config tunes billing.
type Config struct {
	// Grace is how long past_due keeps the plan (BILLING_GRACE_DAYS).
	Grace time.Duration
	// ReturnURL is where a buyer comes back to after a checkout or the
	// portal (a front end's billing page, or the server).
	ReturnURL string
	// ManageURL is Groundwork's own page for managing a subscription, the
	// portal of a provider without one.
	ManageURL string
}

// Deps are the service's collaborators. Provider is nil without one
// (PAYMENT_PROVIDER=none): checkouts then answer ErrNoProvider.
type Deps struct {
	UoW      kernel.UnitOfWork
	Store    Store
	Provider domain.PaymentProvider
	Catalog  *domain.Catalog
	Queue    Queue
	Orgs     Organizations
	Events   kernel.Publisher
	Clock    kernel.Clock
	Logger   *slog.Logger
}

// Service is billing's application service.
type Service struct {
	cfg  Config
	deps Deps
}

// NewService returns the service; it does no I/O.
func NewService(cfg Config, d Deps) *Service { return &Service{cfg: cfg, deps: d} }

// Catalog returns the plans.
func (s *Service) Catalog() *domain.Catalog { return s.deps.Catalog }

// Subscription returns the organization's live subscription, nil on the
// free plan.
func (s *Service) Subscription(ctx context.Context, org kernel.OrganizationID) (*domain.Subscription, error) {
	sub, err := s.deps.Store.LiveSubscription(ctx, org, false)
	if err != nil {
		return nil, fmt.Errorf("subscription: %w", err)
	}
	return sub, nil
}

// Entitled reports whether the subscription grants its plan now.
func (s *Service) Entitled(sub *domain.Subscription) bool {
	return sub != nil && sub.Entitled(s.deps.Clock.Now(), s.cfg.Grace)
}

// CheckoutInput is a checkout's request.
type CheckoutInput struct {
	Org      kernel.OrganizationID
	Plan     string
	Interval domain.Interval
	Seats    int
	// PayerUser is who checks out: the customer's and the payer's email.
	PayerUser kernel.UserID
}

// Checkout opens a checkout of a paid plan and returns its URL. The
// organization's provider customer is created at its first checkout
// (racing checkouts make one); a live subscription answers
// ErrAlreadySubscribed. Provider failures are ErrProviderUnavailable with
// nothing half-written: a customer claim whose creation failed is
// released.
func (s *Service) Checkout(ctx context.Context, in CheckoutInput) (string, error) {
	p := s.deps.Provider
	if p == nil {
		return "", ErrNoProvider
	}
	plan, ok := s.deps.Catalog.Plan(in.Plan)
	switch {
	case !ok:
		return "", invalidPlan("body.plan", "No such plan.")
	case plan.Free():
		return "", invalidPlan("body.plan", "The free plan needs no checkout.")
	}
	price, ok := s.price(in.Plan, in.Interval)
	if !ok {
		return "", invalidPlan("body.interval", "The plan has no price for this interval.")
	}
	seats := 0
	if plan.PerSeat {
		n, err := s.deps.Orgs.MemberCount(ctx, in.Org)
		if err != nil {
			return "", fmt.Errorf("checkout: %w", err)
		}
		seats = max(n, in.Seats, 1)
	}
	if sub, err := s.deps.Store.LiveSubscription(ctx, in.Org, false); err != nil {
		return "", fmt.Errorf("checkout: %w", err)
	} else if sub != nil {
		return "", ErrAlreadySubscribed
	}
	email, err := s.deps.Orgs.Email(ctx, in.PayerUser)
	if err != nil {
		return "", fmt.Errorf("checkout: %w", err)
	}
	customer, err := s.customer(ctx, in.Org, email)
	if err != nil {
		return "", err
	}
	url, err := p.Checkout(ctx, domain.CheckoutRequest{
		OrganizationID: in.Org, CustomerRef: customer, Price: price, Seats: seats, TrialDays: plan.TrialDays,
		PayerEmail: email, SuccessURL: s.returnURL("success"), CancelURL: s.returnURL("canceled"),
	})
	if err != nil {
		return "", fmt.Errorf("checkout: %w", err)
	}
	return url, nil
}

// price is the plan's price at the provider. A provider whose plans carry
// no IDs (the sandbox) knows a price as "plan:interval".
func (s *Service) price(plan string, interval domain.Interval) (domain.Price, bool) {
	price, ok := s.deps.Catalog.Price(plan, interval, s.deps.Provider.Name())
	if ok && price.ProviderID == "" {
		price.ProviderID = plan + ":" + string(interval)
	}
	return price, ok
}

// planOf is the plan and interval of a provider's price ID.
func (s *Service) planOf(priceID string) (string, domain.Interval, bool) {
	if plan, iv, ok := s.deps.Catalog.ByProviderID(s.deps.Provider.Name(), priceID); ok {
		return plan, iv, true
	}
	plan, iv, ok := strings.Cut(priceID, ":")
	if _, known := s.deps.Catalog.Price(plan, domain.Interval(iv), s.deps.Provider.Name()); ok && known {
		return plan, domain.Interval(iv), true
	}
	return "", "", false
}

func (s *Service) returnURL(result string) string {
	sep := "?"
	if strings.Contains(s.cfg.ReturnURL, "?") {
		sep = "&"
	}
	return s.cfg.ReturnURL + sep + "checkout=" + result
}

// customer returns the organization's provider customer, creating it at
// the first checkout: the claim row makes racing checkouts create one.
func (s *Service) customer(ctx context.Context, org kernel.OrganizationID, email string) (string, error) {
	p := s.deps.Provider
	ref, claimed, err := s.deps.Store.ClaimCustomer(ctx, org, p.Name(), s.deps.Clock.Now())
	if err != nil {
		return "", fmt.Errorf("checkout: %w", err)
	}
	switch {
	case ref != "":
		return ref, nil
	case !claimed:
		return "", ErrCheckoutBusy
	}
	name, err := s.deps.Orgs.Name(ctx, org)
	if err == nil {
		ref, err = p.CreateCustomer(ctx, domain.Customer{OrganizationID: org, Name: name, Email: email})
	}
	if err == nil {
		err = s.deps.Store.SetCustomerRef(ctx, org, ref)
	}
	if err != nil {
		if rerr := s.deps.Store.ReleaseCustomerClaim(context.WithoutCancel(ctx), org); rerr != nil {
			s.deps.Logger.ErrorContext(ctx, "release a customer claim", "organization_id", org.String(), "error", rerr)
		}
		return "", fmt.Errorf("checkout: create customer: %w", err)
	}
	return ref, nil
}

// Portal returns the provider's customer portal URL for the organization.
func (s *Service) Portal(ctx context.Context, org kernel.OrganizationID) (string, error) {
	if s.deps.Provider == nil {
		return "", ErrNoProvider
	}
	sub, err := s.live(ctx, org)
	if err != nil {
		return "", err
	}
	url, err := s.deps.Provider.Portal(ctx, sub.CustomerRef, s.cfg.ReturnURL)
	if err != nil {
		return "", fmt.Errorf("portal: %w", err)
	}
	if url == "" { // no portal at the provider: Groundwork's own page
		return s.cfg.ManageURL, nil
	}
	return url, nil
}

func (s *Service) live(ctx context.Context, org kernel.OrganizationID) (*domain.Subscription, error) {
	sub, err := s.deps.Store.LiveSubscription(ctx, org, false)
	switch {
	case err != nil:
		return nil, err
	case sub == nil:
		return nil, ErrNoSubscription
	}
	return sub, nil
}

// Cancel cancels the organization's subscription at the provider, now or
// at the period end, and applies the provider's answer.
func (s *Service) Cancel(ctx context.Context, org kernel.OrganizationID, atPeriodEnd bool) (*domain.Subscription, error) {
	return s.change(ctx, org, func(p domain.PaymentProvider, sub *domain.Subscription) (domain.ProviderSubscription, error) {
		return p.Cancel(ctx, sub.ProviderRef, atPeriodEnd)
	})
}

// Resume undoes a cancellation at the period end.
func (s *Service) Resume(ctx context.Context, org kernel.OrganizationID) (*domain.Subscription, error) {
	return s.change(ctx, org, func(p domain.PaymentProvider, sub *domain.Subscription) (domain.ProviderSubscription, error) {
		return p.Resume(ctx, sub.ProviderRef)
	})
}

// ChangePlan moves the subscription to another paid plan: an upgrade (a
// higher monthly amount) now, with the provider's proration, a downgrade
// from the next period.
func (s *Service) ChangePlan(ctx context.Context, org kernel.OrganizationID, plan string, interval domain.Interval) (*domain.Subscription, error) {
	if s.deps.Provider == nil {
		return nil, ErrNoProvider
	}
	target, ok := s.deps.Catalog.Plan(plan)
	if !ok || target.Free() {
		return nil, invalidPlan("body.plan", "No such paid plan; cancel to go back to the free plan.")
	}
	price, ok := s.price(plan, interval)
	if !ok {
		return nil, invalidPlan("body.interval", "The plan has no price for this interval.")
	}
	return s.change(ctx, org, func(p domain.PaymentProvider, sub *domain.Subscription) (domain.ProviderSubscription, error) {
		seats := 0
		if target.PerSeat {
			seats = max(sub.Seats, 1)
		}
		upgrade := true
		if cur, ok := s.deps.Catalog.Price(sub.Plan, sub.Interval, p.Name()); ok {
			upgrade = price.Amount*monthsOf(sub.Interval) >= cur.Amount*monthsOf(interval)
		}
		return p.ChangePrice(ctx, sub.ProviderRef, price, seats, upgrade)
	})
}

func monthsOf(iv domain.Interval) int64 {
	if iv == domain.Year {
		return 12
	}
	return 1
}

// change runs a provider call on the organization's live subscription and
// applies the state it answers.
func (s *Service) change(ctx context.Context, org kernel.OrganizationID,
	call func(domain.PaymentProvider, *domain.Subscription) (domain.ProviderSubscription, error),
) (*domain.Subscription, error) {
	sub, err := s.live(ctx, org)
	if err != nil {
		return nil, err
	}
	if sub.Provider == domain.ProviderComp || s.deps.Provider == nil || sub.Provider != s.deps.Provider.Name() {
		return nil, kernel.Conflict("billing.not_provider_managed", "This subscription is not managed by the payment provider.")
	}
	snap, err := call(s.deps.Provider, sub)
	if err != nil {
		return nil, err
	}
	if _, err := s.Apply(ctx, snap, org); err != nil {
		return nil, err
	}
	return s.deps.Store.LiveSubscription(ctx, org, false)
}

// Apply applies a provider's snapshot, in one transaction with its events:
// to the subscription with its reference, or a new one of the
// organization the snapshot, its customer or hint names. It returns the
// outcome: applied, stale (older than stored), foreign (no organization of
// ours), duplicate (the organization has another live subscription).
func (s *Service) Apply(ctx context.Context, snap domain.ProviderSubscription, hint kernel.OrganizationID) (string, error) {
	return s.apply(ctx, snap, hint, nil)
}

// apply is Apply, running done (when set) with the outcome in the same
// transaction: what marks a webhook event processed together with the
// change it made.
func (s *Service) apply(ctx context.Context, snap domain.ProviderSubscription, hint kernel.OrganizationID,
	done func(ctx context.Context, outcome string) error,
) (string, error) {
	p := s.deps.Provider
	plan, interval, ok := s.planOf(snap.PriceID)
	if !ok {
		s.deps.Logger.ErrorContext(ctx, "a subscription is on a price no plan has; ignored",
			"provider", p.Name(), "subscription_ref", snap.Ref, "price_id", snap.PriceID)
		if done != nil {
			return OutcomeIgnored, done(ctx, OutcomeIgnored)
		}
		return OutcomeIgnored, nil
	}
	now := s.deps.Clock.Now()
	outcome := OutcomeApplied
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) (err error) {
		if done != nil {
			defer func() {
				if err == nil {
					err = done(ctx, outcome)
				}
			}()
		}
		cur, err := s.deps.Store.SubscriptionByRef(ctx, p.Name(), snap.Ref)
		if err != nil {
			return err
		}
		org, err := s.owner(ctx, cur, snap, hint)
		if err != nil || org.IsZero() {
			outcome = OutcomeForeign
			return err
		}
		if cur != nil && snap.ChangedAt.Before(cur.ProviderChangedAt) {
			outcome = OutcomeStale
			return nil
		}
		if cur == nil {
			live, err := s.deps.Store.LiveSubscription(ctx, org, true)
			if err != nil {
				return err
			}
			if live != nil && snap.Status.Live() {
				outcome = OutcomeDuplicate
				return nil
			}
			cur = &domain.Subscription{ID: kernel.NewID[domain.SubscriptionKind](), OrganizationID: org, Provider: p.Name(), CreatedAt: now}
		}
		change := cur.Apply(snap, plan, interval, now)
		if err := s.deps.Store.SaveSubscription(ctx, cur); err != nil {
			return err
		}
		return s.publish(ctx, cur, change)
	})
	if err != nil {
		return "", fmt.Errorf("apply subscription %s: %w", snap.Ref, err)
	}
	if outcome != OutcomeApplied {
		s.deps.Logger.WarnContext(ctx, "a provider's subscription was not applied", "outcome", outcome,
			"provider", p.Name(), "subscription_ref", snap.Ref)
	}
	return outcome, nil
}

// owner is the organization a snapshot belongs to: the stored
// subscription's, the snapshot's own, its customer's, or the hint — the
// zero ID (foreign) when the one the provider names is none of ours.
func (s *Service) owner(ctx context.Context, cur *domain.Subscription, snap domain.ProviderSubscription, hint kernel.OrganizationID) (kernel.OrganizationID, error) {
	switch {
	case cur != nil:
		return cur.OrganizationID, nil
	case !snap.OrganizationID.IsZero():
		return s.ours(ctx, snap.OrganizationID)
	case snap.CustomerRef != "":
		org, ok, err := s.deps.Store.CustomerOrganization(ctx, s.deps.Provider.Name(), snap.CustomerRef)
		if err != nil || ok {
			return org, err
		}
	}
	if hint.IsZero() {
		return hint, nil
	}
	return s.ours(ctx, hint)
}

// ours returns org when it is one of this application's organizations, and
// the zero ID (foreign) when it is not: an ID the provider holds, such as
// a customer's external ID, may come from another deployment sharing the
// provider's account.
func (s *Service) ours(ctx context.Context, org kernel.OrganizationID) (kernel.OrganizationID, error) {
	_, err := s.deps.Orgs.Name(ctx, org)
	switch {
	case kernel.KindOf(err) == kernel.KindNotFound:
		return kernel.OrganizationID{}, nil
	case err != nil:
		return kernel.OrganizationID{}, err
	}
	return org, nil
}

func (s *Service) publish(ctx context.Context, sub *domain.Subscription, c domain.Change) error {
	base := SubscriptionEvent{OrganizationID: sub.OrganizationID, SubscriptionID: sub.ID, Plan: sub.Plan,
		Interval: string(sub.Interval), Status: string(sub.Status), Provider: sub.Provider}
	var events []kernel.Event
	if c.Activated {
		events = append(events, SubscriptionActivated{base})
	}
	if c.PlanChanged {
		events = append(events, SubscriptionPlanChanged{SubscriptionEvent: base, From: c.From})
	}
	if c.PastDue {
		events = append(events, SubscriptionPastDue{base})
	}
	if c.Canceled {
		events = append(events, SubscriptionCanceled{base})
	}
	if c.TrialWillEnd && sub.TrialEnd != nil {
		events = append(events, SubscriptionTrialWillEnd{SubscriptionEvent: base, TrialEnd: *sub.TrialEnd})
	}
	if c.Updated && len(events) == 0 {
		events = append(events, SubscriptionUpdated{base})
	}
	if len(events) == 0 {
		return nil
	}
	return s.deps.Events.Publish(ctx, events...)
}

// Ingest records a verified webhook delivery in the ledger together with
// the job that processes it, and answers at once. A duplicate delivery
// (its event recorded already) changes nothing.
func (s *Service) Ingest(ctx context.Context, d domain.WebhookDelivery) (duplicate bool, err error) {
	p := s.deps.Provider
	e, err := p.ParseWebhook(d, s.deps.Clock.Now())
	if err != nil {
		return false, err
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		inserted, err := s.deps.Store.RecordEvent(ctx, p.Name(), e, s.deps.Clock.Now())
		if err != nil || !inserted {
			duplicate = !inserted
			return err
		}
		return s.deps.Queue.ProcessWebhook(ctx, p.Name(), e.ID)
	})
	if err != nil {
		return false, fmt.Errorf("ingest webhook: %w", err)
	}
	return duplicate, nil
}

// errDuplicate stops apply's transaction for a duplicate subscription.
var errDuplicate = errors.New("a second live subscription")

// ProcessWebhook is the job of a recorded event: it fetches the
// subscription the event is about from the provider (never trusting the
// payload's state) and applies it, and marks the event done. A failure is
// returned for the job to retry, and recorded on the event.
func (s *Service) ProcessWebhook(ctx context.Context, provider, id string) error {
	if s.deps.Provider == nil || provider != s.deps.Provider.Name() {
		return fmt.Errorf("process webhook %s/%s: provider %q is not configured", provider, id, provider)
	}
	e, err := s.deps.Store.Event(ctx, provider, id)
	if err != nil {
		return fmt.Errorf("process webhook: %w", err)
	}
	if e.ProcessedAt != nil {
		return nil
	}
	finish := func(ctx context.Context, outcome string) error {
		return s.deps.Store.FinishEvent(ctx, provider, id, outcome, s.deps.Clock.Now())
	}
	outcome := OutcomeIgnored
	if e.SubscriptionRef != "" {
		snap, err := s.deps.Provider.Subscription(ctx, e.SubscriptionRef)
		switch {
		case errors.Is(err, domain.ErrUnknownSubscription):
			outcome = OutcomeForeign
		case err != nil:
			return s.failEvent(ctx, e, err)
		default:
			// The change and the event's outcome commit together; a
			// duplicate (a second subscription of an organization that has
			// one: a checkout paid twice) is canceled at the provider first,
			// so that it never bills.
			finishUnlessDuplicate := func(ctx context.Context, outcome string) error {
				if outcome == OutcomeDuplicate {
					return errDuplicate
				}
				return finish(ctx, outcome)
			}
			_, err := s.apply(ctx, snap, e.OrganizationID, finishUnlessDuplicate)
			if !errors.Is(err, errDuplicate) {
				if err != nil {
					return s.failEvent(ctx, e, err)
				}
				return nil
			}
			if _, err := s.deps.Provider.Cancel(ctx, snap.Ref, false); err != nil {
				return s.failEvent(ctx, e, err)
			}
			s.deps.Logger.WarnContext(ctx, "canceled a second live subscription of an organization",
				"provider", provider, "subscription_ref", snap.Ref)
			outcome = OutcomeDuplicate
		}
	}
	if err := finish(ctx, outcome); err != nil {
		return fmt.Errorf("process webhook: %w", err)
	}
	return nil
}

func (s *Service) failEvent(ctx context.Context, e StoredEvent, cause error) error {
	if err := s.deps.Store.FailEvent(context.WithoutCancel(ctx), e.Provider, e.ID, cause.Error()); err != nil {
		s.deps.Logger.ErrorContext(ctx, "record a webhook failure", "event_id", e.ID, "error", err)
	}
	return fmt.Errorf("process webhook %s/%s: %w", e.Provider, e.ID, cause)
}

// Reconcile fetches every live subscription from the provider and applies
// it, repairing what webhooks missed; org, when set, limits it to one
// organization. It returns how many it checked.
func (s *Service) Reconcile(ctx context.Context, org kernel.OrganizationID) (int, error) {
	if s.deps.Provider == nil {
		return 0, nil
	}
	subs, err := s.deps.Store.LiveSubscriptions(ctx, s.deps.Provider.Name())
	if err != nil {
		return 0, fmt.Errorf("reconcile: %w", err)
	}
	n := 0
	var errs []error
	for _, sub := range subs {
		if (!org.IsZero() && sub.OrganizationID != org) || sub.ProviderRef == "" {
			continue
		}
		n++
		snap, err := s.deps.Provider.Subscription(ctx, sub.ProviderRef)
		if err == nil {
			_, err = s.Apply(ctx, snap, sub.OrganizationID)
		}
		if err == nil {
			err = s.SyncSeats(ctx, sub.OrganizationID)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}
