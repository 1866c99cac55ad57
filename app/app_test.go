package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/testkit"
)

// waitFor bounds every wait for background work.
const waitFor = 30 * time.Second

func TestProductModule_EndToEnd(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		c := a.Client()

		// Created: the row, the event and the job it enqueued all commit.
		var created struct {
			ID        string    `json:"id"`
			Name      string    `json:"name"`
			CreatedAt time.Time `json:"createdAt"`
		}
		c.Post("/api/widgets", map[string]any{"name": "sprocket"}).RequireStatus(t, http.StatusCreated).JSON(t, &created)
		if created.Name != "sprocket" || !created.CreatedAt.Equal(a.Clock.Now()) || len(created.ID) != 30 {
			t.Errorf("created = %+v", created)
		}
		var got struct{ ID, Name string }
		c.Get("/api/widgets/"+created.ID).RequireStatus(t, http.StatusOK).JSON(t, &got)
		if got.ID != created.ID || got.Name != "sprocket" {
			t.Errorf("get = %+v, want %+v", got, created)
		}
		waitForReceipt(t, a, created.ID)

		// A listener's error rolls the whole request back: no row, no job.
		c.Post("/api/widgets", map[string]any{"name": "rollback"}).RequireProblem(t, http.StatusConflict, "widgets.refused")
		var n int
		if err := a.DB().Q(context.Background()).QueryRow(context.Background(),
			`SELECT COUNT(*) FROM widgets WHERE name = 'rollback'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("rolled-back widget rows = %d (%v), want 0", n, err)
		}

		// Domain errors and framework errors come out as problems.
		c.Post("/api/widgets", map[string]any{"name": "sprocket"}).RequireProblem(t, http.StatusConflict, "widgets.name_taken")
		p := c.Post("/api/widgets", map[string]any{"name": ""}).RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")
		if _, ok := p.Field("body.name"); !ok {
			t.Errorf("validation problem has no body.name field error: %+v", p.Errors)
		}
		c.Post("/api/widgets", `{"name":`).RequireProblem(t, http.StatusBadRequest, "http.malformed_json")
		c.Get("/api/widgets/wdg_nope").RequireProblem(t, http.StatusNotFound, "widgets.not_found")
		c.Get("/api/nothing-here").RequireProblem(t, http.StatusNotFound, "http.not_found")

		// The module's routes are in the OpenAPI document.
		var doc struct {
			OpenAPI string                    `json:"openapi"`
			Paths   map[string]map[string]any `json:"paths"`
		}
		c.Get("/api/openapi.json").RequireStatus(t, http.StatusOK).JSON(t, &doc)
		if doc.OpenAPI != "3.1.0" || doc.Paths["/api/widgets"]["post"] == nil {
			t.Errorf("openapi %q lacks POST /api/widgets: %v", doc.OpenAPI, doc.Paths)
		}
	}, testkit.WithAppOptions(app.WithModules(func(d app.Deps) (app.Module, error) {
		factory, _ := newWidgets() // one module per app: each dialect's runs in parallel
		return factory(d)
	})))
}

// waitForReceipt polls until the job enqueued for widget id has written its
// receipt, and checks it wrote exactly one.
func waitForReceipt(t *testing.T, a *testkit.App, id string) {
	t.Helper()
	ctx := context.Background()
	testkit.Eventually(t, "the receipt of widget "+id, func() bool {
		var n int
		if err := a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM widget_receipts WHERE widget_id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	})
}

func TestReadiness(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		c := a.Client()
		c.Get("/healthz").RequireStatus(t, http.StatusOK)
		c.Get("/readyz").RequireProblem(t, http.StatusServiceUnavailable, "http.not_ready")

		if err := a.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		var ready struct{ Status string }
		c.Get("/readyz").RequireStatus(t, http.StatusOK).JSON(t, &ready)
		if ready.Status != "ready" {
			t.Errorf("readyz status = %q", ready.Status)
		}

		// An unreachable database makes the app unready again.
		if err := a.DB().Close(); err != nil {
			t.Fatal(err)
		}
		c.Get("/readyz").RequireProblem(t, http.StatusServiceUnavailable, "http.not_ready")
		c.Get("/healthz").RequireStatus(t, http.StatusOK) // liveness does not depend on it
	}, testkit.WithoutMigrations())
}

func TestMetricsCountRequestsAndJobs(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		c := a.Client()
		c.Post("/api/widgets", map[string]any{"name": "gear"}).RequireStatus(t, http.StatusCreated)
		body := string(c.Get("/metrics").RequireStatus(t, http.StatusOK).Body)
		for _, want := range []string{
			`http_requests_total{method="POST",route="POST /api/widgets",status="201"} 1`,
			`jobs{queue="default",state=`,
			`go_goroutines`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	}, testkit.WithAppOptions(app.WithModules(func(d app.Deps) (app.Module, error) {
		factory, _ := newWidgets()
		return factory(d)
	})), testkit.WithoutWorkers())
}

// TestServe_DrainsInFlightRequests cancels Serve's context while a request
// is in flight: the request still completes and Serve returns nil.
func TestServe_DrainsInFlightRequests(t *testing.T) {
	t.Parallel()
	factory, widgets := newWidgets()
	cfg, err := config.Load(func(k string) (string, bool) {
		v, ok := map[string]string{"DATA_DIR": t.TempDir(), "SHUTDOWN_TIMEOUT": "20s"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, app.WithModules(factory), app.WithLogger(testkit.Logger(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	addrc := make(chan net.Addr, 1)
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, "127.0.0.1:0", func(addr net.Addr) { addrc <- addr }) }()
	addr := <-addrc

	resp, err := http.Get("http://" + addr.String() + "/api/widgets-slow")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cancel() // SIGTERM arrives while the request is in flight

	// New connections are refused once shutdown has begun.
	testkit.Eventually(t, "the listener to refuse connections once shutdown began", func() bool {
		conn, err := net.DialTimeout("tcp", addr.String(), time.Second)
		if err != nil {
			return true
		}
		conn.Close()
		return false
	})
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) before the in-flight request finished", err)
	default:
	}
	close(widgets.gate)
	body, err := io.ReadAll(resp.Body)
	if err != nil || string(body) != "done" {
		t.Fatalf("in-flight request: body %q, err %v", body, err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve = %v, want nil", err)
		}
	case <-time.After(waitFor):
		t.Fatal("Serve did not return after the last request finished")
	}
}

func TestNew_FailsCleanlyOnABadModule(t *testing.T) {
	t.Parallel()
	cfg, err := config.Load(func(k string) (string, bool) {
		return map[string]string{"DATA_DIR": t.TempDir()}[k], k == "DATA_DIR"
	})
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("bad provider setting")
	_, err = app.New(context.Background(), cfg, app.WithModules(func(app.Deps) (app.Module, error) { return nil, boom }))
	if !errors.Is(err, boom) {
		t.Fatalf("New = %v, want the factory's error", err)
	}
}

// TestNew_DoesNoIO: New touches neither the disk nor the network — the
// SQLite folder does not exist until Migrate, and an unreachable
// PostgreSQL fails Migrate and Start, not New. A failed Start is reported
// again by every later Start.
func TestNew_DoesNoIO(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "not-yet")
	cfg, err := config.Load(func(k string) (string, bool) {
		return map[string]string{"DATA_DIR": dir}[k], k == "DATA_DIR"
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("New created %s: %v", dir, err)
	}
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "groundwork.db")); err != nil {
		t.Errorf("Migrate made no database: %v", err)
	}
	_ = a.Close()

	// Nothing listens on this port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	pg, err := config.Load(func(k string) (string, bool) {
		v, ok := map[string]string{"DATA_DIR": t.TempDir(), "DATABASE_URL": fmt.Sprintf("postgres://nobody@127.0.0.1:%d/none?connect_timeout=2", port)}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.New(ctx, pg)
	if err != nil {
		t.Fatalf("New with an unreachable PostgreSQL: %v", err)
	}
	defer b.Close()
	if err := b.Migrate(ctx); err == nil {
		t.Fatal("Migrate against nothing succeeded")
	}
	first := b.Start(ctx)
	if first == nil {
		t.Fatal("Start against nothing succeeded")
	}
	if again := b.Start(ctx); again == nil || again.Error() != first.Error() {
		t.Errorf("second Start = %v, want the first failure %v", again, first)
	}
}
