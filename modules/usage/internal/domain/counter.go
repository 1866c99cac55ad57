package domain

import (
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// Unlimited is the cap of a meter a plan does not limit, and the
// remaining amount under it.
const Unlimited int64 = -1

// Counter is what an organization used of one meter in its current
// window, as stored.
type Counter struct {
	OrganizationID kernel.OrganizationID
	Meter          string
	Used           int64
	// Cap is the plan's cap at the last increment (Unlimited: none): what
	// the history records for the window.
	Cap                    int64
	WindowStart, WindowEnd time.Time
	// Notified is the highest threshold (80 or 100 percent) published in
	// this window, 0 for none.
	Notified int
	// Previous is a window an increment rolled past before the rollover
	// job recorded it; nil when there is none.
	Previous  *Closed
	UpdatedAt time.Time
}

// Closed is one window of a counter that is over: what the history holds.
type Closed struct {
	WindowStart, WindowEnd time.Time
	Used, Cap              int64
}

// Ended reports whether c's window is over at now.
func (c Counter) Ended(now time.Time) bool { return !now.Before(c.WindowEnd) }

// UsedAt is what c counts at now: nothing once its window is over.
func (c Counter) UsedAt(now time.Time) int64 {
	if c.Ended(now) {
		return 0
	}
	return c.Used
}

// Closed returns the windows of c to record at now, oldest first: the one
// an increment rolled past (Previous), and the current one when it is over.
func (c Counter) Closed(now time.Time) []Closed {
	var out []Closed
	if c.Previous != nil {
		out = append(out, *c.Previous)
	}
	if c.Ended(now) {
		out = append(out, Closed{WindowStart: c.WindowStart, WindowEnd: c.WindowEnd, Used: c.Used, Cap: c.Cap})
	}
	return out
}

// Next returns c once recorded at now: without Previous and, when its
// window is over, at zero in the window [start, end) that holds now —
// starting no earlier than the ended window's end, so that windows never
// overlap when the billing period moved.
func (c Counter) Next(now, start, end time.Time) Counter {
	c.Previous = nil
	if !c.Ended(now) {
		return c
	}
	if start.Before(c.WindowEnd) {
		start = c.WindowEnd
	}
	c.Used, c.Notified, c.WindowStart, c.WindowEnd, c.UpdatedAt = 0, 0, start, end, now
	return c
}

// Remaining is what limit, a cap, leaves of used: Unlimited for no cap,
// never below zero.
func Remaining(used, limit int64) int64 {
	if limit < 0 {
		return Unlimited
	}
	return max(limit-used, 0)
}

// The thresholds a counter crosses, in percent of its cap.
const (
	ThresholdWarning = 80
	ThresholdReached = 100
)

// Threshold returns the highest threshold used has reached under limit, a
// cap: 100 at or over it, 80 from 80% of it (rounded up: 3 of 4, 40 of
// 50), 0 below, and for a cap of 0 or none, which have no thresholds.
func Threshold(used, limit int64) int {
	switch {
	case limit <= 0:
		return 0
	case used >= limit:
		return ThresholdReached
	case used >= limit-limit/5: // ceil(0.8 × limit), without overflow
		return ThresholdWarning
	}
	return 0
}

// CodeQuotaExceeded is the problem code of QuotaExceeded.
const CodeQuotaExceeded = "usage.quota_exceeded"

// QuotaExceeded is the refusal of an increment that would pass the plan's
// cap: Limit is the cap (0 when the plan does not include the meter), Used
// what the window counts, ResetsAt when it starts again (zero for a
// lifetime meter, which never does).
//
// It is a typed error for Go callers (errors.As(err, &qe)) and it unwraps
// to its problem, a kernel PaymentRequired error with the code
// usage.quota_exceeded and the members meter, limit, used and resetsAt,
// so the edge answers it as a 402 like any kernel error, and
// errors.Is(err, ErrQuotaExceeded) holds.
type QuotaExceeded struct {
	Meter       string
	Limit, Used int64
	ResetsAt    time.Time
}

// ErrQuotaExceeded matches every QuotaExceeded with errors.Is.
var ErrQuotaExceeded = kernel.PaymentRequired(CodeQuotaExceeded, "The plan's quota is used up.")

// Error says which quota is used up.
func (e *QuotaExceeded) Error() string { return e.Problem().Error() }

// Unwrap returns the problem, for errors.As(err, **kernel.Error) and the
// HTTP edge.
func (e *QuotaExceeded) Unwrap() error { return e.Problem() }

// Problem returns the kernel error e is answered with: 402
// usage.quota_exceeded with meter, limit, used and resetsAt (null for a
// lifetime meter).
func (e *QuotaExceeded) Problem() *kernel.Error {
	detail := fmt.Sprintf("The plan's quota of %d %s is used up.", e.Limit, e.Meter)
	if e.Limit == 0 {
		detail = fmt.Sprintf("The plan does not include %s.", e.Meter)
	}
	var resets *time.Time
	if !e.ResetsAt.IsZero() {
		r := e.ResetsAt.UTC()
		resets = &r
		if e.Limit > 0 {
			detail = fmt.Sprintf("The plan's quota of %d %s is used up until %s.", e.Limit, e.Meter, r.Format(time.RFC3339))
		}
	}
	return kernel.PaymentRequired(CodeQuotaExceeded, detail).
		WithExtra("meter", e.Meter).WithExtra("limit", e.Limit).WithExtra("used", e.Used).WithExtra("resetsAt", resets)
}
