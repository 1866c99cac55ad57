package db

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"time"

	"github.com/pressly/goose/v3"
)

// MigrationSet is one owner's migrations (a module's, or the job queue's).
// Sets are applied in the order the application lists them and each keeps
// its own history, so modules number their migrations independently.
type MigrationSet interface {
	// Name is the owner, e.g. "iam" or "river".
	Name() string
	// Up applies every pending migration and returns how many it applied.
	Up(ctx context.Context) (int, error)
	// Down rolls back the most recent applied migration; false if none was.
	Down(ctx context.Context) (bool, error)
	// Status lists every known migration and whether it is applied.
	Status(ctx context.Context) ([]MigrationStatus, error)
}

// MigrationStatus is one migration's state.
type MigrationStatus struct {
	Set       string
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// Migrations are a module's SQL migrations for both dialects: goose files
// named NNNNN_description.sql with "-- +goose Up" and "-- +goose Down"
// sections, usually embedded with go:embed and fs.Sub'd to the folder.
type Migrations struct {
	Module   string
	SQLite   fs.FS
	Postgres fs.FS
}

// GooseSet returns m as a MigrationSet on d, tracked in the table
// "schema_migrations_<module>".
func (d *DB) GooseSet(m Migrations) (MigrationSet, error) {
	fsys, dialect := m.SQLite, goose.DialectSQLite3
	if d.dialect == Postgres {
		fsys, dialect = m.Postgres, goose.DialectPostgres
	}
	if fsys == nil {
		return nil, fmt.Errorf("migrations of %s: none for %s", m.Module, d.dialect)
	}
	p, err := goose.NewProvider(dialect, d.SQLDB(), fsys,
		goose.WithTableName("schema_migrations_"+m.Module),
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations of %s: %w", m.Module, err)
	}
	return gooseSet{name: m.Module, p: p}, nil
}

type gooseSet struct {
	name string
	p    *goose.Provider
}

func (s gooseSet) Name() string { return s.name }

func (s gooseSet) Up(ctx context.Context) (int, error) {
	res, err := s.p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("migrate %s up: %w", s.name, err)
	}
	return len(res), nil
}

func (s gooseSet) Down(ctx context.Context) (bool, error) {
	_, err := s.p.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("migrate %s down: %w", s.name, err)
	}
	return true, nil
}

func (s gooseSet) Status(ctx context.Context) ([]MigrationStatus, error) {
	st, err := s.p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status of %s: %w", s.name, err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, m := range st {
		out = append(out, MigrationStatus{
			Set: s.name, Version: m.Source.Version, Name: baseName(m.Source.Path),
			Applied: m.State == goose.StateApplied, AppliedAt: m.AppliedAt.UTC(),
		})
	}
	return out, nil
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}

// Migrator applies migration sets in order.
type Migrator struct {
	db     *DB
	sets   []MigrationSet
	logger *slog.Logger
}

// NewMigrator returns a Migrator over sets, applied in the given order.
func NewMigrator(d *DB, logger *slog.Logger, sets ...MigrationSet) *Migrator {
	return &Migrator{db: d, sets: sets, logger: logger}
}

// migrationLockKey is the PostgreSQL advisory lock held while migrating, so
// several processes starting at once migrate one after another.
const migrationLockKey = 0x67726e64776b // "grndwk"

// Up applies every pending migration of every set, in order.
func (m *Migrator) Up(ctx context.Context) error {
	return m.locked(ctx, func() error {
		for _, s := range m.sets {
			n, err := s.Up(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				m.logger.Info("migrations applied", "set", s.Name(), "count", n)
			}
		}
		return nil
	})
}

// Down rolls back the most recent migration of the last set (in application
// order) that has any applied, so dependants are unwound before what they
// depend on. It returns the set's name, or "" when nothing was applied.
func (m *Migrator) Down(ctx context.Context) (string, error) {
	var name string
	err := m.locked(ctx, func() error {
		for i := len(m.sets) - 1; i >= 0; i-- {
			ok, err := m.sets[i].Down(ctx)
			if err != nil {
				return err
			}
			if ok {
				name = m.sets[i].Name()
				return nil
			}
		}
		return nil
	})
	return name, err
}

// Status lists every migration of every set.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	var all []MigrationStatus
	for _, s := range m.sets {
		st, err := s.Status(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, st...)
	}
	return all, nil
}

// Pending returns the number of migrations not yet applied.
func (m *Migrator) Pending(ctx context.Context) (int, error) {
	st, err := m.Status(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range st {
		if !s.Applied {
			n++
		}
	}
	return n, nil
}

func (m *Migrator) locked(ctx context.Context, fn func() error) error {
	if m.db.dialect != Postgres {
		unlock, err := lockFile(m.db.sqlitePath + ".migrate-lock")
		if err != nil {
			return err
		}
		defer unlock()
		return fn()
	}
	conn, err := m.db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLockKey)); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLockKey))
	}()
	return fn()
}

// EmbeddedMigrations returns the migrations in root/sqlite and
// root/postgres of fsys (usually a go:embed FS) as Migrations; the caller
// sets Module. A missing folder is a build mistake, so it panics.
func EmbeddedMigrations(fsys fs.FS, root string) Migrations {
	lite, err := fs.Sub(fsys, root+"/sqlite")
	if err != nil {
		panic(fmt.Sprintf("migrations %s/sqlite: %v", root, err))
	}
	pg, err := fs.Sub(fsys, root+"/postgres")
	if err != nil {
		panic(fmt.Sprintf("migrations %s/postgres: %v", root, err))
	}
	return Migrations{SQLite: lite, Postgres: pg}
}

// MergeMigrations returns the migrations of a and b as one module's set
// (a's Module): the files of both, by dialect, in version order. Their
// version numbers must not collide (goose refuses a duplicate). It lets a
// module's adapter keep tables of its own, migrated with the module's.
func MergeMigrations(a, b Migrations) Migrations {
	return Migrations{Module: a.Module, SQLite: unionFS{a.SQLite, b.SQLite}, Postgres: unionFS{a.Postgres, b.Postgres}}
}

// unionFS is the files of several flat migration folders as one; a nil
// member is skipped.
type unionFS []fs.FS

func (u unionFS) Open(name string) (fs.File, error) {
	for _, f := range u {
		if f == nil {
			continue
		}
		if file, err := f.Open(name); err == nil {
			return file, nil
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (u unionFS) ReadDir(name string) ([]fs.DirEntry, error) {
	var all []fs.DirEntry
	for _, f := range u {
		if f == nil {
			continue
		}
		entries, err := fs.ReadDir(f, name)
		if err != nil {
			return nil, err
		}
		all = append(all, entries...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name() < all[j].Name() })
	return all, nil
}
