// Package sqlstore keeps the platform module's setup token, on SQLite or
// PostgreSQL, and embeds its migrations.
package sqlstore

import (
	"context"
	"embed"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/platform/internal/application"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the platform tables' migrations for both dialects;
// the caller sets Module.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// Bootstrap is the BootstrapStore over a database.
type Bootstrap struct{ db *db.DB }

var _ application.BootstrapStore = (*Bootstrap)(nil)

// NewBootstrap returns the store over d. It does no I/O.
func NewBootstrap(d *db.DB) *Bootstrap { return &Bootstrap{db: d} }

// Replace stores t as the one setup token.
func (s *Bootstrap) Replace(ctx context.Context, t application.BootstrapToken) error {
	_, err := db.Exec(ctx, s.db.QW(ctx), "replace the setup token", `
		INSERT INTO platform_bootstrap (id, token_hash, created_at, expires_at, spent_at, spent_by)
		VALUES (1, $1, $2, $3, NULL, NULL)
		ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at,
			expires_at = excluded.expires_at, spent_at = NULL, spent_by = NULL`,
		t.Hash[:], t.CreatedAt, t.ExpiresAt)
	return err
}

// Lock reads the setup token, locking its row on PostgreSQL (SQLite's
// one writer serializes the transaction already).
func (s *Bootstrap) Lock(ctx context.Context) (application.BootstrapToken, bool, error) {
	t, err := db.QueryOne(ctx, s.db.QW(ctx), func(r db.Row) (application.BootstrapToken, error) {
		var t application.BootstrapToken
		var hash []byte
		if err := r.Scan(&hash, &t.CreatedAt, &t.ExpiresAt, &t.SpentAt); err != nil {
			return t, err
		}
		copy(t.Hash[:], hash)
		return t, nil
	}, errNone, "read the setup token",
		`SELECT token_hash, created_at, expires_at, spent_at FROM platform_bootstrap WHERE id = 1`+s.db.ForUpdate())
	if err == errNone {
		return application.BootstrapToken{}, false, nil
	}
	return t, err == nil, err
}

var errNone = kernel.NotFound("platform.no_setup_token", "There is no setup token.")

// Spend marks the setup token spent.
func (s *Bootstrap) Spend(ctx context.Context, user kernel.UserID, at time.Time) error {
	return db.ExecOne(ctx, s.db.QW(ctx), errNone, "spend the setup token",
		`UPDATE platform_bootstrap SET spent_at = $1, spent_by = $2 WHERE id = 1`, at, user.String())
}
