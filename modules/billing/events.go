package billing

import "github.com/groundworkhq/groundwork/modules/billing/internal/application"

// The events billing publishes, in the transaction of the change they
// describe. Provider names the payment provider: the audit log's actor.
type (
	// SubscriptionEvent is what every subscription event carries.
	SubscriptionEvent = application.SubscriptionEvent
	// SubscriptionActivated ("subscription.activated"): trialing or active.
	SubscriptionActivated = application.SubscriptionActivated
	// SubscriptionUpdated ("subscription.updated"): period, seats,
	// cancellation or status changed.
	SubscriptionUpdated = application.SubscriptionUpdated
	// SubscriptionPlanChanged ("subscription.plan_changed"): From was the plan.
	SubscriptionPlanChanged = application.SubscriptionPlanChanged
	// SubscriptionPastDue ("subscription.past_due"): a payment failed.
	SubscriptionPastDue = application.SubscriptionPastDue
	// SubscriptionCanceled ("subscription.canceled"): back on the free plan.
	SubscriptionCanceled = application.SubscriptionCanceled
	// SubscriptionTrialWillEnd ("subscription.trial_will_end"): within three
	// days.
	SubscriptionTrialWillEnd = application.SubscriptionTrialWillEnd
	// SubscriptionComped ("subscription.comped"): a platform admin gave the
	// plan until Until without a provider.
	SubscriptionComped = application.SubscriptionComped
)
