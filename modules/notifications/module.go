package notifications

import (
	"context"
	"fmt"
	"net/url"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/web"
)

// Deps are what the module is built with: the shared services and the
// email settings.
type Deps struct {
	module.Services
	// Email is the EMAIL_* configuration; it picks the provider.
	Email config.Email
	// ServerURL is the public URL, for links and the email footer.
	ServerURL *url.URL
	// DataDir holds the file provider's mailbox (DATA_DIR/mailbox).
	DataDir string
	// Sender, when set, replaces the provider Email.Provider names.
	Sender EmailSender
}

// Module is the notifications bounded context.
type Module struct {
	deps   Deps
	mailer *mailer
	inApp  *inApp
}

// New builds the module: the email provider named by the configuration
// (checked here, so a bad provider setting stops start-up), the templates
// and the in-app notifications. It does no I/O beyond what a provider's
// constructor needs (SES loads AWS credentials).
func New(d Deps) (*Module, error) {
	var err error
	if d.Services, err = d.Services.Ready("notifications"); err != nil {
		return nil, err
	}
	m := &Module{deps: d}
	if m.mailer, err = newMailer(d); err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	if m.inApp, err = newInApp(d); err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return m, nil
}

// Name returns "notifications".
func (m *Module) Name() string { return "notifications" }

// Migrations returns the module's tables for both dialects.
func (m *Module) Migrations() db.Migrations { return m.inApp.migrations() }

// Workers registers the emails queue and its worker.
func (m *Module) Workers(reg *jobs.Registry) { m.mailer.workers(reg) }

// Routes mounts /api/notifications.
func (m *Module) Routes(r *web.Router) { m.inApp.routes(r) }

// Start starts the live stream's listener (PostgreSQL LISTEN).
func (m *Module) Start(ctx context.Context) error { return m.inApp.start(ctx) }

// Stop stops it; it tolerates a Start that never ran.
func (m *Module) Stop(ctx context.Context) error { return m.inApp.stop(ctx) }

// SessionsEnded records, in the transaction of the change, that sessions
// of user ended (sign-out, revocation, password reset, deactivation,
// deletion): once it commits, every process has that user's open
// notification streams re-check their session, and those whose session
// ended close at once instead of at their next periodic check.
func (m *Module) SessionsEnded(ctx context.Context, user kernel.UserID) error {
	return m.inApp.sessionsEnded(ctx, m.deps.DB, user)
}
