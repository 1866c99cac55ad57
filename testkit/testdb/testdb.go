// Package testdb gives tests a fresh, empty database of each dialect: SQLite
// always, PostgreSQL too when TEST_POSTGRES_URL is set. Each PostgreSQL test
// gets a database of its own, created for it and dropped after it.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/groundworkhq/groundwork/db"
)

// EnvPostgresURL names the variable that enables the PostgreSQL runs.
const EnvPostgresURL = "TEST_POSTGRES_URL"

// Dialects returns the dialects under test.
func Dialects() []db.Dialect {
	if os.Getenv(EnvPostgresURL) != "" {
		return []db.Dialect{db.SQLite, db.Postgres}
	}
	return []db.Dialect{db.SQLite}
}

// Run runs fn as a parallel subtest named after each dialect under test.
func Run(t *testing.T, fn func(t *testing.T, dialect db.Dialect)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// Options returns db.Options for a new empty database of the dialect, which
// is removed when the test ends.
func Options(t testing.TB, dialect db.Dialect) db.Options {
	t.Helper()
	if dialect == db.SQLite {
		return db.Options{SQLitePath: filepath.Join(t.TempDir(), "test.db")}
	}
	return db.Options{URL: CreatePostgres(t)}
}

// Open opens a new empty database of the dialect, closed and removed when the
// test ends.
func Open(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := db.Open(ctx, Options(t, dialect))
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// CreatePostgres creates a database named for no one else on the server of
// TEST_POSTGRES_URL and returns its URL; it is dropped when the test ends.
// The test is skipped when TEST_POSTGRES_URL is unset.
func CreatePostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgresURL)
	if base == "" {
		t.Skip(EnvPostgresURL + " is not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "gwtest_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvPostgresURL, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Logf("drop database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgresURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Migrate applies a module's migrations to d, then takes them all down and
// up again, so every test that uses it also proves the Down sections drop
// what the Up sections create.
func Migrate(t testing.TB, d *db.DB, module string, m db.Migrations) {
	t.Helper()
	ctx := context.Background()
	m.Module = module
	set, err := d.GooseSet(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Up(ctx); err != nil {
		t.Fatalf("migrate %s up: %v", module, err)
	}
	if ok, err := set.Down(ctx); err != nil || !ok {
		t.Fatalf("migrate %s down: %v, %v", module, ok, err)
	}
	// Down rolls back one migration at a time: the rest go down too.
	for {
		ok, err := set.Down(ctx)
		if err != nil {
			t.Fatalf("migrate %s down: %v", module, err)
		}
		if !ok {
			break
		}
	}
	if _, err := set.Up(ctx); err != nil {
		t.Fatalf("migrate %s up again: %v", module, err)
	}
}

// Eventually polls cond every few milliseconds for up to 30 seconds and
// fails the test with what if it never holds: for effects that reach
// another process or goroutine asynchronously, such as database
// notifications. It never stands in for a timing claim.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	EventuallyWithin(t, what, 30*time.Second, cond) // generous: CI runs the suite under -race on two cores
}

// EventuallyWithin is Eventually with its own deadline, for what takes
// longer by design (a rescue after a crash, a periodic pass).
func EventuallyWithin(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting: %s", within, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
