package domain

import (
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// SubscriptionKind is the ID kind of subscriptions ("sub_…").
type SubscriptionKind struct{}

// Prefix implements kernel.Kind.
func (SubscriptionKind) Prefix() string { return "sub" }

// SubscriptionID identifies a subscription.
type SubscriptionID = kernel.ID[SubscriptionKind]

// Subscription is an organization's subscription to a paid plan: the
// provider's, as billing last applied it, or a comp (a platform admin's
// grant without a provider). At most one per organization is live (any
// status but canceled); without one the organization is on the free plan.
type Subscription struct {
	ID                                   SubscriptionID
	OrganizationID                       kernel.OrganizationID
	Plan                                 string
	Interval                             Interval
	Status                               Status
	CurrentPeriodStart, CurrentPeriodEnd time.Time
	TrialEnd                             *time.Time
	CancelAtPeriodEnd                    bool
	Seats                                int
	// Provider is the provider's name ("stripe"; "comp" for a comp), with
	// its customer and subscription references.
	Provider, CustomerRef, ProviderRef string
	// ProviderChangedAt is the provider's last-changed time of the
	// snapshot applied: an older snapshot is never applied over it.
	ProviderChangedAt time.Time
	// PastDueSince is when the subscription last became past_due (nil
	// while it is not): the grace period counts from it.
	PastDueSince *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ProviderComp is the Provider of a comp.
const ProviderComp = "comp"

// Change is what applying a snapshot did, for the events it causes.
type Change struct {
	// Activated: the subscription became trialing or active from nothing,
	// incomplete or canceled.
	Activated bool
	// PlanChanged: the plan or interval changed (From is the old plan).
	PlanChanged bool
	From        string
	// PastDue: it entered past_due; Canceled: it became canceled.
	PastDue, Canceled bool
	// Updated: anything else changed.
	Updated bool
	// TrialWillEnd: the trial ends within three days and had not before.
	TrialWillEnd bool
}

// Any reports whether anything changed.
func (c Change) Any() bool {
	return c.Activated || c.PlanChanged || c.PastDue || c.Canceled || c.Updated || c.TrialWillEnd
}

// TrialWarning is how long before a trial's end trial_will_end fires.
const TrialWarning = 3 * 24 * time.Hour

// Apply sets s to the provider's snapshot p, on plan and interval, at now,
// and reports what changed. It is not called with a snapshot older than
// s.ProviderChangedAt.
func (s *Subscription) Apply(p ProviderSubscription, plan string, interval Interval, now time.Time) Change {
	var c Change
	was := *s
	wasLive := was.Status == StatusActive || was.Status == StatusTrialing || was.Status == StatusPastDue
	s.Plan, s.Interval, s.Status = plan, interval, p.Status
	s.CurrentPeriodStart, s.CurrentPeriodEnd = p.CurrentPeriodStart.UTC(), p.CurrentPeriodEnd.UTC()
	s.TrialEnd = utcPtr(p.TrialEnd)
	s.CancelAtPeriodEnd, s.Seats = p.CancelAtPeriodEnd, p.Seats
	if p.CustomerRef != "" {
		s.CustomerRef = p.CustomerRef
	}
	s.ProviderRef, s.ProviderChangedAt = p.Ref, p.ChangedAt.UTC()
	switch {
	case p.Status == StatusPastDue && was.Status != StatusPastDue:
		t := now
		s.PastDueSince = &t
		c.PastDue = true
	case p.Status != StatusPastDue:
		s.PastDueSince = nil
	}
	switch {
	case (p.Status == StatusActive || p.Status == StatusTrialing) && !wasLive:
		c.Activated = true
	case p.Status == StatusCanceled && was.Status != StatusCanceled && was.Status != "":
		c.Canceled = true
	}
	if was.Plan != "" && (was.Plan != plan || was.Interval != interval) {
		c.PlanChanged, c.From = true, was.Plan
	}
	// The trial's end comes within TrialWarning: announced once per trial
	// end (a snapshot applied again, or the next, says nothing new).
	if inTrialWarning(s.Status, s.TrialEnd, now) &&
		!(inTrialWarning(was.Status, was.TrialEnd, was.UpdatedAt) && equalTime(was.TrialEnd, s.TrialEnd)) {
		c.TrialWillEnd = true
	}
	if !c.Any() && (was.Status != s.Status || !was.CurrentPeriodEnd.Equal(s.CurrentPeriodEnd) ||
		was.CancelAtPeriodEnd != s.CancelAtPeriodEnd || was.Seats != s.Seats || !equalTime(was.TrialEnd, s.TrialEnd)) {
		c.Updated = true
	}
	s.UpdatedAt = now
	return c
}

// inTrialWarning reports whether a subscription in status with a trial
// ending at end is, at at, within TrialWarning of the end.
func inTrialWarning(status Status, end *time.Time, at time.Time) bool {
	return status == StatusTrialing && end != nil && end.Sub(at) <= TrialWarning
}

// Entitled reports whether the subscription grants its plan at now:
// trialing and active do, past_due does for grace after it began, a comp
// until its period ends.
func (s Subscription) Entitled(now time.Time, grace time.Duration) bool {
	switch s.Status {
	case StatusActive, StatusTrialing:
		return s.Provider != ProviderComp || now.Before(s.CurrentPeriodEnd)
	case StatusPastDue:
		return s.PastDueSince != nil && now.Before(s.PastDueSince.Add(grace))
	}
	return false
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func equalTime(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}
