// Package sqlstore is featureflags' application.Store over PostgreSQL or
// SQLite.
package sqlstore

import (
	"context"
	"embed"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/application"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns featureflags' tables for both dialects.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// topic is the database notification topic of every write.
const topic = "featureflags"

// Store is application.Store over a database.
type Store struct{ db *db.DB }

var _ application.Store = (*Store)(nil)

// New returns the store over d. It does no I/O.
func New(d *db.DB) *Store { return &Store{db: d} }

const columns = `key, runtime, type, default_value, description, client_visible, org_configurable, bucket_by, archived,
	kill_switch, global_value, rollout_percentage, rollout_value, plan_plans, plan_value, updated_at`

func scanRow(r db.Row) (application.Row, error) {
	var x application.Row
	err := r.Scan(&x.Key, &x.Runtime, &x.Type, &x.Default, &x.Description, &x.ClientVisible, &x.OrgConfigurable, &x.BucketBy,
		&x.Archived, &x.KillSwitch, &x.Global, &x.RolloutPercent, &x.RolloutValue, &x.PlanPlans, &x.PlanValue, &x.UpdatedAt)
	return x, err
}

func args(x application.Row) []any {
	return []any{x.Key, x.Runtime, x.Type, x.Default, x.Description, x.ClientVisible, x.OrgConfigurable, x.BucketBy,
		x.Archived, x.KillSwitch, x.Global, x.RolloutPercent, x.RolloutValue, x.PlanPlans, x.PlanValue, x.UpdatedAt}
}

const values = `($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`

// Load implements application.Store.
func (s *Store) Load(ctx context.Context) ([]application.Row, []application.Override, error) {
	rows, err := db.QueryAll(ctx, s.db.Q(ctx), scanRow, "load flags", `SELECT `+columns+` FROM featureflags_flags`)
	if err != nil {
		return nil, nil, err
	}
	ovs, err := db.QueryAll(ctx, s.db.Q(ctx), func(r db.Row) (application.Override, error) {
		var o application.Override
		err := r.Scan(&o.Key, &o.Scope, &o.Subject, &o.Value)
		return o, err
	}, "load overrides", `SELECT flag_key, scope, subject_id, value FROM featureflags_overrides`)
	return rows, ovs, err
}

var errNoRow = db.ErrNoRows

// Lock implements application.Store.
func (s *Store) Lock(ctx context.Context, seed application.Row) (application.Row, error) {
	if _, err := db.Exec(ctx, s.db.QW(ctx), "seed a flag", `INSERT INTO featureflags_flags (`+columns+`) VALUES `+values+`
		ON CONFLICT (key) DO NOTHING`, args(seed)...); err != nil {
		return application.Row{}, err
	}
	return db.QueryOne(ctx, s.db.QW(ctx), scanRow, errNoRow, "lock a flag",
		`SELECT `+columns+` FROM featureflags_flags WHERE key = $1`+s.db.ForUpdate(), seed.Key)
}

// Insert implements application.Store.
func (s *Store) Insert(ctx context.Context, r application.Row) (bool, error) {
	n, err := db.Exec(ctx, s.db.QW(ctx), "create a flag", `INSERT INTO featureflags_flags (`+columns+`) VALUES `+values+`
		ON CONFLICT (key) DO NOTHING`, args(r)...)
	if err != nil || n == 0 {
		return false, err
	}
	return true, s.notify(ctx, r.Key)
}

// Save implements application.Store.
func (s *Store) Save(ctx context.Context, r application.Row) error {
	a := args(r)
	if _, err := db.Exec(ctx, s.db.QW(ctx), "save a flag", `UPDATE featureflags_flags SET runtime = $2, type = $3,
		default_value = $4, description = $5, client_visible = $6, org_configurable = $7, bucket_by = $8, archived = $9,
		kill_switch = $10, global_value = $11, rollout_percentage = $12, rollout_value = $13, plan_plans = $14,
		plan_value = $15, updated_at = $16 WHERE key = $1`, a...); err != nil {
		return err
	}
	return s.notify(ctx, r.Key)
}

// SetOverride implements application.Store.
func (s *Store) SetOverride(ctx context.Context, o application.Override, now time.Time) (string, error) {
	old, err := s.override(ctx, o.Key, o.Scope, o.Subject)
	if err != nil {
		return "", err
	}
	if _, err := db.Exec(ctx, s.db.QW(ctx), "set an override", `INSERT INTO featureflags_overrides
		(flag_key, scope, subject_id, value, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (flag_key, scope, subject_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		o.Key, o.Scope, o.Subject, o.Value, now); err != nil {
		return "", err
	}
	return old, s.notify(ctx, o.Key)
}

func (s *Store) override(ctx context.Context, key, scope, subject string) (string, error) {
	v, err := db.QueryOne(ctx, s.db.QW(ctx), db.ScanValue[string], errNoRow, "read an override",
		`SELECT value FROM featureflags_overrides WHERE flag_key = $1 AND scope = $2 AND subject_id = $3`, key, scope, subject)
	if err == errNoRow {
		return "", nil
	}
	return v, err
}

// DeleteOverride implements application.Store.
func (s *Store) DeleteOverride(ctx context.Context, key, scope, subject string) (string, error) {
	old, err := s.override(ctx, key, scope, subject)
	if err != nil || old == "" {
		return "", err
	}
	if _, err := db.Exec(ctx, s.db.QW(ctx), "delete an override",
		`DELETE FROM featureflags_overrides WHERE flag_key = $1 AND scope = $2 AND subject_id = $3`, key, scope, subject); err != nil {
		return "", err
	}
	return old, s.notify(ctx, key)
}

// DeleteSubject implements application.Store.
func (s *Store) DeleteSubject(ctx context.Context, scope, subject string) error {
	n, err := db.Exec(ctx, s.db.QW(ctx), "delete a subject's overrides",
		`DELETE FROM featureflags_overrides WHERE scope = $1 AND subject_id = $2`, scope, subject)
	if err != nil || n == 0 {
		return err
	}
	return s.notify(ctx, subject)
}

func (s *Store) notify(ctx context.Context, payload string) error {
	return s.db.Notify(ctx, topic, payload)
}

// Listening implements application.Store.
func (s *Store) Listening() bool { return s.db.Listening() }

// Subscribe implements application.Store.
func (s *Store) Subscribe(fn func()) { s.db.Subscribe(topic, func(string, bool) { fn() }) }
