package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// t0 has nanoseconds: both dialects keep microseconds, which is what the
// round trips compare.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

// setup returns a store on a fresh, migrated database of the dialect.
func setup(t testing.TB, dialect db.Dialect) (*sqlstore.Store, *db.DB) {
	t.Helper()
	d := testdb.Open(t, dialect)
	testdb.Migrate(t, d, "tenancy", sqlstore.Migrations())
	return sqlstore.New(d), d
}

func newUserID() kernel.UserID { return kernel.NewID[kernel.UserKind]() }

// createOrg stores a new organization created at at.
func createOrg(t testing.TB, s *sqlstore.Store, name, slug string, at time.Time) *domain.Organization {
	t.Helper()
	o, err := domain.NewOrganization(name, slug, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Organizations.Create(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

// join stores a membership of user in org with role, joined at at.
func join(t testing.TB, s *sqlstore.Store, org kernel.OrganizationID, user kernel.UserID, role string, at time.Time) *domain.Membership {
	t.Helper()
	m, err := domain.NewMembership(org, user, role, at)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Memberships.Create(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

// catalog returns a Catalog with tenancy's permissions and iam's users:*.
func catalog(t testing.TB) *domain.Catalog {
	t.Helper()
	c := domain.NewCatalog()
	if err := domain.DeclarePermissions(c); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"users:read", "users:update"} {
		if err := c.Declare(p, "Users: "+p); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// newRole returns a valid, unsaved custom role of org.
func newRole(t testing.TB, org kernel.OrganizationID, name string, perms []string, at time.Time) *domain.Role {
	t.Helper()
	r, err := domain.NewCustomRole(org, name, perms, catalog(t), at)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// createRole stores a new custom role of org.
func createRole(t testing.TB, s *sqlstore.Store, org kernel.OrganizationID, name string, perms []string, at time.Time) *domain.Role {
	t.Helper()
	r := newRole(t, org, name, perms, at)
	if err := s.Roles.Create(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

func newHash(t testing.TB) [32]byte {
	t.Helper()
	tok, err := kernel.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok.Hash()
}

// createInvitation stores a pending invitation of org for email, sent at at.
func createInvitation(t testing.TB, s *sqlstore.Store, org kernel.OrganizationID, email string, at time.Time) *domain.Invitation {
	t.Helper()
	i, err := domain.NewInvitation(domain.NewInvitationParams{
		OrganizationID: org, Email: email, Role: domain.RoleMember, InviterID: newUserID(), TokenHash: newHash(t), Now: at,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Invitations.Create(context.Background(), i); err != nil {
		t.Fatal(err)
	}
	return i
}

// flat prints every field of a snapshot, times in UTC to the microsecond,
// so that two snapshots compare as strings and a mismatch reads well.
func flat(v any) string {
	switch s := v.(type) {
	case domain.OrganizationSnapshot:
		return fmt.Sprintf("id=%s name=%q slug=%q logo=%q created=%s updated=%s",
			s.ID, s.Name, s.Slug, s.Logo, ftime(s.CreatedAt), ftime(s.UpdatedAt))
	case domain.MembershipSnapshot:
		return fmt.Sprintf("id=%s org=%s user=%s role=%q joined=%s",
			s.ID, s.OrganizationID, s.UserID, s.Role, ftime(s.JoinedAt))
	case domain.RoleSnapshot:
		return fmt.Sprintf("id=%s org=%s name=%q perms=%q created=%s updated=%s",
			s.ID, s.OrganizationID, s.Name, s.Permissions, ftime(s.CreatedAt), ftime(s.UpdatedAt))
	case domain.InvitationSnapshot:
		return fmt.Sprintf("id=%s org=%s email=%q role=%q inviter=%s hash=%x expires=%s status=%s created=%s updated=%s",
			s.ID, s.OrganizationID, s.Email, s.Role, s.InviterID, s.TokenHash, ftime(s.ExpiresAt), s.Status,
			ftime(s.CreatedAt), ftime(s.UpdatedAt))
	}
	panic(fmt.Sprintf("flat: %T", v))
}

func ftime(t time.Time) string {
	if t.Location() != time.UTC {
		return "non-UTC " + t.String()
	}
	return t.Truncate(time.Microsecond).Format(time.RFC3339Nano)
}

// ids returns the IDs of xs, in order.
func ids[T interface{ ID() ID }, ID any](xs []T) []ID {
	out := make([]ID, len(xs))
	for i, x := range xs {
		out[i] = x.ID()
	}
	return out
}

func TestMigrationsDown(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		_, d := setup(t, dialect)
		ctx := context.Background()
		m := sqlstore.Migrations()
		m.Module = "tenancy"
		set, err := d.GooseSet(m)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; ; n++ { // every migration, newest first
			ok, err := set.Down(ctx)
			if err != nil || n > 100 {
				t.Fatalf("down %d: %v, %v", n, ok, err)
			}
			if !ok {
				break
			}
		}
		for _, table := range []string{"organizations", "memberships", "roles", "invitations"} {
			if _, err := d.QW(ctx).Exec(ctx, `SELECT 1 FROM `+table); err == nil {
				t.Errorf("table %s survives Down", table)
			}
		}
		if st, err := set.Status(ctx); err != nil || slices.ContainsFunc(st, func(s db.MigrationStatus) bool { return s.Applied }) {
			t.Errorf("status after down = %+v, %v", st, err)
		}
	})
}
