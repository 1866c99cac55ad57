package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/notifications"
	"github.com/groundworkhq/groundwork/web"
)

// Version is the build's version, set with -ldflags "-X …/app.Version=v1.2.3".
var Version = "dev"

// App is a wired Groundwork instance.
type App struct {
	cfg      config.Config
	logger   *slog.Logger
	clock    kernel.Clock
	modules  []Module
	builtins builtins

	db       *db.DB
	bus      *eventbus.Bus
	jobs     *jobs.Client
	migrator *db.Migrator
	router   *web.Router
	registry *prometheus.Registry

	upToDate  atomic.Bool // no migration pending, seen once by /readyz
	startOnce sync.Once
	startErr  error
	started   atomic.Bool
}

// Option adjusts New.
type Option func(*options)

type options struct {
	env     func(key string) (string, bool)
	logger  *slog.Logger
	clock   kernel.Clock
	work    bool
	modules []ModuleFactory
	middle  []func(http.Handler) http.Handler

	emailSender notifications.EmailSender
}

// WithEnvironment is where modules read their own settings
// (app.Deps.Env, config.NewSettings): the environment the configuration was
// loaded from. Without it, os.LookupEnv; the groundwork command passes the
// lookup it loaded the configuration with, tests their own.
func WithEnvironment(lookup func(key string) (string, bool)) Option {
	return func(o *options) { o.env = lookup }
}

// WithEmailSender replaces the email provider EMAIL_PROVIDER names, for a
// product with its own gateway, and for tests.
func WithEmailSender(s notifications.EmailSender) Option {
	return func(o *options) { o.emailSender = s }
}

// WithMiddleware adds HTTP middleware that runs after every module's own
// (session hydration, organization context) and just before the routes.
func WithMiddleware(mw ...func(http.Handler) http.Handler) Option {
	return func(o *options) { o.middle = append(o.middle, mw...) }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClock sets the clock every module reads the time from (default: the
// system clock).
func WithClock(c kernel.Clock) Option { return func(o *options) { o.clock = c } }

// WithoutWorkers makes the job client insert-only: this process serves HTTP
// and enqueues jobs, other processes ("groundwork worker") work them.
func WithoutWorkers() Option { return func(o *options) { o.work = false } }

// WithModules adds a product's own modules after Groundwork's, built in
// order with the same Deps as Groundwork's.
func WithModules(f ...ModuleFactory) Option {
	return func(o *options) { o.modules = append(o.modules, f...) }
}

// New wires every module over the database cfg names. It does no I/O: it
// neither connects nor creates the SQLite file; Migrate or Start makes the
// first contact. It returns an error when the configuration cannot work or
// a module cannot be wired; nothing stays open on error.
func New(ctx context.Context, cfg config.Config, opts ...Option) (*App, error) {
	o := options{env: os.LookupEnv, logger: slog.New(slog.DiscardHandler), clock: kernel.SystemClock{}, work: true}
	for _, opt := range opts {
		opt(&o)
	}
	a := &App{cfg: cfg, logger: o.logger, clock: o.clock}

	var err error
	a.db, err = db.New(db.Options{URL: cfg.Database.URL, SQLitePath: cfg.Database.SQLitePath(), Logger: o.logger})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = a.db.Close()
		}
	}()

	a.bus = eventbus.New(a.db)
	reg := jobs.NewRegistry()
	a.jobs = jobs.Prepare(a.db, reg, jobs.Config{Work: o.work, JobTimeout: cfg.Jobs.Timeout, RescueAfter: cfg.Jobs.RescueAfter}, o.logger)
	deps := Deps{Config: cfg, Env: o.env, Services: module.Services{DB: a.db, Bus: a.bus, Jobs: a.jobs, Clock: o.clock, Logger: o.logger}}

	var modules []Module
	if a.builtins, modules, err = newBuiltins(deps, o); err != nil {
		return nil, err
	}
	deps.Billing, deps.Usage, deps.Storage, deps.FeatureFlags = a.builtins.billing, a.builtins.usage, a.builtins.storage, a.builtins.featureFlags
	for _, factory := range o.modules {
		var m Module
		if m, err = factory(deps); err != nil {
			return nil, err
		}
		modules = append(modules, m)
	}
	if err = a.builtins.declarePermissions(modules); err != nil {
		return nil, err
	}
	if err = a.builtins.registerMeters(modules); err != nil {
		return nil, err
	}
	sets := []db.MigrationSet{jobs.MigrationSet(a.db)}
	for _, m := range modules {
		if mm, ok := m.(Migrator); ok {
			if mig := mm.Migrations(); mig.SQLite != nil || mig.Postgres != nil {
				mig.Module = m.Name()
				var set db.MigrationSet
				if set, err = a.db.GooseSet(mig); err != nil {
					return nil, err
				}
				sets = append(sets, set)
			}
		}
		if sm, ok := m.(Subscriber); ok {
			sm.Subscribe(a.bus)
		}
		if wm, ok := m.(WorkerRegistrar); ok {
			wm.Workers(reg)
		}
		a.modules = append(a.modules, m)
	}
	a.migrator = db.NewMigrator(a.db, o.logger, sets...)
	if err = a.jobs.Build(); err != nil {
		return nil, err
	}

	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		jobs.NewCollector(a.db),
	)
	webCfg := web.Config{
		Title:      "Groundwork",
		Version:    Version,
		WebOrigins: cfg.Server.WebOrigins,
		ReadyFunc:  a.ready,
		Gatherer:   a.registry,
	}
	if err = webCfg.Validate(); err != nil {
		return nil, err
	}
	a.router = web.NewRouter(webCfg, o.logger, a.registry)
	for _, m := range a.modules {
		m.Routes(a.router)
	}
	admin := a.builtins.platform.Admin(a.router)
	for _, m := range a.modules {
		if am, ok := m.(AdminRouter); ok {
			am.AdminRoutes(admin)
		}
	}
	a.jobs.AdminRoutes(admin, a.bus)
	wireOverview(a)
	for _, mw := range o.middle {
		a.router.Use(mw)
	}
	return a, nil
}

// DB returns the database, for products that keep tables of their own.
func (a *App) DB() *db.DB { return a.db }

// Bus returns the event bus.
func (a *App) Bus() *eventbus.Bus { return a.bus }

// Jobs returns the job client.
func (a *App) Jobs() *jobs.Client { return a.jobs }

// Clock returns the clock in use.
func (a *App) Clock() kernel.Clock { return a.clock }

// Handler returns the HTTP surface.
func (a *App) Handler() http.Handler { return a.router.Handler() }

// Migrator returns the migrator over River's and every module's migrations.
func (a *App) Migrator() *db.Migrator { return a.migrator }

// Connect makes the first contact with the database (db.DB.Connect);
// Migrate and Start do it themselves. Call it before using DB or
// Migrator directly.
func (a *App) Connect(ctx context.Context) error { return a.db.Connect(ctx) }

// Migrate connects to the database if it has not yet, and applies every
// pending migration (River's first, then each module's in order).
func (a *App) Migrate(ctx context.Context) error {
	if err := a.db.Connect(ctx); err != nil {
		return err
	}
	return a.migrator.Up(ctx)
}

// Start connects to the database if it has not yet, starts the job
// workers (a no-op for an insert-only app), then the background work of
// every module that has some (Starter). Call it after Migrate. On error,
// what did start is stopped again, and every later Start reports the same
// error: an app starts once.
func (a *App) Start(ctx context.Context) error {
	a.startOnce.Do(func() { a.startErr = a.start(ctx) })
	return a.startErr
}

func (a *App) start(ctx context.Context) error {
	if err := a.db.Connect(ctx); err != nil {
		return err
	}
	if err := a.jobs.Start(ctx); err != nil {
		return err
	}
	a.started.Store(true)
	for _, m := range a.modules {
		if s, ok := m.(Starter); ok {
			if err := s.Start(ctx); err != nil {
				_ = a.Stop(context.WithoutCancel(ctx))
				return fmt.Errorf("start %s: %w", m.Name(), err)
			}
		}
	}
	return nil
}

// Serve listens on addr until ctx ends, then stops accepting, lets
// in-flight requests finish within the configured shutdown timeout and
// returns nil. ready, when not nil, receives the bound address once the
// listener is open (addr may use port 0).
func (a *App) Serve(ctx context.Context, addr string, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(web.Listener(ln)) }()

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.cfg.Server.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		a.logger.Warn("requests still running at the shutdown deadline were cut off", "error", err)
		_ = srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Stop stops the modules' background work and the job workers, letting
// running jobs finish within the configured shutdown timeout. It tolerates
// an app that never started, and a second call.
func (a *App) Stop(ctx context.Context) error {
	if !a.started.CompareAndSwap(true, false) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Server.ShutdownTimeout)
	defer cancel()
	var errs []error
	for i := len(a.modules) - 1; i >= 0; i-- {
		if s, ok := a.modules[i].(Starter); ok {
			if err := s.Stop(ctx); err != nil {
				errs = append(errs, fmt.Errorf("stop %s: %w", a.modules[i].Name(), err))
			}
		}
	}
	return errors.Join(append(errs, a.jobs.Stop(ctx))...)
}

// Close stops the workers if they run and closes the database.
func (a *App) Close() error {
	err := a.Stop(context.Background())
	return errors.Join(err, a.db.Close())
}

// ready reports whether the app can serve: the database answers and no
// migration is pending. Once migrations are seen complete they are not
// checked again.
func (a *App) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.db.Ping(ctx); err != nil {
		return kernel.Unavailable("db.unreachable", "The database is unreachable.").WithCause(err)
	}
	if !a.upToDate.Load() {
		n, err := a.migrator.Pending(ctx)
		if err != nil {
			return kernel.Unavailable("db.unreachable", "The database is unreachable.").WithCause(err)
		}
		if n > 0 {
			return kernel.Unavailable("db.migrations_pending", fmt.Sprintf("%d migrations are pending.", n))
		}
		a.upToDate.Store(true)
	}
	return nil
}
