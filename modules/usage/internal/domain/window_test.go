package domain_test

import (
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestWindowBounds(t *testing.T) {
	t.Parallel()
	calendar := time.Time{}
	tests := []struct {
		name        string
		now, anchor string
		w           domain.Window
		start, end  string
	}{
		{"calendar month", "2026-01-15T09:00:00Z", "", domain.Monthly, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"calendar month's last instant", "2026-01-31T23:59:59.999999Z", "", domain.Monthly, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
		{"calendar month's first instant", "2026-02-01T00:00:00Z", "", domain.Monthly, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"December into January", "2026-12-31T12:00:00Z", "", domain.Monthly, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"February in a leap year", "2028-02-29T10:00:00Z", "", domain.Monthly, "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"},
		{"February in a common year", "2026-02-28T23:00:00Z", "", domain.Monthly, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"calendar year", "2026-07-04T00:00:00Z", "", domain.Yearly, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"calendar year's first instant", "2027-01-01T00:00:00Z", "", domain.Yearly, "2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"},
		{"anchored month", "2026-03-20T00:00:00Z", "2026-01-15T09:30:00Z", domain.Monthly, "2026-03-15T09:30:00Z", "2026-04-15T09:30:00Z"},
		{"anchored month, before the anchor's day", "2026-03-10T00:00:00Z", "2026-01-15T09:30:00Z", domain.Monthly, "2026-02-15T09:30:00Z", "2026-03-15T09:30:00Z"},
		{"anchored month, before the anchor's time", "2026-03-15T09:29:59Z", "2026-01-15T09:30:00Z", domain.Monthly, "2026-02-15T09:30:00Z", "2026-03-15T09:30:00Z"},
		{"anchored month, at the anchor's time", "2026-03-15T09:30:00Z", "2026-01-15T09:30:00Z", domain.Monthly, "2026-03-15T09:30:00Z", "2026-04-15T09:30:00Z"},
		{"anchor on the 31st, into February", "2026-02-10T00:00:00Z", "2026-01-31T10:00:00Z", domain.Monthly, "2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z"},
		{"anchor on the 31st, February clamps", "2026-03-05T00:00:00Z", "2026-01-31T10:00:00Z", domain.Monthly, "2026-02-28T10:00:00Z", "2026-03-31T10:00:00Z"},
		{"anchor on the 31st, back on the 31st", "2026-04-01T00:00:00Z", "2026-01-31T10:00:00Z", domain.Monthly, "2026-03-31T10:00:00Z", "2026-04-30T10:00:00Z"},
		{"anchor on the 31st, leap February", "2028-02-15T00:00:00Z", "2026-01-31T10:00:00Z", domain.Monthly, "2028-01-31T10:00:00Z", "2028-02-29T10:00:00Z"},
		{"anchor on the 30th, February", "2026-02-28T11:00:00Z", "2025-11-30T00:00:00Z", domain.Monthly, "2026-02-28T00:00:00Z", "2026-03-30T00:00:00Z"},
		{"anchored year", "2027-05-01T00:00:00Z", "2026-03-10T08:00:00Z", domain.Yearly, "2027-03-10T08:00:00Z", "2028-03-10T08:00:00Z"},
		{"anchored year, before the anchor", "2027-02-01T00:00:00Z", "2026-03-10T08:00:00Z", domain.Yearly, "2026-03-10T08:00:00Z", "2027-03-10T08:00:00Z"},
		{"anchored year on 29 February", "2029-03-01T00:00:00Z", "2028-02-29T00:00:00Z", domain.Yearly, "2029-02-28T00:00:00Z", "2030-02-28T00:00:00Z"},
		{"anchored year on 29 February, leap again", "2032-03-01T00:00:00Z", "2028-02-29T00:00:00Z", domain.Yearly, "2032-02-29T00:00:00Z", "2033-02-28T00:00:00Z"},
		{"anchor after now", "2026-01-10T00:00:00Z", "2026-06-20T00:00:00Z", domain.Monthly, "2025-12-20T00:00:00Z", "2026-01-20T00:00:00Z"},
		{"lifetime", "2026-01-15T09:00:00Z", "2026-01-01T00:00:00Z", domain.Lifetime, "1970-01-01T00:00:00Z", "9999-12-31T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			anchor := calendar
			if tt.anchor != "" {
				anchor = at(tt.anchor)
			}
			start, end := domain.WindowBounds(at(tt.now), anchor, tt.w)
			if !start.Equal(at(tt.start)) || !end.Equal(at(tt.end)) {
				t.Errorf("WindowBounds(%s, %s, %s) = [%s, %s), want [%s, %s)", tt.now, tt.anchor, tt.w,
					start.Format(time.RFC3339Nano), end.Format(time.RFC3339Nano), tt.start, tt.end)
			}
		})
	}
}

// Every window holds now and follows the previous one without a gap,
// whatever the anchor and the day.
func TestWindowBounds_contiguous(t *testing.T) {
	t.Parallel()
	anchors := []time.Time{{}, at("2026-01-31T10:00:00Z"), at("2028-02-29T23:59:59Z"), at("2025-08-30T00:00:00Z")}
	for _, anchor := range anchors {
		for _, w := range []domain.Window{domain.Monthly, domain.Yearly} {
			now := at("2026-01-01T00:00:00Z")
			start, end := domain.WindowBounds(now, anchor, w)
			for range 60 {
				if now.Before(start) || !now.Before(end) {
					t.Fatalf("anchor %s %s: [%s, %s) does not hold %s", anchor, w, start, end, now)
				}
				nextStart, nextEnd := domain.WindowBounds(end, anchor, w)
				if !nextStart.Equal(end) {
					t.Fatalf("anchor %s %s: after [%s, %s) comes [%s, %s)", anchor, w, start, end, nextStart, nextEnd)
				}
				now, start, end = nextStart, nextStart, nextEnd
			}
		}
	}
}

func TestCurrentWindow(t *testing.T) {
	t.Parallel()
	// A monthly subscription begun on 31 January, whose provider ends the
	// first period on 3 March (Go's AddDate, as the sandbox does).
	monthly := domain.Period{Start: at("2026-01-31T10:00:00Z"), End: at("2026-03-03T10:00:00Z"), Interval: domain.Monthly}
	yearly := domain.Period{Start: at("2026-01-31T10:00:00Z"), End: at("2027-01-31T10:00:00Z"), Interval: domain.Yearly}
	tests := []struct {
		name       string
		now        string
		p          domain.Period
		w          domain.Window
		start, end string
	}{
		{"no subscription: calendar", "2026-02-10T00:00:00Z", domain.Period{}, domain.Monthly, "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{"the period itself", "2026-03-02T00:00:00Z", monthly, domain.Monthly, "2026-01-31T10:00:00Z", "2026-03-03T10:00:00Z"},
		{"after the period, not renewed yet", "2026-03-04T00:00:00Z", monthly, domain.Monthly, "2026-02-28T10:00:00Z", "2026-03-31T10:00:00Z"},
		{"monthly meter, yearly subscription", "2026-02-10T00:00:00Z", yearly, domain.Monthly, "2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z"},
		{"monthly meter, yearly subscription, clamped", "2026-03-01T00:00:00Z", yearly, domain.Monthly, "2026-02-28T10:00:00Z", "2026-03-31T10:00:00Z"},
		{"yearly meter, yearly subscription", "2026-12-01T00:00:00Z", yearly, domain.Yearly, "2026-01-31T10:00:00Z", "2027-01-31T10:00:00Z"},
		{"lifetime", "2026-02-10T00:00:00Z", monthly, domain.Lifetime, "1970-01-01T00:00:00Z", "9999-12-31T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start, end := domain.CurrentWindow(at(tt.now), tt.p, tt.w)
			if !start.Equal(at(tt.start)) || !end.Equal(at(tt.end)) {
				t.Errorf("CurrentWindow(%s) = [%s, %s), want [%s, %s)", tt.now, start.Format(time.RFC3339), end.Format(time.RFC3339), tt.start, tt.end)
			}
		})
	}
}
