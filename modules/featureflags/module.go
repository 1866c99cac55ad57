package featureflags

import (
	"context"
	"errors"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/application"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/web"
)

// Deps are what the module is built with.
type Deps struct {
	module.Services
	// Plans reads an organization's plan and the catalog's plans
	// (billing); nil: plan rules never match.
	Plans Plans
}

// Plans is the port plan rules read billing through.
type Plans = application.Plans

// Module is the featureflags bounded context.
type Module struct {
	deps Deps
	svc  *application.Service
	http *httpapi.Handler
}

// New builds the module. It does no I/O.
func New(d Deps) (*Module, error) {
	var err error
	if d.Services, err = d.Services.Ready("featureflags"); err != nil {
		return nil, err
	}
	if d.Bus == nil {
		return nil, errors.New("featureflags: no event bus")
	}
	m := &Module{deps: d}
	m.svc = application.NewService(application.Deps{UoW: d.DB, Store: sqlstore.New(d.DB), Plans: d.Plans,
		Events: d.Bus, Clock: d.Clock, Logger: d.Logger})
	m.http = httpapi.New(m.svc)
	return m, nil
}

// Name returns "featureflags".
func (m *Module) Name() string { return "featureflags" }

// Migrations returns the module's tables for both dialects.
func (m *Module) Migrations() db.Migrations { return sqlstore.Migrations() }

// Routes mounts GET /api/feature-flags, the organizations' switch and
// OFREP's POST /ofrep/v1/evaluate/flags[/{key}].
func (m *Module) Routes(r *web.Router) { m.http.Register(r) }

// AdminRoutes mounts /api/v1/platform/feature-flags.
func (m *Module) AdminRoutes(a *web.Admin) { m.http.RegisterAdmin(a) }

// PermManage lets a role switch the organization's orgConfigurable flags.
const PermManage = httpapi.PermManage

// Permissions declares featureflags:manage.
func (m *Module) Permissions() []kernel.Permission {
	return []kernel.Permission{{Name: PermManage, Description: "Switch the organization's configurable feature flags (beta opt-ins)."}}
}

// Start closes the declarations and loads every flag into memory.
func (m *Module) Start(ctx context.Context) error { return m.svc.Start(ctx) }

// Stop does nothing.
func (m *Module) Stop(context.Context) error { return nil }

// UserDeleted removes a deleted user's overrides.
func (m *Module) UserDeleted(ctx context.Context, user kernel.UserID) error {
	return m.svc.SubjectDeleted(ctx, application.ScopeUser, user.String())
}

// OrganizationDeleted removes a deleted organization's overrides.
func (m *Module) OrganizationDeleted(ctx context.Context, org kernel.OrganizationID) error {
	return m.svc.SubjectDeleted(ctx, application.ScopeOrganization, org.String())
}
