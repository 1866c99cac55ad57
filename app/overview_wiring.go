package app

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/modules/platform"
)

// wireOverview gives the platform overview its sections, in the order its
// JSON shows them: iam's users, tenancy's organizations, the job queue's
// jobs, then every other module's that contributes some
// (platform.OverviewContributor), in module order — a product's included.
// A key two modules claim panics here, at boot (platform.AddOverview).
func wireOverview(a *App) {
	p, b := a.builtins.platform, a.builtins
	p.AddOverview(b.iam.OverviewSections()...)
	p.AddOverview(b.tenancy.OverviewSections()...)
	p.AddOverview(platform.OverviewSection{
		Key:      "jobs",
		ReadFunc: func(ctx context.Context, _ time.Time) (any, error) { return a.jobs.Overview(ctx) },
	})
	for _, m := range a.modules {
		if m == Module(b.iam) || m == Module(b.tenancy) {
			continue // added first, above
		}
		if c, ok := m.(platform.OverviewContributor); ok {
			p.AddOverview(c.OverviewSections()...)
		}
	}
}
