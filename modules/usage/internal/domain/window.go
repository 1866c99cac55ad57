package domain

import "time"

// The bounds of the lifetime window: it began at the Unix epoch and ends
// at the last day both databases keep comfortably, so it never ends.
var (
	LifetimeStart = time.Unix(0, 0).UTC()
	FarFuture     = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// WindowBounds returns the window of kind w that holds now: [start, end),
// start <= now < end. Monthly and yearly windows begin on anchor's day of
// the month (and, yearly, its month) at anchor's time of day, in UTC; in a
// month too short for the anchor's day they begin on its last day
// instead, and the next one returns to the anchor's day (an anchor on the
// 31st gives Jan 31, Feb 28, Mar 31, …). The zero anchor is midnight on
// 1 January, so it gives calendar months and years. Lifetime is
// [LifetimeStart, FarFuture) whatever the anchor.
func WindowBounds(now, anchor time.Time, w Window) (start, end time.Time) {
	step := 1
	switch w {
	case Monthly:
	case Yearly:
		step = 12
	default:
		return LifetimeStart, FarFuture
	}
	now, anchor = now.UTC(), anchor.UTC()
	months := (now.Year()-anchor.Year())*12 + int(now.Month()) - int(anchor.Month())
	k := floorDiv(months, step) * step
	start = occurrence(anchor, k)
	for start.After(now) {
		k -= step
		start = occurrence(anchor, k)
	}
	end = occurrence(anchor, k+step)
	for !end.After(now) {
		k += step
		start, end = end, occurrence(anchor, k+step)
	}
	return start, end
}

// occurrence is the anchor moved months months on, its day clamped to the
// length of the month it lands in.
func occurrence(anchor time.Time, months int) time.Time {
	m := int(anchor.Month()) - 1 + months
	y := anchor.Year() + floorDiv(m, 12)
	month := time.Month(m - floorDiv(m, 12)*12 + 1)
	day := min(anchor.Day(), daysIn(y, month))
	return time.Date(y, month, day, anchor.Hour(), anchor.Minute(), anchor.Second(), anchor.Nanosecond(), time.UTC)
}

// daysIn returns the number of days of month in year y.
func daysIn(y int, month time.Month) int {
	return time.Date(y, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Period is an organization's billing period as billing reports it: the
// current period [Start, End) of a subscription charged every Interval
// (Monthly or Yearly). The zero Period is no subscription.
type Period struct {
	Start, End time.Time
	Interval   Window
}

// IsZero reports whether p is no billing period.
func (p Period) IsZero() bool { return p.Start.IsZero() || p.End.IsZero() }

// CurrentWindow returns the window of kind w that holds now for an
// organization billed in period p. Without a period, calendar months and
// years (UTC). With one, a window of the period's own interval is the
// period itself while now is in it — the provider's dates, whatever
// clamping it applied — and otherwise, as for a window of another
// interval, WindowBounds anchored on the period's start.
func CurrentWindow(now time.Time, p Period, w Window) (start, end time.Time) {
	switch {
	case w == Lifetime:
		return LifetimeStart, FarFuture
	case p.IsZero():
		return WindowBounds(now, time.Time{}, w)
	case w == p.Interval && !now.Before(p.Start) && now.Before(p.End):
		return p.Start.UTC(), p.End.UTC()
	}
	return WindowBounds(now, p.Start, w)
}
