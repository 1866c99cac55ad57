// Package usage meters what organizations use and enforces their plans'
// quotas: meters registered at boot, one counter per organization and
// meter, and QuotaExceeded (402 usage.quota_exceeded) when an increment
// would pass the plan's cap.
//
// Meters. A product registers its meters with Register between app.New
// and App.Start (a.Usage().Register(usage.Meter{Key: "tickets_created",
// Unit: "tickets", Window: usage.Monthly})); registering after the start,
// or a key twice, is an error. Plans cap meters by key in PLANS_FILE (-1
// unlimited); a meter a plan does not name is not available on it (a cap
// of 0). At Start, with enforcement on and the catalog's caps given
// (Deps.PlanCapsFunc), a cap on a meter no one registered stops start-up.
//
// Enforcement. CheckAndIncrement runs in the caller's transaction as one
// conditional statement: an upsert of the counter that counts n only if
// the window's count stays within the cap, rolling an ended window in the
// same statement; concurrent increments never pass the cap together, and
// a rolled-back caller counts nothing. The cap is read from billing on
// every call (the ActiveSubscription port), so a plan change takes effect
// at once and keeps what was used. CheckAndIncrementOnce counts once per
// idempotency key; Check reads; Refund takes back, never below zero, in
// the current window only. With USAGE_METERING_ENABLED=false (the
// default), increments allow everything and write nothing.
//
// Windows. Lifetime never resets. Monthly and yearly windows follow the
// organization's billing period when it has a subscription and follow
// calendar months and years in UTC otherwise; an anchor on the 31st falls
// on a shorter month's last day (domain.WindowBounds). The
// usage-period-rollover job (hourly) records each ended window in the
// history, once, and starts its counter again at zero.
//
// HTTP: GET /api/usage and GET /api/usage/{meter}/history for holders of
// usage:read in the active organization.
//
// Events in: none. Events out: usage.threshold_reached, at 80% and at 100%
// of a cap, once per window, in the increment's transaction. Ports
// required: Subscriptions (billing's ActiveSubscription), and optionally
// PlanCapsFunc. Ports provided: the Go API (api.go) and the usage:read
// permission.
package usage
