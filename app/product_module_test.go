package app_test

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/riverqueue/river"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

// widgets is a product module as a downstream product would write one: its
// own tables, a typed route, an event, a listener that enqueues a job in
// the publisher's transaction, and the job's worker.

//go:embed testdata/widgets
var widgetMigrations embed.FS

type widgetKind struct{}

func (widgetKind) Prefix() string { return "wdg" }

type widgetID = kernel.ID[widgetKind]

type widgetCreated struct {
	ID   widgetID
	Name string
}

func (widgetCreated) EventName() string { return "widgets.widget.created" }

type receiptArgs struct {
	WidgetID widgetID `json:"widgetId"`
}

func (receiptArgs) Kind() string { return "widgets.receipt" }

type widgets struct {
	db    *db.DB
	bus   *eventbus.Bus
	jobs  *jobs.Client
	clock kernel.Clock
	// gate, when set, holds the slow route until it is closed.
	gate chan struct{}
	runs atomic.Int64
}

// newWidgets returns the factory app.WithModules takes, and the module it
// builds, for the test to watch.
func newWidgets() (app.ModuleFactory, *widgets) {
	m := &widgets{gate: make(chan struct{})}
	return func(d app.Deps) (app.Module, error) {
		m.db, m.jobs, m.clock = d.DB, d.Jobs, d.Clock
		return m, nil
	}, m
}

func (m *widgets) Name() string { return "widgets" }

func (m *widgets) Migrations() db.Migrations {
	lite, _ := fs.Sub(widgetMigrations, "testdata/widgets/sqlite")
	pg, _ := fs.Sub(widgetMigrations, "testdata/widgets/postgres")
	return db.Migrations{SQLite: lite, Postgres: pg}
}

func (m *widgets) Subscribe(bus *eventbus.Bus) {
	m.bus = bus
	eventbus.Subscribe(bus, "widgets", func(ctx context.Context, e widgetCreated) error {
		if e.Name == "rollback" {
			return kernel.Conflict("widgets.refused", "This widget is refused by a listener.")
		}
		_, err := m.jobs.Insert(ctx, receiptArgs{WidgetID: e.ID}, nil)
		return err
	})
}

func (m *widgets) Workers(reg *jobs.Registry) {
	jobs.AddWorker(reg, river.WorkFunc(func(ctx context.Context, j *river.Job[receiptArgs]) error {
		m.runs.Add(1)
		_, err := m.db.QW(ctx).Exec(ctx, `INSERT INTO widget_receipts (widget_id, job_id) VALUES ($1, $2)`, j.Args.WidgetID, j.ID)
		return err
	}))
}

type createWidgetInput struct {
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"40"`
	}
}

type widgetOutput struct {
	Body struct {
		ID        widgetID  `json:"id"`
		Name      string    `json:"name"`
		CreatedAt time.Time `json:"createdAt"`
	}
}

func (m *widgets) Routes(r *web.Router) {
	huma.Register(r.API(), huma.Operation{
		OperationID: "create-widget", Method: http.MethodPost, Path: "/api/widgets",
		DefaultStatus: http.StatusCreated, Tags: []string{"Widgets"},
	}, func(ctx context.Context, in *createWidgetInput) (*widgetOutput, error) {
		out := &widgetOutput{}
		out.Body.ID, out.Body.Name, out.Body.CreatedAt = kernel.NewID[widgetKind](), in.Body.Name, m.clock.Now()
		err := m.db.Tx(ctx, func(ctx context.Context) error {
			_, err := m.db.Q(ctx).Exec(ctx, `INSERT INTO widgets (id, name, created_at) VALUES ($1, $2, $3)`,
				out.Body.ID, out.Body.Name, out.Body.CreatedAt)
			if _, dup := db.IsConstraint(err, db.Unique); dup {
				return kernel.Conflict("widgets.name_taken", "A widget with this name exists.")
			}
			if err != nil {
				return err
			}
			return m.bus.Publish(ctx, widgetCreated{ID: out.Body.ID, Name: out.Body.Name})
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	})
	huma.Register(r.API(), huma.Operation{
		OperationID: "get-widget", Method: http.MethodGet, Path: "/api/widgets/{id}", Tags: []string{"Widgets"},
	}, func(ctx context.Context, in *struct {
		ID string `path:"id"`
	}) (*widgetOutput, error) {
		id, err := kernel.ParseID[widgetKind](in.ID)
		if err != nil {
			return nil, kernel.NotFound("widgets.not_found", "No such widget.")
		}
		out := &widgetOutput{}
		err = m.db.Q(ctx).QueryRow(ctx, `SELECT id, name, created_at FROM widgets WHERE id = $1`, id).
			Scan(&out.Body.ID, &out.Body.Name, &out.Body.CreatedAt)
		if errors.Is(err, db.ErrNoRows) {
			return nil, kernel.NotFound("widgets.not_found", "No such widget.")
		}
		return out, err
	})
	r.Handle("GET /api/widgets-slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted) // the client sees the request has arrived
		w.(http.Flusher).Flush()
		<-m.gate
		_, _ = w.Write([]byte("done"))
	}))
}
