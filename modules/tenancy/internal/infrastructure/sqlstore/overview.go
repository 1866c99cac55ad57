package sqlstore

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/platform"
)

// OrganizationStats reads the platform overview's counts of organizations,
// outside any transaction, with aggregate queries only.
type OrganizationStats struct{ db *db.DB }

// NewOrganizationStats returns the reader over d. It does no I/O.
func NewOrganizationStats(d *db.DB) *OrganizationStats { return &OrganizationStats{db: d} }

// Count returns how many organizations exist.
func (s *OrganizationStats) Count(ctx context.Context) (int64, error) {
	return db.QueryOne(ctx, s.db.Q(ctx), db.ScanValue[int64], nil, "count organizations",
		`SELECT COUNT(*) FROM organizations`)
}

// CreatedPerDay returns the organizations created on each date of the
// overview's series as of now (platform.DaySeries): one GROUP BY over a
// range of the created_at index.
func (s *OrganizationStats) CreatedPerDay(ctx context.Context, now time.Time) ([]platform.DayCount, error) {
	from, to := platform.DayWindow(now)
	days, err := db.QueryAll(ctx, s.db.Q(ctx), platform.ScanDayCount, "count organizations created per day",
		`SELECT `+s.db.UTCDate("created_at")+`, COUNT(*)
		FROM organizations WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`, from, to)
	if err != nil {
		return nil, err
	}
	return platform.DaySeries(now, days), nil
}
