package application

import (
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// SubscriptionEvent is what every subscription event carries: whose, which
// plan, and the status after the change.
type SubscriptionEvent struct {
	OrganizationID kernel.OrganizationID
	SubscriptionID domain.SubscriptionID
	Plan           string
	Interval       string
	Status         string
	// Provider is the payment provider's name: the audit log's actor.
	Provider string
}

// SubscriptionActivated: the subscription became trialing or active.
type SubscriptionActivated struct{ SubscriptionEvent }

// EventName returns "subscription.activated".
func (SubscriptionActivated) EventName() string { return "subscription.activated" }

// SubscriptionUpdated: its period, seats, cancellation or status changed.
type SubscriptionUpdated struct{ SubscriptionEvent }

// EventName returns "subscription.updated".
func (SubscriptionUpdated) EventName() string { return "subscription.updated" }

// SubscriptionPlanChanged: the plan or interval changed; From was the plan.
type SubscriptionPlanChanged struct {
	SubscriptionEvent
	From string
}

// EventName returns "subscription.plan_changed".
func (SubscriptionPlanChanged) EventName() string { return "subscription.plan_changed" }

// SubscriptionPastDue: a payment failed; the grace period begins.
type SubscriptionPastDue struct{ SubscriptionEvent }

// EventName returns "subscription.past_due".
func (SubscriptionPastDue) EventName() string { return "subscription.past_due" }

// SubscriptionCanceled: the subscription ended; the organization is on
// the free plan.
type SubscriptionCanceled struct{ SubscriptionEvent }

// EventName returns "subscription.canceled".
func (SubscriptionCanceled) EventName() string { return "subscription.canceled" }

// SubscriptionTrialWillEnd: the trial ends at TrialEnd, within three days.
type SubscriptionTrialWillEnd struct {
	SubscriptionEvent
	TrialEnd time.Time
}

// EventName returns "subscription.trial_will_end".
func (SubscriptionTrialWillEnd) EventName() string { return "subscription.trial_will_end" }

// SubscriptionComped: a platform admin (By) gave the organization the plan
// until Until, without a provider.
type SubscriptionComped struct {
	SubscriptionEvent
	By     kernel.UserID
	Until  time.Time
	Reason string
}

// EventName returns "subscription.comped".
func (SubscriptionComped) EventName() string { return "subscription.comped" }
