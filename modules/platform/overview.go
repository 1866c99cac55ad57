package platform

import (
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/platform/internal/application"
)

// OverviewSection is one key of GET /api/v1/platform/overview and how to
// read its value: Key is lower camelCase ASCII ("users",
// "subscriptions") and unique; ReadFunc(ctx, now) returns the value,
// encoded as JSON as it is, and runs outside any transaction, at the same
// time as the other sections' ReadFuncs. A ReadFunc's error fails the
// whole request with that error (a kernel error keeps its status, any
// other is a 500), and the other sections are cancelled. The overview
// must stay fast on a large platform: a section reads with a handful of
// aggregate queries over indexes, never row by row.
type OverviewSection = application.OverviewSection

// OverviewContributor is implemented by a module with a section of the
// overview (iam's users, tenancy's organizations, a product's own): app.New
// adds its sections at boot, after Groundwork's, in module order.
type OverviewContributor interface {
	OverviewSections() []OverviewSection
}

// AddOverview appends sections to the overview, after those already added,
// in order; the JSON holds them in that order after generatedAt. Call it
// at boot: app.New adds users, organizations and jobs, then every
// OverviewContributor's. A section added later is read from the next
// request on.
//
// It panics, adding none of sections, when a key is not lower camelCase
// ASCII, is "generatedAt", or is taken (by a section already added or
// another of sections), or a ReadFunc is nil: two modules claiming one
// key is a wiring mistake that must stop the boot, as a duplicate
// ServeMux pattern does.
func (m *Module) AddOverview(sections ...OverviewSection) {
	if err := m.overview.Add(sections...); err != nil {
		panic("platform: " + err.Error())
	}
}

// OverviewDays is how many UTC dates a per-day series of the overview
// holds: the last 30, today included.
const OverviewDays = 30

// DayCount is one date of a per-day series: a UTC date ("2026-01-15") and
// how many things happened on it.
type DayCount struct {
	Date  string `json:"date"`
	Count int64  `json:"count"`
}

// dateLayout is DayCount.Date's layout, and that of the dates db.DB.UTCDate
// gives.
const dateLayout = time.DateOnly

// DayWindow returns the instants a per-day series as of now covers:
// midnight UTC of its first date (OverviewDays-1 days before now's), and
// midnight UTC after now's date. Count what falls in [from, to).
func DayWindow(now time.Time) (from, to time.Time) {
	y, mo, d := now.UTC().Date()
	to = time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
	return to.AddDate(0, 0, -OverviewDays), to
}

// DaySeries returns the per-day series as of now: each of the OverviewDays
// dates DayWindow covers, oldest first, with its count in days (the rows
// of a GROUP BY, in any order; a date given twice is summed) or zero.
// Dates outside the window are left out.
func DaySeries(now time.Time, days []DayCount) []DayCount {
	counts := make(map[string]int64, len(days))
	for _, d := range days {
		counts[d.Date] += d.Count
	}
	from, _ := DayWindow(now)
	out := make([]DayCount, OverviewDays)
	for i := range out {
		date := from.AddDate(0, 0, i).Format(dateLayout)
		out[i] = DayCount{Date: date, Count: counts[date]}
	}
	return out
}

// ScanDayCount reads a row of a date, as db.DB.UTCDate gives it, and a count,
// for db.QueryAll.
func ScanDayCount(row db.Row) (DayCount, error) {
	var (
		date any
		d    DayCount
	)
	if err := row.Scan(&date, &d.Count); err != nil {
		return DayCount{}, err
	}
	switch v := date.(type) {
	case string:
		d.Date = v
	case []byte:
		d.Date = string(v)
	case time.Time:
		d.Date = v.UTC().Format(dateLayout)
	default:
		return DayCount{}, fmt.Errorf("scan day count: a date of type %T", date)
	}
	return d, nil
}
