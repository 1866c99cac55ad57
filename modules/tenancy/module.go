package tenancy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/web"
)

// Config is the part of the configuration tenancy reads.
type Config struct {
	// Secure marks the active-organization cookie Secure (SERVER_URL is
	// https).
	Secure bool
	// InvitationURLFunc returns the link an invitation email carries for a
	// token; nil links to /invitations/{token} on the server.
	InvitationURLFunc func(token string) string
}

// Deps are what the module is built with: the shared services (Bus
// required) and tenancy's own.
type Deps struct {
	module.Services
	Config Config
	// Users looks users up (iam; required).
	Users Users
	// Emails sends invitation emails (notifications; required).
	Emails Emails
}

// Module is the tenancy bounded context: organizations, memberships,
// roles, invitations, the permission catalog and the organization-context
// middleware.
type Module struct {
	deps Deps
	svc  *application.Service
	http *httpapi.Handler
}

// New builds the module and declares tenancy's own permissions. It does no
// I/O.
func New(d Deps) (*Module, error) {
	var err error
	if d.Services, err = d.Services.Ready("tenancy"); err != nil {
		return nil, err
	}
	switch {
	case d.Bus == nil:
		return nil, errors.New("tenancy: no event bus")
	case d.Users == nil:
		return nil, errors.New("tenancy: no Users port")
	case d.Emails == nil:
		return nil, errors.New("tenancy: no Emails port")
	}
	catalog := domain.NewCatalog()
	if err := domain.DeclarePermissions(catalog); err != nil {
		return nil, err
	}
	store := sqlstore.New(d.DB)
	m := &Module{deps: d}
	m.svc = application.NewService(application.Config{InvitationURLFunc: d.Config.InvitationURLFunc}, application.Deps{
		UoW:               d.DB,
		Organizations:     store.Organizations,
		Memberships:       store.Memberships,
		Roles:             store.Roles,
		Invitations:       store.Invitations,
		Users:             d.Users,
		Emails:            d.Emails,
		Events:            d.Bus,
		Catalog:           catalog,
		Clock:             d.Clock,
		Logger:            d.Logger,
		ClientNetworkFunc: func(ctx context.Context) string { return kernel.NetworkOf(web.ClientIP(ctx)) },
	})
	m.http = httpapi.New(m.svc, httpapi.Options{Secure: d.Config.Secure})
	return m, nil
}

// Name returns "tenancy".
func (m *Module) Name() string { return "tenancy" }

// Migrations returns the organizations, memberships, roles and invitations
// tables for both dialects.
func (m *Module) Migrations() db.Migrations { return sqlstore.Migrations() }

// PurgeInterval is how often closed invitations older than
// InvitationRetention are removed.
const PurgeInterval = 24 * time.Hour

// InvitationRetention is how long revoked, declined, accepted and expired
// invitations stay listable.
const InvitationRetention = application.InvitationRetention

// Workers registers the invitation purge, a periodic job on the default
// queue.
func (m *Module) Workers(reg *jobs.Registry) {
	jobs.Every[purgeArgs](reg, PurgeInterval, false, m.purge)
}

// Routes mounts /api/organizations, /api/invitations and /api/permissions,
// and installs the organization-context middleware after session
// hydration.
func (m *Module) Routes(r *web.Router) {
	m.http.Register(r)
	r.Use(m.http.OrganizationContext)
}

// AdminRoutes mounts tenancy's platform administration under
// /api/v1/platform, behind the platform's gate: GET /organizations (every
// organization, filtered and paged), GET and DELETE /organizations/{id},
// and POST /organizations/{id}/transfer.
func (m *Module) AdminRoutes(a *web.Admin) { m.http.RegisterAdmin(a) }

// purgeArgs names the invitation purge job.
type purgeArgs struct{}

// Kind returns "tenancy.purge_invitations".
func (purgeArgs) Kind() string { return "tenancy.purge_invitations" }

// purge removes old closed invitations; it is idempotent.
func (m *Module) purge(ctx context.Context) error {
	n, err := m.svc.PurgeInvitations(ctx)
	if err != nil {
		return fmt.Errorf("purge invitations: %w", err)
	}
	m.deps.Logger.InfoContext(ctx, "purged closed invitations", "invitations", n)
	return nil
}
