package sqlstore

import (
	"embed"

	"github.com/groundworkhq/groundwork/db"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the iam tables' migrations for both dialects; the
// caller sets Module.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// Store gives the iam repositories over one database.
type Store struct {
	Users    *Users              // application.Users
	Sessions *Sessions           // application.Sessions
	Tokens   *VerificationTokens // application.VerificationTokens
	Limiter  *RateLimiter        // application.RateLimiter
}

// New returns a Store over d. It does no I/O.
func New(d *db.DB) *Store {
	return &Store{
		Users:    &Users{db: d},
		Sessions: &Sessions{db: d},
		Tokens:   &VerificationTokens{db: d},
		Limiter:  &RateLimiter{db: d},
	}
}
