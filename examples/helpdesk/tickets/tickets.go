// Package tickets is the helpdesk's own module, written as any product's
// would be, against Groundwork's public packages only: its tables on both
// dialects, two permissions for organization roles, routes scoped to the
// active organization — one counted against a monthly quota of the plan,
// one for paid plans only, one storing an attachment behind a feature
// flag organizations opt into — a usage meter, a platform admin route, a
// listener on iam's user.created and a job.
package tickets

import (
	"context"
	"embed"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/riverqueue/river"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing"
	"github.com/groundworkhq/groundwork/modules/featureflags"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/storage"
	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/web"
)

// The permissions the module declares; the built-in admin and owner roles
// get them, custom roles may.
const (
	PermRead   = "tickets:read"
	PermCreate = "tickets:create"
)

// MaxTitle is the longest ticket title, in characters.
const MaxTitle = 200

// Meter is what the module counts: every ticket opened, per organization
// and month. The plans file caps it per plan.
var Meter = usage.Meter{Key: "tickets_created", Description: "Tickets opened", Unit: "tickets", Window: usage.Monthly}

// UrgentPlans are the plans whose organizations may open urgent tickets.
var UrgentPlans = []string{"pro", "business"}

//go:embed migrations
var migrations embed.FS

// Kind is the ID kind of tickets ("tkt_…").
type Kind struct{}

// Prefix implements kernel.Kind.
func (Kind) Prefix() string { return "tkt" }

// ID identifies a ticket.
type ID = kernel.ID[Kind]

// Module is the tickets module.
type Module struct {
	db      *db.DB
	jobs    *jobs.Client
	clock   kernel.Clock
	usage   *usage.Module
	billing *billing.Module
	storage *storage.Module
	limit   int // HELPDESK_LIST_LIMIT
	// attachments is the ticket-attachments beta flag.
	attachments *featureflags.Flag[bool]
}

var (
	_ app.Module             = (*Module)(nil)
	_ app.Migrator           = (*Module)(nil)
	_ app.Subscriber         = (*Module)(nil)
	_ app.WorkerRegistrar    = (*Module)(nil)
	_ app.PermissionDeclarer = (*Module)(nil)
	_ app.AdminRouter        = (*Module)(nil)
	_ app.MeterDeclarer      = (*Module)(nil)
)

// New builds the module from the shared services and its own setting,
// HELPDESK_LIST_LIMIT (how many tickets a list answers, 1–1000, default
// 100); it is what app.WithModules takes. A bad setting stops start-up
// with one line naming it, as Groundwork's own do.
func New(d app.Deps) (app.Module, error) {
	s := config.NewSettings(d.Env)
	m := &Module{db: d.DB, jobs: d.Jobs, clock: d.Clock, usage: d.Usage, billing: d.Billing, storage: d.Storage,
		limit: s.Int("HELPDESK_LIST_LIMIT", 100, 1, 1000)}
	if err := s.Err(); err != nil {
		return nil, err
	}
	var err error
	m.attachments, err = featureflags.Bool(d.FeatureFlags, FlagAttachments, false, "Attach a file to a ticket (beta).",
		featureflags.ClientVisible(), featureflags.OrgConfigurable())
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Name returns "tickets": it names the module's migration history.
func (m *Module) Name() string { return "tickets" }

// Migrations returns the tables for both dialects.
func (m *Module) Migrations() db.Migrations {
	return db.EmbeddedMigrations(migrations, "migrations")
}

// Permissions declares tickets:read and tickets:create.
func (m *Module) Permissions() []kernel.Permission {
	return []kernel.Permission{
		{Name: PermRead, Description: "List the organization's tickets."},
		{Name: PermCreate, Description: "Open tickets in the organization."},
	}
}

// UsageMeters declares tickets_created.
func (m *Module) UsageMeters() []usage.Meter { return []usage.Meter{Meter} }

// Subscribe enqueues a welcome job for every new account, in the sign-up's
// transaction: no account without its job, no job without its account.
func (m *Module) Subscribe(bus *eventbus.Bus) {
	eventbus.Subscribe(bus, "tickets", func(ctx context.Context, e iam.UserCreated) error {
		_, err := m.jobs.Insert(ctx, welcomeArgs{UserID: e.UserID, Email: e.Email}, nil)
		return err
	})
}

// welcomeArgs is the job that records a new account's welcome.
type welcomeArgs struct {
	UserID kernel.UserID `json:"userId"`
	Email  string        `json:"email"`
}

// Kind returns "tickets.welcome".
func (welcomeArgs) Kind() string { return "tickets.welcome" }

// Workers registers the welcome job's worker; a retry is harmless.
func (m *Module) Workers(reg *jobs.Registry) {
	jobs.AddWorker(reg, river.WorkFunc(func(ctx context.Context, j *river.Job[welcomeArgs]) error {
		_, err := m.db.QW(ctx).Exec(ctx, `INSERT INTO ticket_welcomes (user_id, email, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id) DO NOTHING`, j.Args.UserID, j.Args.Email, m.clock.Now())
		return err
	}))
}

// Ticket is a ticket as the API shows it.
type Ticket struct {
	ID             string    `json:"id" doc:"tkt_… ID."`
	OrganizationID string    `json:"organizationId"`
	AuthorID       string    `json:"authorId"`
	Title          string    `json:"title"`
	Status         string    `json:"status" enum:"open"`
	Priority       string    `json:"priority" enum:"normal,urgent"`
	CreatedAt      time.Time `json:"createdAt"`
}

type createTicketInput struct {
	Body struct {
		Title string `json:"title" maxLength:"800" doc:"One line, 1 to 200 characters."`
	}
}

// Routes mounts POST and GET /api/tickets and POST /api/tickets/urgent,
// each behind the one permission gate (401, 403 without an active
// organization or the permission). Opening a ticket counts against the
// plan's tickets_created quota (402 usage.quota_exceeded past it); an
// urgent one needs a paid plan too (402 billing.subscription_required).
func (m *Module) Routes(r *web.Router) {
	api := r.API()
	create := web.PermissionOp(api, PermCreate, "create-ticket", http.MethodPost, "/api/tickets", "Tickets",
		"Open a ticket", "In the active organization; counts against the plan's tickets_created quota.",
		http.StatusUnprocessableEntity, http.StatusPaymentRequired)
	create.DefaultStatus = http.StatusCreated
	huma.Register(api, create, func(ctx context.Context, in *createTicketInput) (*web.Output[Ticket], error) {
		return m.create(ctx, in, "normal")
	})
	urgent := web.PermissionOp(api, PermCreate, "create-urgent-ticket", http.MethodPost, "/api/tickets/urgent", "Tickets",
		"Open an urgent ticket", "For organizations on the pro or business plan; counts against the quota as any ticket.",
		http.StatusUnprocessableEntity, http.StatusPaymentRequired)
	urgent.DefaultStatus = http.StatusCreated
	urgent.Middlewares = append(urgent.Middlewares, m.billing.SubscriptionGate(api, UrgentPlans...))
	huma.Register(api, urgent, func(ctx context.Context, in *createTicketInput) (*web.Output[Ticket], error) {
		return m.create(ctx, in, "urgent")
	})
	huma.Register(api, web.PermissionOp(api, PermRead, "list-tickets", http.MethodGet, "/api/tickets", "Tickets",
		"List tickets", "The active organization's tickets only."), m.list)
	m.attachmentRoutes(r)
}

// AdminRoutes mounts GET /api/v1/platform/tickets/stats for platform
// admins, behind the platform's gate (401, 403 platform.forbidden).
func (m *Module) AdminRoutes(a *web.Admin) {
	huma.Register(a.API(), web.Op("ticket-stats", http.MethodGet, "/tickets/stats", "Tickets",
		"Ticket statistics", "Tickets by status across every organization."), m.stats)
}

// Stats is what GET /api/v1/platform/tickets/stats answers.
type Stats struct {
	ByStatus map[string]int `json:"byStatus"`
}

func (m *Module) stats(ctx context.Context, _ *struct{}) (*web.Output[Stats], error) {
	out := Stats{ByStatus: map[string]int{}}
	_, err := db.QueryAll(ctx, m.db.Q(ctx), func(r db.Row) (struct{}, error) {
		var status string
		var n int
		err := r.Scan(&status, &n)
		out.ByStatus[status] = n
		return struct{}{}, err
	}, "count tickets", `SELECT status, COUNT(*) FROM tickets GROUP BY status`)
	return web.Reply(out, err, func(s Stats) Stats { return s })
}

// errInvalidTitle answers a title that is empty, too long or not one line
// of visible text.
var errInvalidTitle = kernel.Invalid("tickets.invalid_title", "The title must be one line of 1 to 200 characters.",
	kernel.FieldError{Field: "body.title", Code: "invalid", Message: "must be one line of 1 to 200 characters"})

// create opens a ticket of priority: the ticket and its count against the
// quota in one transaction, so a refused count stores nothing and a
// failed insert counts nothing.
func (m *Module) create(ctx context.Context, in *createTicketInput, priority string) (*web.Output[Ticket], error) {
	p, err := kernel.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	org, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return nil, kernel.ErrNoActiveOrganization
	}
	title := strings.TrimSpace(in.Body.Title)
	if n := utf8.RuneCountInString(title); n == 0 || n > MaxTitle || !utf8.ValidString(title) || kernel.HasUnsafeText(title) {
		return nil, errInvalidTitle
	}
	t := Ticket{
		ID: kernel.NewID[Kind]().String(), OrganizationID: org.OrganizationID.String(), AuthorID: p.UserID.String(),
		Title: title, Status: "open", Priority: priority, CreatedAt: m.clock.Now().UTC(),
	}
	err = m.db.Tx(ctx, func(ctx context.Context) error {
		if _, err := m.usage.CheckAndIncrement(ctx, org.OrganizationID, Meter.Key, 1); err != nil {
			return err // 402 usage.quota_exceeded, with meter, limit, used and resetsAt
		}
		_, err := m.db.Q(ctx).Exec(ctx, `INSERT INTO tickets (id, organization_id, author_id, title, status, priority, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.ID, t.OrganizationID, t.AuthorID, t.Title, t.Status, t.Priority, t.CreatedAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &web.Output[Ticket]{Body: t}, nil
}

// list answers the organization's newest tickets, newest first, at most
// HELPDESK_LIST_LIMIT of them.
func (m *Module) list(ctx context.Context, _ *struct{}) (*web.ItemsOutput[Ticket], error) {
	org, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return nil, kernel.ErrNoActiveOrganization
	}
	items, err := db.QueryAll(ctx, m.db.Q(ctx), func(row db.Row) (Ticket, error) {
		var t Ticket
		err := row.Scan(&t.ID, &t.OrganizationID, &t.AuthorID, &t.Title, &t.Status, &t.Priority, &t.CreatedAt)
		return t, err
	}, "list tickets", `SELECT id, organization_id, author_id, title, status, priority, created_at FROM tickets
		WHERE organization_id = $1 ORDER BY id DESC LIMIT $2`, org.OrganizationID, m.limit)
	return web.ReplyItems(items, err, func(t Ticket) Ticket { return t })
}
