package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// setupPair returns two stores on one database, each on its own handle, as
// two processes have; both listen for access changes.
func setupPair(t *testing.T, dialect db.Dialect) (a, b *sqlstore.Store, da *db.DB) {
	t.Helper()
	opts := testdb.Options(t, dialect)
	open := func() *db.DB {
		d, err := db.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
	da, db2 := open(), open()
	testdb.Migrate(t, da, "tenancy", sqlstore.Migrations())
	a, b = sqlstore.New(da), sqlstore.New(db2)
	testdb.Eventually(t, "both stores listening", func() bool { return da.Listening() && db2.Listening() })
	return a, b, da
}

// describe is what Access answers, as text: role, custom permissions and
// members version, or the error.
func describe(s *sqlstore.Store, org kernel.OrganizationID, user kernel.UserID) string {
	a, err := s.Memberships.Access(context.Background(), org, user)
	if errors.Is(err, application.ErrMemberNotFound) {
		return "not a member"
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprintf("%s %v %v v%d", a.Role, a.Custom, a.Permissions, a.MembersVersion)
}

// TestAccessCacheFollowsEveryChange: Access answers from a cache, and
// every write that changes an answer reaches the process that made it at
// once and another process soon after, for each kind of write.
func TestAccessCacheFollowsEveryChange(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a, b, da := setupPair(t, dialect)
		ctx := context.Background()
		acme := createOrg(t, a, "Acme", "acme", t0)
		ann, bob := newUserID(), newUserID()
		owner := join(t, a, acme.ID(), ann, domain.RoleOwner, t0)
		bobs := join(t, a, acme.ID(), bob, domain.RoleMember, t0)
		editor := createRole(t, a, acme.ID(), "editor", []string{domain.PermMembersRead}, t0)

		// The cache is used: a change behind its back, which sends no
		// notification, is not seen until one arrives.
		before := describe(a, acme.ID(), bob)
		describe(b, acme.ID(), bob)
		if _, err := da.QW(ctx).Exec(ctx, `UPDATE memberships SET role = 'admin' WHERE id = $1`, bobs.ID()); err != nil {
			t.Fatal(err)
		}
		if got := describe(a, acme.ID(), bob); got != before {
			t.Fatalf("Access after an unannounced change = %q, want the cached %q", got, before)
		}
		if err := da.Notify(ctx, "tenancy.access", acme.ID().String()); err != nil {
			t.Fatal(err)
		}

		steps := []struct {
			name string
			do   func(ctx context.Context) error
		}{
			{"change a role", func(ctx context.Context) error {
				m, err := a.Memberships.ByUser(ctx, acme.ID(), bob)
				if err != nil {
					return err
				}
				m.ChangeRole("editor")
				return a.Memberships.Save(ctx, m)
			}},
			{"change a custom role's permissions", func(ctx context.Context) error {
				if _, err := editor.SetPermissions([]string{domain.PermMembersRead, domain.PermMembersInvite}, catalog(t), t0); err != nil {
					return err
				}
				return a.Roles.Save(ctx, editor)
			}},
			{"rename a custom role", func(ctx context.Context) error {
				if _, err := editor.Rename("writer", t0); err != nil {
					return err
				}
				if err := a.Roles.Save(ctx, editor); err != nil {
					return err
				}
				return a.Memberships.RenameRole(ctx, acme.ID(), "editor", "writer")
			}},
			{"another member's profile", func(ctx context.Context) error { return a.Memberships.ProfileChanged(ctx, ann) }},
			{"remove the member", func(ctx context.Context) error { return a.Memberships.Delete(ctx, acme.ID(), bobs.ID()) }},
			{"join again", func(ctx context.Context) error {
				m, err := domain.NewMembership(acme.ID(), bob, domain.RoleMember, t0)
				if err != nil {
					return err
				}
				bobs = m
				return a.Memberships.Create(ctx, m)
			}},
			{"another member leaves", func(ctx context.Context) error { return a.Memberships.Delete(ctx, acme.ID(), owner.ID()) }},
			{"delete the organization", func(ctx context.Context) error { return a.Organizations.Delete(ctx, acme.ID()) }},
		}
		for _, st := range steps {
			// Both caches hold a fresh answer (b's once it heard the last
			// step).
			var prev string
			testdb.Eventually(t, st.name+": b catches up", func() bool {
				prev = describe(a, acme.ID(), bob)
				return describe(b, acme.ID(), bob) == prev
			})
			if err := da.Tx(ctx, st.do); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			got := describe(a, acme.ID(), bob)
			if got == prev {
				t.Errorf("%s: the writing process still answers %q", st.name, got)
			}
			testdb.Eventually(t, st.name+": b hears it", func() bool { return describe(b, acme.ID(), bob) == got })
		}
		if got := describe(b, acme.ID(), bob); got != "not a member" {
			t.Errorf("after the organization's deletion: %q", got)
		}
	})
}

// TestAccessCacheSkipsTransactions: inside a transaction Access reads the
// database, which may hold the transaction's own uncommitted change.
func TestAccessCacheSkipsTransactions(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		ann := newUserID()
		m := join(t, s, acme.ID(), ann, domain.RoleMember, t0)
		describe(s, acme.ID(), ann)
		err := d.Tx(ctx, func(ctx context.Context) error {
			m.ChangeRole(domain.RoleAdmin)
			if err := s.Memberships.Save(ctx, m); err != nil {
				return err
			}
			a, err := s.Memberships.Access(ctx, acme.ID(), ann)
			if err != nil || a.Role != domain.RoleAdmin {
				t.Errorf("Access in the transaction = %+v, %v; want the admin role it stored", a, err)
			}
			return errors.New("roll back")
		})
		if err == nil {
			t.Fatal("no rollback")
		}
		if a, err := s.Memberships.Access(ctx, acme.ID(), ann); err != nil || a.Role != domain.RoleMember {
			t.Errorf("Access after the rollback = %+v, %v; want member", a, err)
		}
	})
}
