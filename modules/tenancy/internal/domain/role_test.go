package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

func builtins(t *testing.T, c *domain.Catalog) map[string]*domain.Role {
	t.Helper()
	out := map[string]*domain.Role{}
	for _, r := range domain.BuiltinRoles(c) {
		if !r.IsBuiltin() || !r.ID().IsZero() {
			t.Fatalf("%s: builtin=%v id=%v", r.Name(), r.IsBuiltin(), r.ID())
		}
		out[r.Name()] = r
	}
	if len(out) != 3 {
		t.Fatalf("built-ins = %v", out)
	}
	return out
}

// TestBuiltinRolesMatrix is the permission matrix for the built-in roles.
func TestBuiltinRolesMatrix(t *testing.T) {
	t.Parallel()
	c := catalog(t)
	roles := builtins(t, c)
	type row struct{ owner, admin, member bool }
	matrix := map[string]row{
		"organization:update":   {true, true, false},
		"organization:delete":   {true, false, false},
		"organization:transfer": {true, false, false},
		"members:read":          {true, true, true},
		"members:invite":        {true, true, false},
		"members:update":        {true, true, false},
		"members:remove":        {true, true, false},
		"roles:read":            {true, true, true},
		"roles:create":          {true, true, false},
		"roles:update":          {true, true, false},
		"roles:delete":          {true, true, false},
		"users:read":            {true, true, true},
		"users:create":          {true, true, false},
		"users:update":          {true, true, false},
		"users:delete":          {true, true, false},
	}
	for perm, want := range matrix {
		got := row{roles["owner"].Grants().Allows(perm), roles["admin"].Grants().Allows(perm), roles["member"].Grants().Allows(perm)}
		if got != want {
			t.Errorf("%s: owner/admin/member = %v, want %v", perm, got, want)
		}
	}
	if !slices.Equal(roles["owner"].Permissions(), []string{"*"}) {
		t.Errorf("owner = %v", roles["owner"].Permissions())
	}
	// Every built-in's permissions pass the catalog.
	for _, r := range roles {
		if err := c.Validate(r.Permissions()); err != nil {
			t.Errorf("%s: %v", r.Name(), err)
		}
	}
}

func TestBuiltinMemberWithoutUsersModule(t *testing.T) {
	t.Parallel()
	c := domain.NewCatalog()
	if err := domain.DeclarePermissions(c); err != nil {
		t.Fatal(err)
	}
	m := builtins(t, c)["member"]
	if got := m.Permissions(); !slices.Equal(got, []string{"members:read", "roles:read"}) {
		t.Errorf("member = %v", got)
	}
}

func TestBuiltinRolesImmutable(t *testing.T) {
	t.Parallel()
	c := catalog(t)
	for _, r := range domain.BuiltinRoles(c) {
		before := r.Permissions()
		if _, err := r.Rename("boss", t0); !errors.Is(err, domain.ErrBuiltinRole) {
			t.Errorf("%s Rename: %v", r.Name(), err)
		}
		if _, err := r.SetPermissions([]string{"*"}, c, t0); !errors.Is(err, domain.ErrBuiltinRole) {
			t.Errorf("%s SetPermissions: %v", r.Name(), err)
		}
		wantErr(t, r.CanDelete(0), kernel.KindForbidden, "tenancy.builtin_role")
		p := r.Permissions()
		if len(p) > 0 {
			p[0] = "mutated"
		}
		g := r.Grants()
		if len(g) > 0 {
			g[0] = "mutated"
		}
		if !slices.Equal(r.Permissions(), before) {
			t.Errorf("%s permissions changed to %v", r.Name(), r.Permissions())
		}
	}
}

func TestNewCustomRole(t *testing.T) {
	t.Parallel()
	c := catalog(t)
	org := kernel.NewID[kernel.OrganizationKind]()
	tests := []struct {
		name  string
		role  string
		perms []string
		kind  kernel.ErrorKind
		code  string
		field string
	}{
		{"ok", "support", []string{"members:read", "users:read"}, 0, "", ""},
		{"min length", "qa", nil, 0, "", ""},
		{"max length", strings.Repeat("a", 32), nil, 0, "", ""},
		{"digits hyphen underscore", "tier-2_ops", []string{"members:*"}, 0, "", ""},
		{"star", "root", []string{"*"}, 0, "", ""},
		{"too short", "a", nil, kernel.KindInvalid, "tenancy.invalid_role", "name"},
		{"too long", strings.Repeat("a", 33), nil, kernel.KindInvalid, "tenancy.invalid_role", "name"},
		{"upper case", "Support", nil, kernel.KindInvalid, "tenancy.invalid_role", "name"},
		{"space", "sup port", nil, kernel.KindInvalid, "tenancy.invalid_role", "name"},
		{"owner clash", "owner", nil, kernel.KindInvalid, "tenancy.invalid_role", "name"},
		{"shaped like a role ID", "rol_01m8w9agtge0ts3cfrzes8x29s", nil, kernel.KindInvalid, "tenancy.invalid_role", "name"},
		{"rol_ prefix", "rol_x", nil, kernel.KindInvalid, "tenancy.invalid_role", "name"},
		{"admin clash", "admin", nil, kernel.KindInvalid, "tenancy.invalid_role", "name"},
		{"member clash", "member", nil, kernel.KindInvalid, "tenancy.invalid_role", "name"},
		{"unknown permission", "support", []string{"members:read", "billing:read"}, kernel.KindInvalid, "tenancy.unknown_permission", "permissions"},
		{"unknown wildcard", "support", []string{"billing:*"}, kernel.KindInvalid, "tenancy.unknown_permission", "permissions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := domain.NewCustomRole(org, tt.role, tt.perms, c, t0)
			wantErr(t, err, tt.kind, tt.code)
			if tt.code != "" {
				wantField(t, err, tt.field)
				return
			}
			if r.IsBuiltin() || r.OrganizationID() != org || r.Name() != tt.role || !strings.HasPrefix(r.ID().String(), "rol_") || !r.CreatedAt().Equal(t0) {
				t.Errorf("role = %+v", r.Snapshot())
			}
		})
	}
	if _, err := domain.NewCustomRole(kernel.OrganizationID{}, "support", nil, c, t0); err == nil {
		t.Error("zero org accepted")
	}
}

func TestCustomRoleChanges(t *testing.T) {
	t.Parallel()
	c := catalog(t)
	r, err := domain.NewCustomRole(kernel.NewID[kernel.OrganizationKind](), "support", []string{"users:read", "members:read", "users:read"}, c, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Permissions(); !slices.Equal(got, []string{"members:read", "users:read"}) {
		t.Errorf("not normalized: %v", got)
	}
	t1 := t0.Add(1)
	if changed, err := r.SetPermissions([]string{"users:read", "members:read"}, c, t1); err != nil || changed {
		t.Errorf("same set: changed=%v err=%v", changed, err)
	}
	if _, err := r.SetPermissions([]string{"nope:x"}, c, t1); kernel.CodeOf(err) != "tenancy.unknown_permission" {
		t.Errorf("unknown: %v", err)
	}
	if changed, err := r.SetPermissions([]string{"roles:*"}, c, t1); err != nil || !changed || !r.UpdatedAt().Equal(t1) {
		t.Errorf("set: changed=%v err=%v", changed, err)
	}
	if !r.Grants().Allows("roles:delete") || r.Grants().Allows("users:read") {
		t.Errorf("grants = %v", r.Grants())
	}
	if _, err := r.Rename("admin", t1); kernel.CodeOf(err) != "tenancy.invalid_role" {
		t.Errorf("rename to admin: %v", err)
	}
	if changed, err := r.Rename("helpdesk", t1); err != nil || !changed || r.Name() != "helpdesk" {
		t.Errorf("rename: %v %v", changed, err)
	}
	wantErr(t, r.CanDelete(2), kernel.KindConflict, "tenancy.role_in_use")
	wantErr(t, r.CanDelete(0), 0, "")

	back := domain.RehydrateRole(r.Snapshot())
	if !slices.Equal(back.Permissions(), r.Permissions()) || back.Name() != r.Name() || back.ID() != r.ID() || back.IsBuiltin() {
		t.Errorf("rehydrate: %+v", back.Snapshot())
	}
}
