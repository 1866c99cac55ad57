// Package billing is one subscription per organization through a payment
// provider — Stripe, Mercado Pago, Polar, or the local sandbox
// (PAYMENT_PROVIDER) — with plans from PLANS_FILE (or the built-in free,
// pro and business).
//
// Webhooks are hints, never the truth: POST /webhooks/{provider} verifies
// the delivery as the provider signs it, records the event in a ledger
// unique by (provider, event ID) in the same transaction as the job that
// processes it, and answers at once. The job fetches the subscription from
// the provider and applies it unless it is older than what is stored; a
// duplicate or replayed delivery changes nothing. A periodic job repairs
// drift.
//
// Products gate on a plan with RequireActiveSubscription (middleware),
// SubscriptionGate (huma) or CheckSubscription (Go): 402
// billing.subscription_required with the plans that would allow it. Usage
// and products read ActiveSubscription; no module reads billing's tables.
//
// Events out: subscription.activated, updated, plan_changed, past_due,
// canceled and trial_will_end, in the change's transaction.
package billing
