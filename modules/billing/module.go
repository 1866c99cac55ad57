package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"net/http"

	"github.com/riverqueue/river"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/billing/internal/application"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/billing/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/modules/platform"
	"github.com/groundworkhq/groundwork/web"
)

// Deps are what the module is built with: the shared services (Bus and
// Jobs required), its configuration and the directory port.
type Deps struct {
	module.Services
	Config Config
	// Directory answers organization names, member counts and users'
	// emails (tenancy and iam; required).
	Directory Directory
}

// Directory is what billing needs of tenancy and iam.
type Directory = application.Organizations

// Module is the billing bounded context.
type Module struct {
	deps     Deps
	provider domain.PaymentProvider
	checker  checker
	catalog  *domain.Catalog
	svc      *application.Service
	http     *httpapi.Handler
	extra    db.Migrations // the provider's own tables (the sandbox's)
	routes   func(r interface{ Handle(string, http.Handler) })
}

// checker is a provider whose credentials can be checked at start-up.
type checker interface {
	Check(ctx context.Context) error
}

// New builds the module: the plans (PLANS_FILE or the built-in ones) and
// the provider PAYMENT_PROVIDER names. It does no I/O but reading the
// plans file; a bad plan or setting is an error naming it.
func New(d Deps) (*Module, error) {
	var err error
	if d.Services, err = d.Services.Ready("billing"); err != nil {
		return nil, err
	}
	switch {
	case d.Bus == nil:
		return nil, errors.New("billing: no event bus")
	case d.Jobs == nil:
		return nil, errors.New("billing: no job client")
	case d.Directory == nil:
		return nil, errors.New("billing: no Directory port")
	}
	m := &Module{deps: d}
	if err := m.setUp(); err != nil {
		return nil, err
	}
	grace := time.Duration(d.Config.GraceDays) * 24 * time.Hour
	manage := ""
	if d.Config.ServerURL != nil {
		manage = d.Config.ServerURL.JoinPath(httpapi.ManagePath).String()
	}
	m.svc = application.NewService(application.Config{Grace: grace, ReturnURL: d.Config.ReturnURL, ManageURL: manage}, application.Deps{
		UoW: d.DB, Store: sqlstore.New(d.DB), Provider: m.provider, Catalog: m.catalog,
		Queue: queue{jobs: d.Jobs}, Orgs: d.Directory, Events: d.Bus, Clock: d.Clock, Logger: d.Logger,
	})
	name := ""
	if m.provider != nil {
		name = m.provider.Name()
	}
	m.http = httpapi.New(m.svc, name)
	return m, nil
}

// Name returns "billing".
func (m *Module) Name() string { return "billing" }

// Migrations returns billing's tables, and its provider's if it keeps any,
// for both dialects.
func (m *Module) Migrations() db.Migrations {
	own := sqlstore.Migrations()
	if m.extra.SQLite == nil && m.extra.Postgres == nil {
		return own
	}
	return db.MergeMigrations(own, m.extra)
}

// Routes mounts /api/billing, /webhooks/{provider} and the provider's own
// pages.
func (m *Module) Routes(r *web.Router) {
	m.http.Register(r)
	if m.routes != nil {
		m.routes(r)
	}
}

// Permissions declares billing:read and billing:manage.
func (m *Module) Permissions() []kernel.Permission {
	return []kernel.Permission{
		{Name: PermRead, Description: "See the organization's plan and subscription."},
		{Name: PermManage, Description: "Subscribe, change the plan, cancel and manage payment."},
	}
}

// The permissions billing declares; owners and admins hold both.
const (
	PermRead   = httpapi.PermRead
	PermManage = httpapi.PermManage
)

// Start checks the provider's credentials with one call: credentials the
// provider refuses stop start-up; a provider that does not answer is
// logged, and the process starts (checkouts answer 503 until it does).
func (m *Module) Start(ctx context.Context) error {
	if m.checker == nil {
		return nil
	}
	err := m.checker.Check(ctx)
	switch {
	case err == nil:
	case errors.Is(err, domain.ErrProviderUnavailable):
		m.deps.Logger.WarnContext(ctx, "the payment provider did not answer the credential check", "provider", m.provider.Name(), "error", err)
	default:
		return fmt.Errorf("billing: %s credentials: %w", m.provider.Name(), err)
	}
	return nil
}

// Stop does nothing.
func (m *Module) Stop(context.Context) error { return nil }

// webhookArgs names the job that processes one recorded webhook event.
type webhookArgs struct {
	Provider string `json:"provider"`
	EventID  string `json:"eventId"`
}

// Kind returns "billing.webhook".
func (webhookArgs) Kind() string { return "billing.webhook" }

type webhookWorker struct {
	river.WorkerDefaults[webhookArgs]
	svc *application.Service
}

func (w *webhookWorker) Work(ctx context.Context, j *river.Job[webhookArgs]) error {
	return w.svc.ProcessWebhook(ctx, j.Args.Provider, j.Args.EventID)
}

// reconcileArgs names the periodic reconciliation.
type reconcileArgs struct{}

// Kind returns "billing.reconcile".
func (reconcileArgs) Kind() string { return "billing.reconcile" }

// seatsArgs names the job that sets a per-seat subscription's quantity to
// the organization's member count.
type seatsArgs struct {
	OrganizationID kernel.OrganizationID `json:"organizationId"`
}

// Kind returns "billing.seat_sync".
func (seatsArgs) Kind() string { return "billing.seat_sync" }

type seatsWorker struct {
	river.WorkerDefaults[seatsArgs]
	svc *application.Service
}

func (w *seatsWorker) Work(ctx context.Context, j *river.Job[seatsArgs]) error {
	return w.svc.SyncSeats(ctx, j.Args.OrganizationID)
}

// MembersChanged enqueues, in the transaction ctx carries, the seat sync
// of the organization: a per-seat subscription's quantity follows the
// member count. The composition root calls it when a member joins or
// leaves.
func (m *Module) MembersChanged(ctx context.Context, org kernel.OrganizationID) error {
	if m.provider == nil || !m.provider.SupportsSeats() {
		return nil
	}
	// One job per change: each counts the members when it runs and calls
	// the provider only when the quantity differs, so a burst costs counts,
	// not provider calls (River's uniqueness would skip a change that lands
	// while a sync runs).
	_, err := m.deps.Jobs.Insert(ctx, seatsArgs{OrganizationID: org}, nil)
	return err
}

// Workers registers the webhook and seat jobs and, with a provider, the
// periodic reconciliation (BILLING_RECONCILE_INTERVAL).
func (m *Module) Workers(reg *jobs.Registry) {
	jobs.AddWorker(reg, &webhookWorker{svc: m.svc})
	jobs.AddWorker(reg, &seatsWorker{svc: m.svc})
	if m.provider == nil {
		return
	}
	interval := m.deps.Config.ReconcileInterval
	if interval <= 0 {
		interval = DefaultReconcileInterval
	}
	jobs.Every[reconcileArgs](reg, interval, false, func(ctx context.Context) error {
		n, err := m.svc.Reconcile(ctx, kernel.OrganizationID{})
		m.deps.Logger.InfoContext(ctx, "billing reconciled", "subscriptions", n, "error", err)
		return err
	})
}

// DefaultReconcileInterval is how often reconciliation runs by default.
const DefaultReconcileInterval = 6 * time.Hour

// queue is the application's Queue over the job client.
type queue struct{ jobs *jobs.Client }

func (q queue) ProcessWebhook(ctx context.Context, provider, eventID string) error {
	_, err := q.jobs.Insert(ctx, webhookArgs{Provider: provider, EventID: eventID}, nil)
	return err
}

// AdminRoutes mounts /api/v1/platform/billing: subscriptions, their
// webhook events, sync, replay and comps.
func (m *Module) AdminRoutes(a *web.Admin) { m.http.RegisterAdmin(a) }

// OverviewSections adds "billing" to the platform overview: live
// subscriptions by plan and status, and an MRR estimate.
func (m *Module) OverviewSections() []platform.OverviewSection {
	return []platform.OverviewSection{{Key: "billing", ReadFunc: func(ctx context.Context, _ time.Time) (any, error) {
		return m.svc.Overview(ctx)
	}}}
}
