package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, as package db uses it

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/web"
)

// bareRoute is the bench module's only route.
const bareRoute = "GET /bench/bare/{id}"

// benchModule is a product module whose one route is the yardstick for
// get-session: the least a handler behind the same router and middleware can
// do to answer with one row selected by primary key. On PostgreSQL it asks
// the app's pgx pool; on SQLite a database/sql pool of its own, read-only on
// the app's file, as the app's own reader is.
type benchModule struct {
	sqlitePath string

	reader   *sql.DB // SQLite only
	queryRow func(ctx context.Context, id string) scanner
}

// scanner is what pgx.Row and *sql.Row share.
type scanner interface{ Scan(dest ...any) error }

var _ app.Module = (*benchModule)(nil)

// factory is the module's app.ModuleFactory.
func (m *benchModule) factory(d app.Deps) (app.Module, error) {
	const query = "SELECT id, email FROM users WHERE id = $1"
	if pool := d.DB.PgxPool(); pool != nil {
		m.queryRow = func(ctx context.Context, id string) scanner { return pool.QueryRow(ctx, query, id) }
		return m, nil
	}
	q := url.Values{"_pragma": {"query_only(1)", "busy_timeout(10000)"}}
	dsn := "file:" + (&url.URL{Path: m.sqlitePath}).EscapedPath() + "?" + q.Encode()
	reader, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("bench: open sqlite: %w", err)
	}
	// The same size as the app's own read pool (package db's default).
	n := max(8, 4*runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	m.reader = reader
	m.queryRow = func(ctx context.Context, id string) scanner { return reader.QueryRowContext(ctx, query, id) }
	return m, nil
}

// close closes the SQLite pool, if the module opened one.
func (m *benchModule) close() error {
	if m.reader == nil {
		return nil
	}
	return m.reader.Close()
}

func (m *benchModule) Name() string              { return "bench" }
func (m *benchModule) Migrations() db.Migrations { return db.Migrations{} }
func (m *benchModule) Subscribe(*eventbus.Bus)   {}
func (m *benchModule) Workers(*jobs.Registry)    {}
func (m *benchModule) Routes(r *web.Router)      { r.Handle(bareRoute, http.HandlerFunc(m.bare)) }

// bareUser is the bare handler's answer.
type bareUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
}

func (m *benchModule) bare(w http.ResponseWriter, r *http.Request) {
	var u bareUser
	if err := m.queryRow(r.Context(), r.PathValue("id")).Scan(&u.ID, &u.Email); err != nil {
		if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
			http.Error(w, "no such user", http.StatusNotFound)
			return
		}
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	body, _ := json.Marshal(u) // two strings: cannot fail
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
