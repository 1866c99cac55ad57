// Package testkit boots the fully wired application for end-to-end tests:
// on a temporary SQLite file, or — when TEST_POSTGRES_URL is set — also on a
// fresh PostgreSQL database created for the test and dropped after it. It
// gives tests an HTTP client with a cookie jar, a controllable clock and
// helpers that decode and check problem responses.
package testkit

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/testkit/testdb"
	"github.com/groundworkhq/groundwork/web"
)

// App is a running application under test.
type App struct {
	*app.App
	// URL is the server's base URL (also its SERVER_URL).
	URL string
	// Clock is the clock every module reads; tests move it.
	Clock *Clock
	// Config is the configuration the app was built with.
	Config  config.Config
	Dialect db.Dialect
	Server  *httptest.Server

	t testing.TB
}

func (a *App) testingT() testing.TB { return a.t }

// Option adjusts an App under test.
type Option func(*settings)

type settings struct {
	env     map[string]string
	workers bool
	migrate bool
	appOpts []app.Option
}

// WithEnv sets configuration variables, as pairs: "KEY", "value", ….
func WithEnv(pairs ...string) Option {
	return func(s *settings) {
		for i := 0; i+1 < len(pairs); i += 2 {
			s.env[pairs[i]] = pairs[i+1]
		}
	}
}

// WithoutWorkers leaves the job workers stopped; jobs are only enqueued.
func WithoutWorkers() Option { return func(s *settings) { s.workers = false } }

// WithoutMigrations leaves the database unmigrated.
func WithoutMigrations() Option { return func(s *settings) { s.migrate = false } }

// WithAppOptions passes options to app.New (e.g. a product's modules).
func WithAppOptions(opts ...app.Option) Option {
	return func(s *settings) { s.appOpts = append(s.appOpts, opts...) }
}

// Run runs fn as a parallel subtest against a fresh App on each dialect
// under test.
func Run(t *testing.T, fn func(t *testing.T, a *App), opts ...Option) {
	t.Helper()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		fn(t, New(t, dialect, opts...))
	})
}

// Beside boots a second App on a's database, as a second server process
// would be: its own caches and listener, a's tables (no migrations) and
// no workers. A client reaches it with Client.Against.
func Beside(t testing.TB, a *App, opts ...Option) *App {
	t.Helper()
	env := []string{"DATA_DIR", a.Config.Database.DataDir}
	if a.Dialect == db.Postgres {
		env = append(env, "DATABASE_URL", a.Config.Database.URL)
	}
	return New(t, a.Dialect, append([]Option{WithEnv(env...), WithoutMigrations(), WithoutWorkers()}, opts...)...)
}

// New boots a fresh App on dialect: migrated, workers started and served
// by an httptest server, all torn down when the test ends.
func New(t testing.TB, dialect db.Dialect, opts ...Option) *App {
	t.Helper()
	s := settings{env: map[string]string{}, workers: true, migrate: true}
	for _, o := range opts {
		o(&s)
	}
	srv := httptest.NewUnstartedServer(nil)
	srv.Listener = web.Listener(srv.Listener) // as App.Serve listens
	base := "http://" + srv.Listener.Addr().String()

	env := map[string]string{
		"DATA_DIR":       t.TempDir(),
		"SERVER_URL":     base,
		"EMAIL_PROVIDER": "file",
		"LOG_LEVEL":      "warn",
		// Tests sign many accounts up from one address; the abuse limits'
		// own tests turn them back on.
		"AUTH_RATE_LIMIT": "false",
	}
	if _, given := s.env["DATABASE_URL"]; dialect == db.Postgres && !given {
		env["DATABASE_URL"] = testdb.CreatePostgres(t)
	}
	for k, v := range s.env {
		env[k] = v
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cfg, err := config.Load(lookup)
	if err != nil {
		t.Fatalf("testkit: config: %v", err)
	}

	clock := NewClock(time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC))
	appOpts := append([]app.Option{app.WithEnvironment(lookup), app.WithClock(clock), app.WithLogger(Logger(t)), app.WithMiddleware(testAuth)}, s.appOpts...)
	if !s.workers {
		appOpts = append(appOpts, app.WithoutWorkers())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := app.New(ctx, cfg, appOpts...)
	if err != nil {
		t.Fatalf("testkit: app.New: %v", err)
	}
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Logf("testkit: close: %v", err)
		}
	})
	if err := a.Connect(ctx); err != nil {
		t.Fatalf("testkit: connect: %v", err)
	}
	if s.migrate {
		if err := a.Migrate(ctx); err != nil {
			t.Fatalf("testkit: migrate: %v", err)
		}
	}
	if s.workers && s.migrate {
		if err := a.Start(context.Background()); err != nil {
			t.Fatalf("testkit: start: %v", err)
		}
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	return &App{App: a, URL: base, Clock: clock, Config: cfg, Dialect: dialect, Server: srv, t: t}
}

// Eventually is testdb.Eventually: for effects that reach another process
// asynchronously.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testdb.Eventually(t, what, cond)
}

// EventuallyWithin is testdb.EventuallyWithin: Eventually with its own
// deadline.
func EventuallyWithin(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	testdb.EventuallyWithin(t, what, within, cond)
}
