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
	users    *Users
	sessions *Sessions
	tokens   *VerificationTokens
	limiter  *RateLimiter
}

// New returns a Store over d. It does no I/O.
func New(d *db.DB) *Store {
	return &Store{
		users:    &Users{db: d},
		sessions: &Sessions{db: d},
		tokens:   &VerificationTokens{db: d},
		limiter:  &RateLimiter{db: d},
	}
}

// Users returns the users repository (application.Users).
func (s *Store) Users() *Users { return s.users }

// Sessions returns the sessions repository (application.Sessions).
func (s *Store) Sessions() *Sessions { return s.sessions }

// Tokens returns the verification tokens repository
// (application.VerificationTokens).
func (s *Store) Tokens() *VerificationTokens { return s.tokens }

// Limiter returns the rate limiter (application.RateLimiter).
func (s *Store) Limiter() *RateLimiter { return s.limiter }
