package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/groundworkhq/groundwork/db"
)

// MigrationSetName is the name of River's migration set.
const MigrationSetName = "river"

// MigrationSet returns River's own schema (river_job, river_leader, …) as a
// db.MigrationSet named "river", applied with the dialect's River driver and
// tracked by River in river_migration. Up applies every pending River
// version, Down rolls back the latest one, Status lists River's versions.
// Each River version runs in a transaction of its own on d's writer, so call
// it outside any transaction. It does no I/O until a method is called.
func MigrationSet(d *db.DB) db.MigrationSet {
	// River's migrator logs each version applied; db.Migrator already logs
	// the count per set.
	cfg := &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)}
	var (
		m   riverMigrator
		err error
	)
	if d.Dialect() == db.Postgres {
		var mg *rivermigrate.Migrator[pgx.Tx]
		mg, err = rivermigrate.New(riverpgxv5.New(d.PgxPool()), cfg)
		m = mg
	} else {
		var mg *rivermigrate.Migrator[*sql.Tx]
		mg, err = rivermigrate.New(riversqlite.New(d.SQLDB()), cfg)
		m = mg
	}
	return &migrationSet{d: d, m: m, err: err}
}

// riverMigrator is what migrationSet needs of rivermigrate.Migrator[TTx].
type riverMigrator interface {
	AllVersions() []rivermigrate.Migration
	ExistingVersions(ctx context.Context) ([]rivermigrate.Migration, error)
	Migrate(ctx context.Context, direction rivermigrate.Direction, opts *rivermigrate.MigrateOpts) (*rivermigrate.MigrateResult, error)
}

var _ db.MigrationSet = (*migrationSet)(nil)

type migrationSet struct {
	d   *db.DB
	m   riverMigrator
	err error // from rivermigrate.New; only for an unknown migration line
}

func (s *migrationSet) Name() string { return MigrationSetName }

func (s *migrationSet) Up(ctx context.Context) (int, error) {
	if s.err != nil {
		return 0, fmt.Errorf("migrate river up: %w", s.err)
	}
	res, err := s.m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate river up: %w", err)
	}
	return len(res.Versions), nil
}

func (s *migrationSet) Down(ctx context.Context) (bool, error) {
	if s.err != nil {
		return false, fmt.Errorf("migrate river down: %w", s.err)
	}
	// River rolls back one version by default.
	res, err := s.m.Migrate(ctx, rivermigrate.DirectionDown, nil)
	if err != nil {
		return false, fmt.Errorf("migrate river down: %w", err)
	}
	return len(res.Versions) > 0, nil
}

func (s *migrationSet) Status(ctx context.Context) ([]db.MigrationStatus, error) {
	if s.err != nil {
		return nil, fmt.Errorf("migration status of river: %w", s.err)
	}
	existing, err := s.m.ExistingVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status of river: %w", err)
	}
	applied := make(map[int]time.Time, len(existing))
	for _, m := range existing {
		applied[m.Version] = time.Time{}
	}
	if len(existing) > 0 {
		if err := s.appliedAt(ctx, applied); err != nil {
			return nil, fmt.Errorf("migration status of river: %w", err)
		}
	}
	all := s.m.AllVersions()
	out := make([]db.MigrationStatus, 0, len(all))
	for _, m := range all {
		at, ok := applied[m.Version]
		out = append(out, db.MigrationStatus{
			Set: MigrationSetName, Version: int64(m.Version), Name: m.Name,
			Applied: ok, AppliedAt: at,
		})
	}
	return out, nil
}

// appliedAt fills in when each applied version was applied; River's public
// API does not return it. Only called once river_migration exists.
func (s *migrationSet) appliedAt(ctx context.Context, applied map[int]time.Time) error {
	rows, err := s.d.Q(ctx).Query(ctx, "SELECT version, created_at FROM river_migration WHERE line = 'main'")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			v  int
			at time.Time
		)
		if err := rows.Scan(&v, &at); err != nil {
			return err
		}
		if _, ok := applied[v]; ok {
			applied[v] = at.UTC()
		}
	}
	return rows.Err()
}
