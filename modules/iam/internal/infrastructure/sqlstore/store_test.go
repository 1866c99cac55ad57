package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
	"github.com/groundworkhq/groundwork/modules/iam/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

var t0 = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// setup returns a store on a fresh, migrated database of the dialect.
func setup(t testing.TB, dialect db.Dialect) (*sqlstore.Store, *db.DB) {
	t.Helper()
	d := testdb.Open(t, dialect)
	testdb.Migrate(t, d, "iam", sqlstore.Migrations())
	return sqlstore.New(d), d
}

// newUser returns a valid, unsaved user with that email and name.
func newUser(t testing.TB, email, name string) *domain.User {
	t.Helper()
	u, err := domain.NewUser(domain.NewUserParams{Email: email, Name: name, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// createUser stores a new user.
func createUser(t testing.TB, s *sqlstore.Store, email, name string) *domain.User {
	t.Helper()
	u := newUser(t, email, name)
	if err := s.Users.Create(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func newToken(t testing.TB) kernel.Token {
	t.Helper()
	tok, err := kernel.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// flat prints every field of a snapshot, times as RFC 3339 in UTC, so that
// two snapshots compare as strings and a mismatch reads well.
func flat(v any) string {
	switch s := v.(type) {
	case domain.UserSnapshot:
		return fmt.Sprintf("id=%s email=%q verified=%v name=%q username=%q locale=%q image=%q active=%v admin=%v hash=%q login=%s created=%s updated=%s",
			s.ID, s.Email, s.EmailVerified, s.Name, s.Username, s.Locale, s.Image, s.Active, s.PlatformAdmin,
			s.PasswordHash, ptime(s.LastLoginAt), ftime(s.CreatedAt), ftime(s.UpdatedAt))
	case domain.SessionSnapshot:
		return fmt.Sprintf("id=%s user=%s hash=%x expires=%s created=%s updated=%s ip=%q ua=%q impersonator=%s",
			s.ID, s.UserID, s.TokenHash, ftime(s.ExpiresAt), ftime(s.CreatedAt), ftime(s.UpdatedAt), s.IPAddress, s.UserAgent, s.ImpersonatorID)
	case domain.VerificationTokenSnapshot:
		return fmt.Sprintf("id=%s purpose=%s user=%s email=%q hash=%x expires=%s used=%s created=%s",
			s.ID, s.Purpose, s.UserID, s.Email, s.TokenHash, ftime(s.ExpiresAt), ptime(s.UsedAt), ftime(s.CreatedAt))
	}
	panic(fmt.Sprintf("flat: %T", v))
}

func ftime(t time.Time) string {
	if t.Location() != time.UTC {
		return "non-UTC " + t.String()
	}
	return t.Format(time.RFC3339Nano)
}

func ptime(t *time.Time) string {
	if t == nil {
		return "nil"
	}
	return ftime(*t)
}
