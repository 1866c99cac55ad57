package app_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/web"
)

// hello is the smallest module: no tables, no events, no jobs, one route.
type hello struct{}

func (hello) Name() string              { return "hello" }
func (hello) Migrations() db.Migrations { return db.Migrations{} }
func (hello) Subscribe(*eventbus.Bus)   {}
func (hello) Workers(*jobs.Registry)    {}
func (hello) Routes(r *web.Router) {
	r.Handle("GET /hello", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("hello from a product module"))
	}))
}

// A product wires its modules into the platform: app.New does no I/O,
// Migrate applies every module's migrations, Start runs the workers.
func ExampleWithModules() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "app-example")
	defer os.RemoveAll(dir)
	cfg, err := config.Load(func(k string) (string, bool) { // or config.Load(os.LookupEnv)
		v, ok := map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "error"}[k]
		return v, ok
	})
	if err != nil {
		log.Fatal(err)
	}
	a, err := app.New(ctx, cfg, app.WithModules(func(app.Deps) (app.Module, error) { return hello{}, nil }))
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/hello", nil))
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	// Output: 200 hello from a product module
}
