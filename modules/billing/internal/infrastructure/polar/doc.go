// Package polar is the Polar (polar.sh) adapter of billing's PaymentProvider
// port, written by hand over Polar's REST API with net/http and
// encoding/json: Polar's Go SDK is pre-1.0 and not served by the module
// proxy.
//
// What it calls, all with "Authorization: Bearer POLAR_ACCESS_TOKEN" (an
// organization access token):
//
//   - POST /v1/customers/ {email, name, external_id, metadata}: the
//     organization's customer; external_id is the organization ID.
//   - POST /v1/checkouts/ {products, customer_id | external_customer_id,
//     success_url, return_url, seats, trial_interval, trial_interval_count,
//     metadata}: a hosted checkout; its "url" is where the buyer goes.
//   - POST /v1/customer-sessions/ {customer_id, return_url}: the customer
//     portal, whose "customer_portal_url" is returned.
//   - GET /v1/subscriptions/{id}: the authoritative subscription.
//   - PATCH /v1/subscriptions/{id} with one of Polar's SubscriptionUpdate
//     shapes: {cancel_at_period_end}, {product_id, proration_behavior} or
//     {seats, proration_behavior}.
//   - DELETE /v1/subscriptions/{id}: revoke, i.e. cancel now.
//   - GET /v1/subscriptions/?limit=1 at start-up (Check).
//
// Errors: transport failures, timeouts, 5xx and 429 are
// domain.ErrProviderUnavailable wrapping the cause; 404 on a subscription is
// domain.ErrUnknownSubscription; 409 (Polar's SubscriptionLocked, "pending an
// update") is a kernel Conflict; other 4xx (422 validation, 402 payment
// failed, 403 already canceled, 400) are kernel.Invalid with code
// "billing.provider_refused" and Polar's own detail. A 401 means the token is
// wrong, which the caller cannot fix: it is ErrProviderUnavailable with a
// cause naming POLAR_ACCESS_TOKEN.
//
// Webhooks follow Standard Webhooks (webhook-id, webhook-timestamp,
// webhook-signature; v1 HMAC-SHA256 of "id.timestamp.body"). Polar signs
// endpoints created before 2026-09-08 with the secret's raw UTF-8 bytes as
// the HMAC key, and endpoints created since with the standard key (the
// base64 after "whsec_"). Each configured secret is therefore tried raw and,
// when it has the standard form, decoded, as Polar's own SDKs do. The
// signature is checked with the standard-webhooks library; the timestamp is
// checked here against the caller's now, since the library reads the wall
// clock.
package polar
