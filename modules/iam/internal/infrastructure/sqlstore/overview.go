package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/platform"
)

// UserCounts are the platform overview's counts of users.
type UserCounts struct {
	Total    int64
	Verified int64
	// SignedInWeek and SignedInMonth count the users whose last sign-in is
	// at or after the week's and the month's cutoff.
	SignedInWeek  int64
	SignedInMonth int64
}

// OverviewCounts counts every user, the verified ones, and those signed in
// since week and since month, outside any transaction: one statement whose
// counts each read an index (email_verified, last_login_at) or, for the
// total, the smallest one, never the table.
func (r *Users) OverviewCounts(ctx context.Context, week, month time.Time) (UserCounts, error) {
	var c UserCounts
	err := r.db.Q(ctx).QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM users),
		(SELECT COUNT(*) FROM users WHERE email_verified = TRUE),
		(SELECT COUNT(*) FROM users WHERE last_login_at >= $1),
		(SELECT COUNT(*) FROM users WHERE last_login_at >= $2)`, week, month).
		Scan(&c.Total, &c.Verified, &c.SignedInWeek, &c.SignedInMonth)
	if err != nil {
		return UserCounts{}, fmt.Errorf("count users: %w", err)
	}
	return c, nil
}

// SignUpsPerDay returns the users created on each date of the overview's
// series as of now (platform.DaySeries): one GROUP BY over a range of the
// created_at index.
func (r *Users) SignUpsPerDay(ctx context.Context, now time.Time) ([]platform.DayCount, error) {
	from, to := platform.DayWindow(now)
	days, err := db.QueryAll(ctx, r.db.Q(ctx), platform.ScanDayCount, "count sign-ups per day",
		`SELECT `+r.db.UTCDate("created_at")+`, COUNT(*)
		FROM users WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`, from, to)
	if err != nil {
		return nil, err
	}
	return platform.DaySeries(now, days), nil
}
