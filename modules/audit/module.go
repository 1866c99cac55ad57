package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/audit/internal/application"
	"github.com/groundworkhq/groundwork/modules/audit/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/audit/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/web"
)

// Deps are what the module is built with: the shared services (the module
// subscribes nothing itself; see On) and its retention.
type Deps struct {
	module.Services
	// RetentionDays is how long entries are kept (AUDIT_RETENTION_DAYS);
	// 0 keeps them forever.
	RetentionDays int
}

// Module is the audit bounded context: the append-only, hash-chained log
// and its read APIs.
type Module struct {
	deps Deps
	svc  *application.Service
	http *httpapi.Handler
}

// New builds the module. It does no I/O. It returns an error when DB is
// missing or RetentionDays is negative.
func New(d Deps) (*Module, error) {
	var err error
	if d.Services, err = d.Services.Ready("audit"); err != nil {
		return nil, err
	}
	if d.RetentionDays < 0 {
		return nil, fmt.Errorf("audit: retention of %d days is negative", d.RetentionDays)
	}
	m := &Module{deps: d}
	_, m.svc = newService(d.DB, d.Clock, d.Logger)
	m.http = httpapi.New(m.svc)
	return m, nil
}

// newService wires the use cases over d.
func newService(d *db.DB, clock kernel.Clock, logger *slog.Logger) (*sqlstore.Store, *application.Service) {
	store := sqlstore.New(d)
	return store, application.NewService(application.Deps{
		UoW:     d,
		Store:   store,
		Clock:   clock,
		Request: requestMeta,
		Logger:  logger,
	})
}

// requestMeta reads the request an entry is recorded in from the router:
// its ID, the client's address and user agent.
func requestMeta(ctx context.Context) application.RequestMeta {
	return application.RequestMeta{RequestID: web.RequestID(ctx), IP: web.ClientIP(ctx), UserAgent: web.UserAgent(ctx)}
}

// Name returns "audit".
func (m *Module) Name() string { return "audit" }

// Migrations returns the audit tables, with their append-only triggers,
// for both dialects.
func (m *Module) Migrations() db.Migrations { return sqlstore.Migrations() }

// PruneInterval is how often the retention job runs.
const PruneInterval = 24 * time.Hour

// Workers registers the retention job (audit.prune, a River periodic job
// on the default queue, daily and once when a leader starts) when
// RetentionDays is set; with entries kept forever there is nothing to do.
func (m *Module) Workers(reg *jobs.Registry) {
	if m.deps.RetentionDays <= 0 {
		return
	}
	jobs.Every[pruneArgs](reg, PruneInterval, true, m.applyRetention)
}

// Routes mounts GET /api/audit.
func (m *Module) Routes(r *web.Router) { m.http.Register(r) }

// AdminRoutes mounts GET /api/v1/platform/audit, every entry, for platform
// admins.
func (m *Module) AdminRoutes(a *web.Admin) { m.http.RegisterAdmin(a) }

// PermRead lets a role read its organization's audit log.
const PermRead = httpapi.PermRead

// Permissions returns the permissions the module declares: audit:read.
func (m *Module) Permissions() []kernel.Permission {
	return []kernel.Permission{{Name: PermRead, Description: "Read the organization's audit log."}}
}

// pruneArgs names the retention job.
type pruneArgs struct{}

// Kind returns "audit.prune".
func (pruneArgs) Kind() string { return "audit.prune" }

// applyRetention prunes what is older than the retention period. Pruning
// is idempotent, so a retry after a partial failure is harmless.
func (m *Module) applyRetention(ctx context.Context) error {
	before := m.deps.Clock.Now().AddDate(0, 0, -m.deps.RetentionDays)
	res, err := m.Prune(ctx, before)
	if err != nil {
		return err
	}
	m.deps.Logger.InfoContext(ctx, "audit retention applied",
		"before", before, "entries", res.Entries, "chains", res.Chains)
	return nil
}
