package platform

import (
	"context"
	"errors"
	"net/url"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/platform/internal/application"
	"github.com/groundworkhq/groundwork/modules/platform/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/platform/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/web"
)

// Config is the part of the configuration the module reads.
type Config struct {
	// ServerURL is the public URL the setup link points at.
	ServerURL *url.URL
}

// Deps are what the module is built with.
type Deps struct {
	module.Services
	Config Config
	// Admins is the bootstrap's view of iam (required).
	Admins Admins
}

// Admins is what the bootstrap needs of iam, in the transaction ctx
// carries: how many platform admins exist, whether a user's email is
// verified, and making one the first platform admin.
type Admins = application.Admins

// Module is the platform bounded context.
type Module struct {
	deps      Deps
	bootstrap *application.Bootstrap
	http      *httpapi.Handler
	overview  *application.Overview
}

// New builds the module. It does no I/O.
func New(d Deps) (*Module, error) {
	var err error
	if d.Services, err = d.Services.Ready("platform"); err != nil {
		return nil, err
	}
	if d.Admins == nil {
		return nil, errors.New("platform: no Admins port")
	}
	if d.Config.ServerURL == nil {
		d.Config.ServerURL = &url.URL{Scheme: "http", Host: "localhost:8080"}
	}
	m := &Module{deps: d}
	m.bootstrap = &application.Bootstrap{
		UoW: d.DB, Store: sqlstore.NewBootstrap(d.DB), Admins: d.Admins, Clock: d.Clock, Logger: d.Logger,
	}
	m.http = httpapi.New(m.bootstrap)
	m.overview = application.NewOverview(d.Clock)
	return m, nil
}

// Name returns "platform".
func (m *Module) Name() string { return "platform" }

// Migrations returns the setup token's table for both dialects.
func (m *Module) Migrations() db.Migrations { return sqlstore.Migrations() }

// Routes mounts POST /api/v1/platform/bootstrap and the /setup page.
func (m *Module) Routes(r *web.Router) { m.http.Register(r) }

// AdminRoutes mounts GET /api/v1/platform/overview: generatedAt and the
// sections added with AddOverview.
func (m *Module) AdminRoutes(a *web.Admin) { httpapi.NewOverview(m.overview).RegisterAdmin(a) }

// Admin returns the Admin every module mounts its platform administration
// routes on, behind RequirePlatformAdmin.
func (m *Module) Admin(r *web.Router) *web.Admin { return web.NewAdmin(r, RequirePlatformAdmin) }

// RequirePlatformAdmin is the gate of /api/v1/platform: nil for a platform
// admin acting as themselves; 401 UNAUTHORIZED for nobody, 403
// platform.impersonating for an impersonated session, 403
// platform.forbidden for anyone else.
func RequirePlatformAdmin(ctx context.Context) error {
	_, err := kernel.RequirePlatformAdmin(ctx)
	return err
}

// PrepareBootstrap issues a new setup link while no platform admin exists
// (replacing the previous one) and returns it; "" once one does. serve
// calls it at start and logs the link.
func (m *Module) PrepareBootstrap(ctx context.Context) (link string, err error) {
	token, _, needed, err := m.bootstrap.Prepare(ctx)
	if err != nil || !needed {
		return "", err
	}
	u := m.deps.Config.ServerURL.JoinPath("/setup")
	u.RawQuery = url.Values{"token": {token.String()}}.Encode()
	return u.String(), nil
}
