package sqlstore_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func TestRolesCreateAndGet(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		roles, ctx := s.Roles, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)

		r := createRole(t, s, acme.ID(), "editor", []string{"users:read", domain.PermMembersRead, "members:*", "users:read"}, t0)
		if got := r.Permissions(); !slices.Equal(got, []string{"members:*", domain.PermMembersRead, "users:read"}) {
			t.Fatalf("the domain normalizes permissions to %q", got)
		}
		got, err := roles.ByID(ctx, acme.ID(), r.ID())
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(r.Snapshot()) || got.IsBuiltin() {
			t.Errorf("ByID:\n got %s\nwant %s", flat(got.Snapshot()), flat(r.Snapshot()))
		}
		got, err = roles.ByName(ctx, acme.ID(), "editor")
		if err != nil || flat(got.Snapshot()) != flat(r.Snapshot()) {
			t.Errorf("ByName = %v, %v", got, err)
		}
		empty := createRole(t, s, acme.ID(), "nothing", nil, t0)
		if got, err := roles.ByID(ctx, acme.ID(), empty.ID()); err != nil || len(got.Permissions()) != 0 {
			t.Errorf("role without permissions = %v, %v", got, err)
		}

		// The same name in another organization is another role.
		theirs := createRole(t, s, globex.ID(), "editor", []string{domain.PermRolesRead}, t0)
		if got, err := roles.ByName(ctx, globex.ID(), "editor"); err != nil || got.ID() != theirs.ID() {
			t.Errorf("globex's editor = %v, %v", got, err)
		}

		if err := roles.Create(ctx, newRole(t, acme.ID(), "editor", nil, t0)); !errors.Is(err, application.ErrRoleExists) || kernel.KindOf(err) != kernel.KindConflict {
			t.Errorf("Create with a taken name = %v, want ErrRoleExists", err)
		}
		if err := roles.Create(ctx, newRole(t, newOrgID(), "editor", nil, t0)); !errors.Is(err, application.ErrOrganizationNotFound) {
			t.Errorf("Create in an unknown organization = %v, want ErrOrganizationNotFound", err)
		}

		for _, tt := range []struct {
			name string
			fn   func() error
		}{
			{"ByID unknown", func() error { _, err := roles.ByID(ctx, acme.ID(), kernel.NewID[domain.RoleKind]()); return err }},
			{"ByID of another organization", func() error { _, err := roles.ByID(ctx, acme.ID(), theirs.ID()); return err }},
			{"ByName unknown", func() error { _, err := roles.ByName(ctx, acme.ID(), "writer"); return err }},
			{"ByName of a built-in", func() error { _, err := roles.ByName(ctx, acme.ID(), domain.RoleOwner); return err }},
			{"ByName in an unknown organization", func() error { _, err := roles.ByName(ctx, newOrgID(), "editor"); return err }},
		} {
			if err := tt.fn(); !errors.Is(err, application.ErrRoleNotFound) {
				t.Errorf("%s = %v, want ErrRoleNotFound", tt.name, err)
			}
		}
	})
}

func TestRolesList(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		roles, ctx := s.Roles, context.Background()
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		// Byte order, which a linguistic collation would not give ("a-b"
		// and "a_c" sort after "ab" when punctuation is ignored).
		for _, name := range []string{"b1", "ab", "a_c", "a-b"} {
			createRole(t, s, acme.ID(), name, []string{domain.PermMembersRead}, t0)
		}
		createRole(t, s, globex.ID(), "aa", nil, t0)

		got, err := roles.List(ctx, acme.ID())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range got {
			names = append(names, r.Name())
		}
		if want := []string{"a-b", "a_c", "ab", "b1"}; !slices.Equal(names, want) {
			t.Errorf("List = %q, want %q", names, want)
		}
		if got, err := roles.List(ctx, newOrgID()); err != nil || len(got) != 0 {
			t.Errorf("List of an unknown organization = %v, %v", got, err)
		}
	})
}

func TestRolesSaveAndDelete(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		roles, ctx := s.Roles, context.Background()
		c := catalog(t)
		acme := createOrg(t, s, "Acme", "acme", t0)
		globex := createOrg(t, s, "Globex", "globex", t0)
		r := createRole(t, s, acme.ID(), "editor", []string{domain.PermMembersRead}, t0)
		createRole(t, s, acme.ID(), "viewer", nil, t0)
		theirs := createRole(t, s, globex.ID(), "auditor", nil, t0)

		later := t0.Add(time.Hour + 3*time.Microsecond)
		if _, err := r.Rename("writer", later); err != nil {
			t.Fatal(err)
		}
		if _, err := r.SetPermissions([]string{domain.PermRolesRead, "users:update"}, c, later); err != nil {
			t.Fatal(err)
		}
		if err := roles.Save(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := roles.ByID(ctx, acme.ID(), r.ID())
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(r.Snapshot()) || !got.UpdatedAt().Equal(later.Truncate(time.Microsecond)) {
			t.Errorf("after Save:\n got %s\nwant %s", flat(got.Snapshot()), flat(r.Snapshot()))
		}
		if _, err := roles.ByName(ctx, acme.ID(), "editor"); !errors.Is(err, application.ErrRoleNotFound) {
			t.Errorf("the old name still finds the role: %v", err)
		}

		if _, err := r.Rename("viewer", later); err != nil {
			t.Fatal(err)
		}
		if err := roles.Save(ctx, r); !errors.Is(err, application.ErrRoleExists) {
			t.Errorf("Save with a taken name = %v, want ErrRoleExists", err)
		}
		// A role claiming another organization is not found there.
		moved := theirs.Snapshot()
		moved.OrganizationID = acme.ID()
		if err := roles.Save(ctx, domain.RehydrateRole(moved)); !errors.Is(err, application.ErrRoleNotFound) {
			t.Errorf("Save through another organization = %v, want ErrRoleNotFound", err)
		}
		if err := roles.Save(ctx, newRole(t, acme.ID(), "ghost", nil, t0)); !errors.Is(err, application.ErrRoleNotFound) {
			t.Errorf("Save unknown = %v, want ErrRoleNotFound", err)
		}

		if err := roles.Delete(ctx, acme.ID(), theirs.ID()); !errors.Is(err, application.ErrRoleNotFound) {
			t.Errorf("Delete of another organization's = %v, want ErrRoleNotFound", err)
		}
		if _, err := roles.ByID(ctx, globex.ID(), theirs.ID()); err != nil {
			t.Errorf("another organization's role after a refused Delete: %v", err)
		}
		if err := roles.Delete(ctx, acme.ID(), r.ID()); err != nil {
			t.Fatal(err)
		}
		if _, err := roles.ByID(ctx, acme.ID(), r.ID()); !errors.Is(err, application.ErrRoleNotFound) {
			t.Errorf("ByID after Delete = %v", err)
		}
		if err := roles.Delete(ctx, acme.ID(), r.ID()); !errors.Is(err, application.ErrRoleNotFound) {
			t.Errorf("Delete twice = %v, want ErrRoleNotFound", err)
		}
	})
}
