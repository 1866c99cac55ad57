package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/modules/platform"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/infrastructure/sqlstore"
)

// OrganizationsOverview is tenancy's section of the platform overview
// ("organizations").
type OrganizationsOverview struct {
	// Total counts every organization.
	Total int64 `json:"total"`
	// CreatedPerDay counts the organizations created on each of the
	// overview's 30 UTC dates, today included, oldest first.
	CreatedPerDay []platform.DayCount `json:"createdPerDay"`
}

// OrganizationsOverview counts organizations as of now: every one, and
// those created per UTC date over the overview's 30 days. It reads outside
// any transaction, with two aggregate queries whatever the number of
// organizations.
func (m *Module) OrganizationsOverview(ctx context.Context, now time.Time) (OrganizationsOverview, error) {
	stats := sqlstore.NewOrganizationStats(m.deps.DB)
	total, err := stats.Count(ctx)
	if err != nil {
		return OrganizationsOverview{}, fmt.Errorf("tenancy: organizations overview: %w", err)
	}
	days, err := stats.CreatedPerDay(ctx, now)
	if err != nil {
		return OrganizationsOverview{}, fmt.Errorf("tenancy: organizations overview: %w", err)
	}
	return OrganizationsOverview{Total: total, CreatedPerDay: days}, nil
}

// OverviewSections returns tenancy's section of the platform overview:
// "organizations", OrganizationsOverview.
func (m *Module) OverviewSections() []platform.OverviewSection {
	return []platform.OverviewSection{{
		Key:      "organizations",
		ReadFunc: func(ctx context.Context, now time.Time) (any, error) { return m.OrganizationsOverview(ctx, now) },
	}}
}
