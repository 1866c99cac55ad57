package application

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// Page sizes of the admin listing.
const (
	DefaultAdminPage = 50
	MaxAdminPage     = 200
)

// ListSubscriptions is the platform's listing: newest first, a page at a
// time; next is the cursor of the following page.
func (s *Service) ListSubscriptions(ctx context.Context, q SubscriptionQuery) (subs []*domain.Subscription, next domain.SubscriptionID, err error) {
	limit := kernel.PageLimit(q.Limit, DefaultAdminPage, MaxAdminPage)
	q.Limit = limit + 1
	subs, err = s.deps.Store.ListSubscriptions(ctx, q)
	if err != nil {
		return nil, next, fmt.Errorf("list subscriptions: %w", err)
	}
	if len(subs) > limit {
		subs, next = subs[:limit], subs[limit-1].ID
	}
	return subs, next, nil
}

// ErrSubscriptionNotFound: no subscription with that ID.
var ErrSubscriptionNotFound = kernel.NotFound("billing.subscription_not_found", "Subscription not found.")

// SubscriptionDetail is a subscription with its latest webhook events.
type SubscriptionDetail struct {
	*domain.Subscription
	Events []StoredEvent
}

// SubscriptionDetail returns a subscription with its 50 latest events.
func (s *Service) SubscriptionDetail(ctx context.Context, id domain.SubscriptionID) (SubscriptionDetail, error) {
	sub, err := s.deps.Store.SubscriptionByID(ctx, id)
	switch {
	case err != nil:
		return SubscriptionDetail{}, fmt.Errorf("subscription: %w", err)
	case sub == nil:
		return SubscriptionDetail{}, ErrSubscriptionNotFound
	}
	d := SubscriptionDetail{Subscription: sub}
	if sub.ProviderRef != "" {
		if d.Events, err = s.deps.Store.EventsOf(ctx, sub.Provider, sub.ProviderRef, 50); err != nil {
			return SubscriptionDetail{}, fmt.Errorf("subscription: %w", err)
		}
	}
	return d, nil
}

// Sync fetches one subscription from the provider now and applies it.
func (s *Service) Sync(ctx context.Context, id domain.SubscriptionID) (SubscriptionDetail, error) {
	sub, err := s.deps.Store.SubscriptionByID(ctx, id)
	switch {
	case err != nil:
		return SubscriptionDetail{}, fmt.Errorf("sync: %w", err)
	case sub == nil:
		return SubscriptionDetail{}, ErrSubscriptionNotFound
	case sub.Provider == domain.ProviderComp || s.deps.Provider == nil || sub.Provider != s.deps.Provider.Name():
		return SubscriptionDetail{}, kernel.Conflict("billing.not_provider_managed", "This subscription is not managed by the payment provider.")
	}
	snap, err := s.deps.Provider.Subscription(ctx, sub.ProviderRef)
	if err != nil {
		return SubscriptionDetail{}, fmt.Errorf("sync: %w", err)
	}
	if _, err := s.Apply(ctx, snap, sub.OrganizationID); err != nil {
		return SubscriptionDetail{}, err
	}
	return s.SubscriptionDetail(ctx, id)
}

// Replay processes a recorded event again, as a new job: for an event that
// failed for good, or to re-apply one.
func (s *Service) Replay(ctx context.Context, provider, id string) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.deps.Store.Event(ctx, provider, id); err != nil {
			return err
		}
		if err := s.deps.Store.ReopenEvent(ctx, provider, id); err != nil {
			return err
		}
		return s.deps.Queue.ProcessWebhook(ctx, provider, id)
	})
	if err != nil {
		return fmt.Errorf("replay %s/%s: %w", provider, id, err)
	}
	return nil
}

// CompInput is a platform admin's grant of a plan without a provider.
type CompInput struct {
	Org     kernel.OrganizationID
	Plan    string
	Until   time.Time
	Reason  string
	AdminID kernel.UserID
}

// Comp gives an organization a paid plan until a date, with no provider:
// a live subscription of provider "comp". An organization with a live
// subscription is ErrAlreadySubscribed.
func (s *Service) Comp(ctx context.Context, in CompInput) (*domain.Subscription, error) {
	now := s.deps.Clock.Now()
	reason := strings.TrimSpace(in.Reason)
	plan, ok := s.deps.Catalog.Plan(in.Plan)
	switch {
	case !ok || plan.Free():
		return nil, invalidPlan("body.plan", "No such paid plan.")
	case !in.Until.After(now):
		return nil, kernel.Invalid("billing.invalid_comp", "The end must be in the future.",
			kernel.FieldError{Field: "body.until", Code: "invalid", Message: "Must be after now."})
	case utf8.RuneCountInString(reason) < 5:
		return nil, kernel.Invalid("billing.invalid_comp", "Give a reason of at least 5 characters.",
			kernel.FieldError{Field: "body.reason", Code: "too_short", Message: "At least 5 characters."})
	}
	if _, err := s.deps.Orgs.Name(ctx, in.Org); err != nil {
		return nil, err
	}
	sub := &domain.Subscription{
		ID: kernel.NewID[domain.SubscriptionKind](), OrganizationID: in.Org, Plan: in.Plan, Interval: domain.Month,
		Status: domain.StatusActive, CurrentPeriodStart: now, CurrentPeriodEnd: in.Until.UTC(), Provider: domain.ProviderComp,
		ProviderChangedAt: now, CreatedAt: now, UpdatedAt: now,
	}
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if live, err := s.deps.Store.LiveSubscription(ctx, in.Org, true); err != nil {
			return err
		} else if live != nil {
			return ErrAlreadySubscribed
		}
		if err := s.deps.Store.SaveSubscription(ctx, sub); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, SubscriptionComped{
			SubscriptionEvent: SubscriptionEvent{OrganizationID: in.Org, SubscriptionID: sub.ID, Plan: sub.Plan,
				Interval: string(sub.Interval), Status: string(sub.Status), Provider: domain.ProviderComp},
			By: in.AdminID, Until: sub.CurrentPeriodEnd, Reason: reason,
		})
	})
	if err != nil {
		return nil, fmt.Errorf("comp: %w", err)
	}
	return sub, nil
}

// Overview is billing's section of the platform overview.
type Overview struct {
	// Subscriptions counts live subscriptions by plan, then status.
	Subscriptions map[string]map[string]int `json:"subscriptions"`
	// MRR estimates the monthly recurring revenue by currency, in minor
	// units: active and past_due provider subscriptions, a year's price
	// divided by 12, per-seat plans times their seats; trials and comps
	// pay nothing yet.
	MRR map[string]int64 `json:"mrr"`
}

// Overview counts the live subscriptions and estimates the MRR.
func (s *Service) Overview(ctx context.Context) (Overview, error) {
	counts, err := s.deps.Store.Counts(ctx)
	if err != nil {
		return Overview{}, fmt.Errorf("billing overview: %w", err)
	}
	out := Overview{Subscriptions: map[string]map[string]int{}, MRR: map[string]int64{}}
	for _, c := range counts {
		if out.Subscriptions[c.Plan] == nil {
			out.Subscriptions[c.Plan] = map[string]int{}
		}
		out.Subscriptions[c.Plan][c.Status] += c.Count
		if c.Status != string(domain.StatusActive) && c.Status != string(domain.StatusPastDue) {
			continue
		}
		plan, ok := s.deps.Catalog.Plan(c.Plan)
		if !ok {
			continue
		}
		price, ok := plan.Prices[domain.Interval(c.Interval)]
		if !ok {
			continue
		}
		units := int64(c.Count)
		if plan.PerSeat {
			units = int64(max(c.Seats, c.Count))
		}
		out.MRR[price.Currency] += price.MonthlyAmount(domain.Interval(c.Interval)) * units
	}
	return out, nil
}

// SyncSeats sets the quantity of the organization's per-seat subscription
// to its member count, at the provider, and applies the answer; nothing
// for another plan, a comp, or a provider without quantities. It counts
// again after a change, so members who joined meanwhile are not missed.
func (s *Service) SyncSeats(ctx context.Context, org kernel.OrganizationID) error {
	p := s.deps.Provider
	if p == nil || !p.SupportsSeats() {
		return nil
	}
	for range 3 {
		sub, err := s.deps.Store.LiveSubscription(ctx, org, false)
		if err != nil || sub == nil || sub.Provider != p.Name() || sub.ProviderRef == "" {
			return err
		}
		if plan, ok := s.deps.Catalog.Plan(sub.Plan); !ok || !plan.PerSeat {
			return nil
		}
		n, err := s.deps.Orgs.MemberCount(ctx, org)
		if err != nil {
			return fmt.Errorf("sync seats: %w", err)
		}
		if n = max(n, 1); n == sub.Seats {
			return nil
		}
		snap, err := p.SetSeats(ctx, sub.ProviderRef, n)
		if err != nil {
			return fmt.Errorf("sync seats: %w", err)
		}
		if _, err := s.Apply(ctx, snap, org); err != nil {
			return err
		}
	}
	return nil
}
