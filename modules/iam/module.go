package iam

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/riverqueue/river"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application/password"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
	"github.com/groundworkhq/groundwork/modules/iam/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/iam/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/web"
)

// Config is the part of the configuration iam reads.
type Config struct {
	// Auth is the sign-in policy (REQUIRE_EMAIL_VERIFICATION).
	Auth config.Auth
	// ServerURL is the public URL (SERVER_URL): links in emails point at
	// it, and callback URLs on it are trusted.
	ServerURL *url.URL
	// WebOrigins are the front-end origins (WEB_ORIGINS) callback and
	// redirect URLs may point at besides ServerURL.
	WebOrigins []string
	// Secure marks the session cookie Secure (SERVER_URL is https).
	Secure bool
}

// Deps are what the module is built with: the shared services (Bus and
// Jobs required: a request for a reset or verification link only
// rate-limits and enqueues, whoever the address belongs to) and iam's own.
type Deps struct {
	module.Services
	Config Config
	// Emails sends the account emails (required).
	Emails Emails
	// Members scopes /api/users to an organization's members; nil is
	// NoMembers (no tenancy yet).
	Members Members
}

// Module is the iam bounded context: users, sessions, /api/auth and
// /api/users.
type Module struct {
	deps  Deps
	store *sqlstore.Store
	svc   *application.Service
	http  *httpapi.Handler
}

// New builds the module. It does no I/O. It returns an error when a
// required dependency (DB, Bus, Jobs, Emails) is missing.
func New(d Deps) (*Module, error) {
	var err error
	if d.Services, err = d.Services.Ready("iam"); err != nil {
		return nil, err
	}
	switch {
	case d.Bus == nil:
		return nil, errors.New("iam: no event bus")
	case d.Emails == nil:
		return nil, errors.New("iam: no Emails port")
	case d.Jobs == nil:
		return nil, errors.New("iam: no job client")
	}
	if d.Members == nil {
		d.Members = NoMembers{}
	}
	m := &Module{deps: d, store: sqlstore.New(d.DB)}
	m.svc = application.NewService(application.Config{
		RequireEmailVerification: d.Config.Auth.RequireEmailVerification,
		ServerURL:                d.Config.ServerURL,
		TrustedOrigins:           d.Config.WebOrigins,
		NoRateLimits:             !d.Config.Auth.RateLimit,
		ImpersonationMax:         d.Config.Auth.ImpersonationMax,
	}, application.Deps{
		UoW:      d.DB,
		Users:    m.store.Users,
		Sessions: m.store.Sessions,
		Tokens:   m.store.Tokens,
		Limiter:  m.store.Limiter,
		// One hash per core at a time: a sign-in flood queues up instead of
		// starving other requests.
		Hasher:  password.New(password.DefaultParams, 0),
		Emails:  emailPort{emails: d.Emails, clock: d.Clock},
		Mail:    accountMailQueue{jobs: d.Jobs},
		Members: d.Members,
		Events:  d.Bus,
		Clock:   d.Clock,
		Logger:  d.Logger,
	})
	m.http = httpapi.New(m.svc, httpapi.Options{
		Secure:       d.Config.Secure,
		Clock:        d.Clock,
		User:         m.User,
		CookiePrefix: d.Config.Auth.CookiePrefix,
	})
	return m, nil
}

// Name returns "iam".
func (m *Module) Name() string { return "iam" }

// Migrations returns the users, sessions, verification tokens and rate
// limit tables for both dialects.
func (m *Module) Migrations() db.Migrations { return sqlstore.Migrations() }

// PurgeInterval is how often the purge job removes expired sessions, spent
// or expired tokens and ended rate-limit windows.
const PurgeInterval = time.Hour

// Workers registers the purge job, a River periodic job on the default
// queue that the elected leader enqueues every PurgeInterval, and the
// worker of the link emails.
func (m *Module) Workers(reg *jobs.Registry) {
	jobs.Every[purgeArgs](reg, PurgeInterval, false, m.purge)
	jobs.AddWorker(reg, &accountMailWorker{svc: m.svc})
}

// accountMailArgs is a queued request for a reset or verification link:
// the lookup, token and email happen in its job.
type accountMailArgs struct {
	Purpose string `json:"purpose"`
	Email   string `json:"email"`
	URL     string `json:"url,omitempty"`
}

// Kind returns "iam.account_mail".
func (accountMailArgs) Kind() string { return "iam.account_mail" }

// accountMailQueue is the application's AccountMailQueue over River.
type accountMailQueue struct{ jobs *jobs.Client }

func (q accountMailQueue) Enqueue(ctx context.Context, req application.AccountMail) error {
	_, err := q.jobs.Insert(ctx, accountMailArgs{Purpose: req.Purpose.String(), Email: req.Email, URL: req.URL}, nil)
	return err
}

// accountMailWorker delivers queued link requests.
type accountMailWorker struct {
	river.WorkerDefaults[accountMailArgs]
	svc *application.Service
}

func (w *accountMailWorker) Work(ctx context.Context, job *river.Job[accountMailArgs]) error {
	purpose, err := domain.ParseVerificationPurpose(job.Args.Purpose)
	if err != nil {
		return river.JobCancel(err) // not a job this version wrote
	}
	return w.svc.DeliverAccountMail(ctx, application.AccountMail{Purpose: purpose, Email: job.Args.Email, URL: job.Args.URL})
}

// Routes mounts /api/auth and /api/users and installs the session
// hydration middleware, so every later middleware and route sees the
// principal.
func (m *Module) Routes(r *web.Router) {
	m.http.Register(r)
	r.Use(m.http.Hydrate)
}

// purgeArgs names the periodic cleanup job.
type purgeArgs struct{}

// Kind returns "iam.purge_expired".
func (purgeArgs) Kind() string { return "iam.purge_expired" }

// purge runs both cleanups; each is idempotent, so a retry after a partial
// failure is harmless.
func (m *Module) purge(ctx context.Context) error {
	sessions, tokens, err := m.svc.PurgeExpired(ctx)
	if err != nil {
		return err
	}
	limits, err := m.store.Limiter.DeleteStale(ctx, m.deps.Clock.Now())
	if err != nil {
		return fmt.Errorf("purge rate limits: %w", err)
	}
	m.deps.Logger.InfoContext(ctx, "purged expired records",
		"sessions", sessions, "tokens", tokens, "rate_limits", limits)
	return nil
}
