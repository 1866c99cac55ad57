package iam

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/modules/platform"
)

// UsersOverview is iam's section of the platform overview ("users").
type UsersOverview struct {
	// Total counts every user, active or not.
	Total int64 `json:"total"`
	// Verified counts the users whose email is verified.
	Verified int64 `json:"verified"`
	// SignedIn7d and SignedIn30d count the users whose last sign-in is
	// within 7 and 30 times 24 hours of the overview's time.
	SignedIn7d  int64 `json:"signedIn7d"`
	SignedIn30d int64 `json:"signedIn30d"`
	// SignUpsPerDay counts the users created on each of the overview's 30
	// UTC dates, today included, oldest first.
	SignUpsPerDay []platform.DayCount `json:"signUpsPerDay"`
}

// UsersOverview counts users as of now: every one, the verified, those
// who signed in within 7 and 30 days, and sign-ups per UTC date over the
// overview's 30 days. It reads outside any transaction, with a few
// aggregate queries whatever the number of users.
func (m *Module) UsersOverview(ctx context.Context, now time.Time) (UsersOverview, error) {
	c, err := m.store.Users.OverviewCounts(ctx, now.Add(-7*24*time.Hour), now.Add(-30*24*time.Hour))
	if err != nil {
		return UsersOverview{}, fmt.Errorf("iam: users overview: %w", err)
	}
	days, err := m.store.Users.SignUpsPerDay(ctx, now)
	if err != nil {
		return UsersOverview{}, fmt.Errorf("iam: users overview: %w", err)
	}
	return UsersOverview{
		Total: c.Total, Verified: c.Verified, SignedIn7d: c.SignedInWeek, SignedIn30d: c.SignedInMonth,
		SignUpsPerDay: days,
	}, nil
}

// OverviewSections returns iam's section of the platform overview:
// "users", UsersOverview.
func (m *Module) OverviewSections() []platform.OverviewSection {
	return []platform.OverviewSection{{
		Key:      "users",
		ReadFunc: func(ctx context.Context, now time.Time) (any, error) { return m.UsersOverview(ctx, now) },
	}}
}
