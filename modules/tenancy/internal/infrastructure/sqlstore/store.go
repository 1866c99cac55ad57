package sqlstore

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/groundworkhq/groundwork/db"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the tenancy tables' migrations for both dialects; the
// caller sets Module.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// MaxListLimit bounds what one Memberships.List returns, a guard against an
// unbounded query; a non-positive limit means it too. It sits above any page
// size the application chooses.
const MaxListLimit = 1000

// Store gives the tenancy repositories over one database.
type Store struct {
	Organizations *Organizations // application.Organizations
	Memberships   *Memberships   // application.Memberships
	Roles         *Roles         // application.Roles
	Invitations   *Invitations   // application.Invitations
}

// New returns a Store over d. It does no I/O, but subscribes to d's
// notifications for the access cache, which starts d's listener.
func New(d *db.DB) *Store {
	return &Store{
		Organizations: &Organizations{db: d},
		Memberships:   &Memberships{db: d, cache: newAccessCache(d)},
		Roles:         &Roles{db: d},
		Invitations:   &Invitations{db: d},
	}
}

// encodePermissions returns perms as the JSON array stored in
// roles.permissions; nil is "[]".
func encodePermissions(perms []string) (string, error) {
	if perms == nil {
		perms = []string{}
	}
	b, err := json.Marshal(perms)
	if err != nil {
		return "", fmt.Errorf("encode permissions: %w", err)
	}
	return string(b), nil
}

// decodePermissions reads a roles.permissions value.
func decodePermissions(s string) ([]string, error) {
	var perms []string
	if err := json.Unmarshal([]byte(s), &perms); err != nil {
		return nil, fmt.Errorf("decode permissions: %w", err)
	}
	return perms, nil
}
