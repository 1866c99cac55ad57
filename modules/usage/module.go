package usage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/platform"
	"github.com/groundworkhq/groundwork/modules/usage/internal/application"
	"github.com/groundworkhq/groundwork/modules/usage/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/usage/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/web"
)

// Deps are what the module is built with: the shared services (Bus
// required), whether quotas are enforced, and the billing and tenancy
// ports.
type Deps struct {
	module.Services
	// Enabled turns quota enforcement on (USAGE_METERING_ENABLED, default
	// false). Off, CheckAndIncrement allows everything and writes nothing.
	Enabled bool
	// Subscriptions reads an organization's plan caps and billing period
	// (billing's ActiveSubscription; required).
	Subscriptions Subscriptions
	// Organizations answers whether an organization exists, and its
	// name, for platform administration (tenancy; required).
	Organizations Organizations
	// PlanCapsFunc lists every plan's caps (plan → meter → cap) for the
	// check at Start that each names a registered meter. nil skips the
	// check.
	PlanCapsFunc func() map[string]map[string]int64
}

// Subscriptions is the port usage reads plans through: an organization's
// plan in force, its caps and its billing period.
type Subscriptions = application.Subscriptions

// Organizations is the port usage looks organizations up through.
type Organizations = application.Organizations

// Subscription is what Subscriptions answers: billing's
// ActiveSubscription, as usage needs it.
type Subscription = application.Subscription

// Module is the usage bounded context: meters, counters and quotas.
type Module struct {
	deps Deps
	svc  *application.Service
	http *httpapi.Handler
}

// New builds the module with no meter registered. It does no I/O. It
// returns an error when DB, Bus or Subscriptions is missing.
func New(d Deps) (*Module, error) {
	var err error
	if d.Services, err = d.Services.Ready("usage"); err != nil {
		return nil, err
	}
	switch {
	case d.Bus == nil:
		return nil, errors.New("usage: no event bus")
	case d.Subscriptions == nil:
		return nil, errors.New("usage: no Subscriptions port")
	case d.Organizations == nil:
		return nil, errors.New("usage: no Organizations port")
	}
	m := &Module{deps: d}
	m.svc = application.NewService(application.Deps{
		UoW: d.DB, Store: sqlstore.New(d.DB), Subscriptions: d.Subscriptions, Organizations: d.Organizations, Events: d.Bus,
		Clock: d.Clock, Logger: d.Logger, Enabled: d.Enabled,
	})
	m.http = httpapi.New(m.svc)
	return m, nil
}

// Name returns "usage".
func (m *Module) Name() string { return "usage" }

// Migrations returns usage's tables for both dialects.
func (m *Module) Migrations() db.Migrations { return sqlstore.Migrations() }

// Routes mounts GET /api/usage and GET /api/usage/{meter}/history.
func (m *Module) Routes(r *web.Router) { m.http.Register(r) }

// PermRead lets a role see the organization's usage; owners and admins
// hold it.
const PermRead = httpapi.PermRead

// Permissions declares usage:read.
func (m *Module) Permissions() []kernel.Permission {
	return []kernel.Permission{{Name: PermRead, Description: "See the organization's usage of each meter and its history."}}
}

// Start closes the registry of meters — Register fails from now on — and,
// with enforcement on and PlanCapsFunc set, checks that every cap of
// every plan names a registered meter: a cap on a meter nobody counts is
// a mistake in PLANS_FILE or a meter a product forgot to register, and
// stops start-up. With enforcement off nothing is enforced, so nothing is
// checked.
func (m *Module) Start(context.Context) error {
	m.svc.Meters().Close()
	if !m.deps.Enabled || m.deps.PlanCapsFunc == nil {
		return nil
	}
	if err := m.svc.Meters().CheckPlans(m.deps.PlanCapsFunc()); err != nil {
		return fmt.Errorf("usage: %w", err)
	}
	return nil
}

// Stop does nothing.
func (m *Module) Stop(context.Context) error { return nil }

// RolloverInterval is how often the rollover job runs.
const RolloverInterval = time.Hour

// rolloverArgs names the periodic rollover.
type rolloverArgs struct{}

// Kind returns "usage-period-rollover".
func (rolloverArgs) Kind() string { return "usage-period-rollover" }

// Workers registers the rollover (usage-period-rollover, a River periodic
// job, hourly): it records ended windows in the history and starts their
// counters again. Increments roll an ended window themselves, so a late
// run delays only the history.
func (m *Module) Workers(reg *jobs.Registry) {
	jobs.Every[rolloverArgs](reg, RolloverInterval, false, func(ctx context.Context) error {
		res, err := m.Rollover(ctx)
		if err != nil {
			return err
		}
		m.deps.Logger.InfoContext(ctx, "usage rolled over", "windows", res.Recorded, "counters", res.Counters, "keys", res.Keys)
		return nil
	})
}

// AdminRoutes mounts /api/v1/platform/usage: an organization's meters,
// setting and clearing its override of a meter's cap, and resetting a
// meter's count, each recorded in the audit log.
func (m *Module) AdminRoutes(a *web.Admin) { m.http.RegisterAdmin(a) }

// OverviewSections adds "usage" to the platform overview: how many
// counters are at 80% and 100% of their caps, and the closest to them.
func (m *Module) OverviewSections() []platform.OverviewSection {
	return []platform.OverviewSection{{Key: "usage", ReadFunc: func(ctx context.Context, _ time.Time) (any, error) {
		return m.svc.Overview(ctx)
	}}}
}
