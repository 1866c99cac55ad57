package usage

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/application"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

// Meter is what a product counts: Key names it in plans' caps
// ("tickets_created": lower snake case, 1 to 64 characters), Description
// and Unit ("tickets") are shown to users, Window says when the count
// starts again.
type Meter = domain.Meter

// Window is how long a meter counts before it starts again from zero:
// Lifetime, Monthly or Yearly.
type Window = domain.Window

// The windows. Monthly and yearly windows follow the organization's
// billing period when it has a subscription — the period itself for a
// meter of the subscription's interval, else windows anchored on the
// period's start, an anchor on the 31st falling on a shorter month's last
// day — and calendar months and years (UTC) without one.
var (
	Lifetime = domain.Lifetime
	Monthly  = domain.Monthly
	Yearly   = domain.Yearly
)

// ParseWindow returns the window named "lifetime", "monthly" or "yearly".
func ParseWindow(s string) (Window, error) { return domain.ParseWindow(s) }

// Unlimited is the cap of a meter a plan does not limit (-1 in
// PLANS_FILE), and what CheckAndIncrement returns as remaining under it.
const Unlimited = domain.Unlimited

// The thresholds ThresholdReached reports, in percent of a cap.
const (
	WarningPercent = domain.ThresholdWarning
	ReachedPercent = domain.ThresholdReached
)

// QuotaExceeded is CheckAndIncrement's refusal of an increment that would
// pass the plan's cap: Meter, Limit (the cap; 0 when the plan does not
// include the meter), Used (what the window counts) and ResetsAt (zero for
// a lifetime meter). errors.As finds it however the caller wraps it; it
// unwraps to a kernel PaymentRequired error, so a handler that returns it
// answers 402 usage.quota_exceeded with the members meter, limit, used and
// resetsAt.
type QuotaExceeded = domain.QuotaExceeded

// The problem codes of usage's errors.
const (
	CodeQuotaExceeded = domain.CodeQuotaExceeded
	CodeUnknownMeter  = domain.CodeUnknownMeter
	// CodeInvalidOverride refuses an admin's bad cap or reason.
	CodeInvalidOverride = domain.CodeInvalidOverride
)

// ErrQuotaExceeded matches every QuotaExceeded with errors.Is.
var ErrQuotaExceeded = domain.ErrQuotaExceeded

// ErrUnknownMeter is the error of a meter no one registered (404
// usage.unknown_meter); errors.Is matches it whatever meter it names.
var ErrUnknownMeter = domain.ErrUnknownMeter

// Status is where an organization stands on one meter: Used in the
// current window, the Limit in force (Unlimited, or 0 when the plan does
// not include the meter) — the Override's when a platform admin set one,
// else PlanLimit — Remaining, the window's start and ResetsAt (zero for a
// lifetime meter), and whether the limit is Enforced.
type Status = application.Status

// Override is a platform admin's cap of one organization's meter, in place
// of its plan's, with the reason they gave.
type Override = domain.Override

// HistoryWindow is a closed window: its bounds, what it counted (Used)
// and the plan's cap at its last increment (Cap).
type HistoryWindow = domain.Closed

// RolloverResult says what Rollover did.
type RolloverResult = application.RolloverResult

// Register adds a meter. Products register theirs between app.New and
// App.Start, through App.Usage: a meter's key is what plans cap in
// PLANS_FILE. It returns kernel Invalid usage.invalid_meter for a bad
// meter, Conflict usage.duplicate_meter for a key already registered, and
// Conflict usage.registration_closed once the application has started.
func (m *Module) Register(meter Meter) error { return m.svc.Meters().Register(meter) }

// Meters returns the registered meters, in the order they were
// registered.
func (m *Module) Meters() []Meter { return m.svc.Meters().All() }

// Meter returns the registered meter key; ErrUnknownMeter when there is
// none.
func (m *Module) Meter(key string) (Meter, error) { return m.svc.Meters().Meter(key) }

// Enabled reports whether quotas are enforced (USAGE_METERING_ENABLED).
func (m *Module) Enabled() bool { return m.svc.Enabled() }

// CheckAndIncrement counts n of meter for org if the plan allows it, in
// the transaction ctx carries — call it in the unit of work of what it
// counts, so a rollback counts nothing — or in one of its own. It is one
// conditional statement: concurrent callers never pass the cap together.
// The cap is read from billing on every call, so a plan change takes
// effect at once and keeps what was used. It returns what the cap leaves
// after (Unlimited for an unlimited meter, and always when enforcement is
// off, when nothing is written). Errors: kernel Invalid
// usage.invalid_amount for n <= 0; usage.unknown_meter (ErrUnknownMeter)
// for a meter no one registered; *QuotaExceeded when n more would pass
// the cap (a meter the plan does not name has a cap of 0); a threshold
// listener's or the database's error. On any error the caller's
// transaction must roll back.
func (m *Module) CheckAndIncrement(ctx context.Context, org kernel.OrganizationID, meter string, n int64) (remaining int64, err error) {
	return m.svc.CheckAndIncrement(ctx, org, meter, n)
}

// CheckAndIncrementOnce is CheckAndIncrement counted once per idempotency
// key (1 to 200 bytes) of the organization's meter, for requests a client
// may retry: the key is recorded in the same transaction, and a key
// already recorded counts nothing and returns what the cap leaves now. A
// refused increment records no key. Keys are remembered for 30 days.
// Errors as CheckAndIncrement's, and kernel Invalid
// usage.invalid_idempotency_key for a bad key.
func (m *Module) CheckAndIncrementOnce(ctx context.Context, org kernel.OrganizationID, meter string, n int64, key string) (remaining int64, err error) {
	return m.svc.CheckAndIncrementOnce(ctx, org, meter, n, key)
}

// Check returns where org stands on meter, reading only. Errors:
// usage.unknown_meter, or billing's or the database's.
func (m *Module) Check(ctx context.Context, org kernel.OrganizationID, meter string) (Status, error) {
	return m.svc.Check(ctx, org, meter)
}

// Usage returns where org stands on every registered meter, in the order
// they were registered.
func (m *Module) Usage(ctx context.Context, org kernel.OrganizationID) ([]Status, error) {
	return m.svc.List(ctx, org)
}

// Refund takes n of meter back from org's current window — for work
// counted and then not done — never below zero; an ended window is not
// changed, nor anything with enforcement off. It runs in the transaction
// ctx carries, or alone. Errors: kernel Invalid for n <= 0,
// usage.unknown_meter, or the database's.
func (m *Module) Refund(ctx context.Context, org kernel.OrganizationID, meter string, n int64) error {
	return m.svc.Refund(ctx, org, meter, n)
}

// History returns org's closed windows of meter that overlap [from, to)
// (a zero bound is open), newest first, at most limit (100 for 0, never
// more than 1000). Errors: kernel Invalid usage.invalid_range when from is
// after to, usage.unknown_meter, or the database's.
func (m *Module) History(ctx context.Context, org kernel.OrganizationID, meter string, from, to time.Time, limit int) ([]HistoryWindow, error) {
	return m.svc.History(ctx, org, meter, from, to, limit)
}

// Rollover records every window that is over in the history, once each,
// and starts the ended counters again at zero in the window that holds
// now: the usage-period-rollover job's work, for tests and operators.
// Running it twice records nothing twice.
func (m *Module) Rollover(ctx context.Context) (RolloverResult, error) { return m.svc.Rollover(ctx) }

// SetOverride makes limit (Unlimited, or 0 and up) the cap of org's meter
// in place of its plan's, from the next increment on, for reason (5 to 500
// characters), as platform admin by: OverrideSet is published in the same
// transaction. It returns the meter's status. Errors: kernel Invalid
// usage.invalid_override, usage.unknown_meter,
// usage.organization_not_found, or the database's.
func (m *Module) SetOverride(ctx context.Context, org kernel.OrganizationID, meter string, limit int64, reason string, by kernel.UserID) (Status, error) {
	return m.svc.SetOverride(ctx, org, meter, limit, reason, by)
}

// ClearOverride removes org's override of meter, as platform admin by:
// the plan's cap applies again; OverrideCleared is published. Errors:
// usage.override_not_found, usage.unknown_meter,
// usage.organization_not_found, or the database's.
func (m *Module) ClearOverride(ctx context.Context, org kernel.OrganizationID, meter string, by kernel.UserID) error {
	return m.svc.ClearOverride(ctx, org, meter, by)
}

// ResetCounter sets what org's current window of meter counts back to
// zero, for reason, as platform admin by, and re-arms its thresholds;
// CounterReset is published when there was something to reset. Errors as
// SetOverride's.
func (m *Module) ResetCounter(ctx context.Context, org kernel.OrganizationID, meter, reason string, by kernel.UserID) (Status, error) {
	return m.svc.ResetCounter(ctx, org, meter, reason, by)
}
