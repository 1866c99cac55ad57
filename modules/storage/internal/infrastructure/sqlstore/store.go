// Package sqlstore is storage's application.Store over PostgreSQL or
// SQLite: the storage_objects table.
package sqlstore

import (
	"context"
	"embed"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns storage's tables for both dialects; the caller sets
// Module.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// Store is application.Store over a database.
type Store struct{ db *db.DB }

var _ application.Store = (*Store)(nil)

// New returns the store over d. It does no I/O.
func New(d *db.DB) *Store { return &Store{db: d} }

const columns = `key, kind, owner, state, size, content_type, private, name, created_at, updated_at`

func scanRecord(r db.Row) (application.Record, error) {
	var rec application.Record
	var kind string
	err := r.Scan(&rec.Key, &kind, &rec.Owner, &rec.State, &rec.Size, &rec.ContentType, &rec.Private, &rec.Name, &rec.CreatedAt, &rec.UpdatedAt)
	rec.Kind = domain.Kind(kind)
	return rec, err
}

func scanKey(r db.Row) (string, error) { return db.ScanValue[string](r) }

var errNoRecord = kernel.NotFound("storage.no_record", "No record.")

// Claim implements application.Store: an insert as pending, or on the
// key's row an update that keeps a live object live and turns a doomed
// one pending again, unless it is being deleted.
func (s *Store) Claim(ctx context.Context, r application.Record) (bool, error) {
	_, err := db.QueryOne(ctx, s.db.QW(ctx), scanKey, errNoRecord, "claim an object", `INSERT INTO storage_objects (`+columns+`)
		VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $8)
		ON CONFLICT (key) DO UPDATE SET
			state = CASE WHEN storage_objects.state = 'live' THEN 'live' ELSE 'pending' END,
			size = excluded.size, content_type = excluded.content_type, private = excluded.private,
			name = excluded.name, updated_at = excluded.updated_at
		WHERE storage_objects.state <> 'deleting'
		RETURNING key`,
		r.Key, string(r.Kind), r.Owner, r.Size, r.ContentType, r.Private, r.Name, r.UpdatedAt)
	if err == errNoRecord {
		return false, nil
	}
	return err == nil, err
}

// Promote implements application.Store.
func (s *Store) Promote(ctx context.Context, key string, kind domain.Kind, owner string, now time.Time) ([]string, error) {
	doomed, err := db.QueryAll(ctx, s.db.QW(ctx), scanKey, "doom the replaced objects", `UPDATE storage_objects
		SET state = 'doomed', updated_at = $4
		WHERE owner = $1 AND kind = $2 AND state = 'live' AND key <> $3 RETURNING key`, owner, string(kind), key, now)
	if err != nil {
		return nil, err
	}
	_, err = db.Exec(ctx, s.db.QW(ctx), "make an object live",
		`UPDATE storage_objects SET state = 'live', updated_at = $2 WHERE key = $1`, key, now)
	return doomed, err
}

// MarkLive implements application.Store.
func (s *Store) MarkLive(ctx context.Context, key string, now time.Time) error {
	_, err := db.Exec(ctx, s.db.QW(ctx), "make an object live",
		`UPDATE storage_objects SET state = 'live', updated_at = $2 WHERE key = $1`, key, now)
	return err
}

// DoomLive implements application.Store.
func (s *Store) DoomLive(ctx context.Context, kind domain.Kind, owner string, now time.Time) ([]string, error) {
	return db.QueryAll(ctx, s.db.QW(ctx), scanKey, "doom live objects", `UPDATE storage_objects
		SET state = 'doomed', updated_at = $3 WHERE owner = $1 AND kind = $2 AND state = 'live' RETURNING key`,
		owner, string(kind), now)
}

// DoomOwner implements application.Store.
func (s *Store) DoomOwner(ctx context.Context, owner string, now time.Time) ([]string, error) {
	return db.QueryAll(ctx, s.db.QW(ctx), scanKey, "doom an owner's objects", `UPDATE storage_objects
		SET state = 'doomed', updated_at = $2 WHERE owner = $1 AND state IN ('pending', 'live') RETURNING key`,
		owner, now)
}

// DoomPending implements application.Store.
func (s *Store) DoomPending(ctx context.Context, key string, now time.Time) (bool, error) {
	n, err := db.Exec(ctx, s.db.QW(ctx), "doom a pending object",
		`UPDATE storage_objects SET state = 'doomed', updated_at = $2 WHERE key = $1 AND state = 'pending'`, key, now)
	return n == 1, err
}

// DoomKey implements application.Store.
func (s *Store) DoomKey(ctx context.Context, key, owner string, now time.Time) (bool, error) {
	n, err := db.Exec(ctx, s.db.QW(ctx), "doom an object",
		`UPDATE storage_objects SET state = 'doomed', updated_at = $3 WHERE key = $1 AND owner = $2 AND state = 'live'`,
		key, owner, now)
	return n == 1, err
}

// StartDeleting implements application.Store.
func (s *Store) StartDeleting(ctx context.Context, key string, now time.Time) (bool, error) {
	n, err := db.Exec(ctx, s.db.QW(ctx), "start deleting an object",
		`UPDATE storage_objects SET state = 'deleting', updated_at = $2 WHERE key = $1 AND state IN ('doomed', 'deleting')`, key, now)
	return n == 1, err
}

// Forget implements application.Store.
func (s *Store) Forget(ctx context.Context, key string) error {
	_, err := db.Exec(ctx, s.db.QW(ctx), "forget an object",
		`DELETE FROM storage_objects WHERE key = $1 AND state = 'deleting'`, key)
	return err
}

// Live implements application.Store.
func (s *Store) Live(ctx context.Context, kind domain.Kind, owner string) (application.Record, bool, error) {
	return s.one(ctx, `SELECT `+columns+` FROM storage_objects WHERE owner = $1 AND kind = $2 AND state = 'live' ORDER BY updated_at DESC LIMIT 1`,
		owner, string(kind))
}

// Object implements application.Store.
func (s *Store) Object(ctx context.Context, key string) (application.Record, bool, error) {
	return s.one(ctx, `SELECT `+columns+` FROM storage_objects WHERE key = $1`, key)
}

func (s *Store) one(ctx context.Context, query string, args ...any) (application.Record, bool, error) {
	r, err := db.QueryOne(ctx, s.db.Q(ctx), scanRecord, errNoRecord, "read an object", query, args...)
	if err == errNoRecord {
		return application.Record{}, false, nil
	}
	return r, err == nil, err
}

// StalePending implements application.Store.
func (s *Store) StalePending(ctx context.Context, before time.Time, limit int) ([]string, error) {
	return db.QueryAll(ctx, s.db.Q(ctx), scanKey, "list stale claims",
		`SELECT key FROM storage_objects WHERE state = 'pending' AND updated_at < $1 ORDER BY updated_at LIMIT $2`, before, limit)
}
