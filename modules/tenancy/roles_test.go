package tenancy_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/tenancy"
	"github.com/groundworkhq/groundwork/testkit"
)

// customRoleJSON is a role with the fields only custom roles have.
type customRoleJSON struct {
	roleJSON
	CreatedAt *time.Time `json:"createdAt"`
	UpdatedAt *time.Time `json:"updatedAt"`
}

// listRoles lists org's roles as c.
func listRoles(t testing.TB, c *testkit.Client, org string) []customRoleJSON {
	t.Helper()
	var p page[customRoleJSON]
	c.Get("/api/organizations/"+org+"/roles").RequireStatus(t, http.StatusOK).JSON(t, &p)
	return p.Items
}

// createRole creates a custom role in org as c.
func createRole(t testing.TB, c *testkit.Client, org, name string, permissions ...string) customRoleJSON {
	t.Helper()
	var r customRoleJSON
	c.Post("/api/organizations/"+org+"/roles", map[string]any{"name": name, "permissions": permissions}).
		RequireStatus(t, http.StatusCreated).JSON(t, &r)
	return r
}

// catalogNames returns the names of every declared permission, sorted.
func catalogNames(a *testkit.App) []string {
	var out []string
	for _, p := range a.Tenancy().Permissions() {
		out = append(out, p.Name)
	}
	return out
}

// TestRoles_List: the built-in roles come first (owner, admin, member),
// then the custom ones by name.
func TestRoles_List(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		now := a.Clock.Now()
		zeta := createRole(t, owner.Client, o.ID, "zeta", "members:read")
		alpha := createRole(t, owner.Client, o.ID, "alpha", "roles:read", "members:*")

		list := listRoles(t, owner.Client, o.ID)
		var names []string
		for _, r := range list {
			names = append(names, r.Name)
		}
		if want := []string{"owner", "admin", "member", "alpha", "zeta"}; !slices.Equal(names, want) {
			t.Fatalf("roles = %v, want %v", names, want)
		}

		var admin []string
		for _, p := range catalogNames(a) {
			if p != tenancy.PermOrganizationDelete && p != tenancy.PermOrganizationTransfer {
				admin = append(admin, p)
			}
		}
		builtins := map[string][]string{
			"owner":  {"*"},
			"admin":  admin,
			"member": {tenancy.PermMembersRead, tenancy.PermRolesRead, "users:read"},
		}
		for _, r := range list[:3] {
			if !r.Builtin || r.ID != "" || r.CreatedAt != nil || r.UpdatedAt != nil || !slices.Equal(r.Permissions, builtins[r.Name]) {
				t.Errorf("built-in %s = %+v, want permissions %v and no ID or dates", r.Name, r, builtins[r.Name])
			}
		}
		for i, want := range []customRoleJSON{alpha, zeta} {
			r := list[3+i]
			if r.Builtin || r.ID != want.ID || !strings.HasPrefix(r.ID, "rol_") || !slices.Equal(r.Permissions, want.Permissions) ||
				r.CreatedAt == nil || !r.CreatedAt.Equal(now) {
				t.Errorf("custom %s = %+v, want %+v created %s", r.Name, r, want, now)
			}
		}
		if !slices.Equal(alpha.Permissions, []string{"members:*", "roles:read"}) {
			t.Errorf("alpha's permissions = %v", alpha.Permissions)
		}

		a.Client().Get("/api/organizations/"+o.ID+"/roles").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
	})
}

// TestRoles_Create: permissions come back sorted and deduplicated; taken,
// built-in and malformed names and unknown permissions are refused.
func TestRoles_Create(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		path := "/api/organizations/" + o.ID + "/roles"

		r := createRole(t, owner.Client, o.ID, "billing", "roles:read", "members:read", "users:read", "members:read")
		if r.Name != "billing" || r.Builtin || !strings.HasPrefix(r.ID, "rol_") ||
			!slices.Equal(r.Permissions, []string{"members:read", "roles:read", "users:read"}) ||
			r.CreatedAt == nil || r.UpdatedAt == nil || !r.CreatedAt.Equal(a.Clock.Now()) {
			t.Fatalf("created = %+v", r)
		}
		if empty := createRole(t, owner.Client, o.ID, "nobody"); empty.Permissions == nil || len(empty.Permissions) != 0 {
			t.Errorf("a role without permissions = %+v, want permissions []", empty)
		}
		createRole(t, owner.Client, o.ID, "everything", "*")

		owner.Post(path, map[string]any{"name": "billing", "permissions": []string{"members:read"}}).RequireProblem(t, http.StatusConflict, "tenancy.role_exists")
		for _, name := range []string{"owner", "admin", "member"} {
			p := owner.Post(path, map[string]any{"name": name, "permissions": []string{"members:read"}}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_role")
			requireField(t, p, "body.name")
		}
		for _, name := range []string{"Billing", "b", "with space", "émoji", strings.Repeat("x", 33), ""} {
			p := owner.Post(path, map[string]any{"name": name, "permissions": []string{"members:read"}}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_role")
			requireField(t, p, "body.name")
		}
		for _, perms := range [][]string{{"nope:read"}, {"members:read", "members:fly"}, {"ghosts:*"}, {""}, {"MEMBERS:READ"}} {
			p := owner.Post(path, map[string]any{"name": "bad", "permissions": perms}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.unknown_permission")
			requireField(t, p, "body.permissions")
		}
		owner.Post(path, map[string]any{"name": 7}).RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")

		var names []string
		for _, r := range listRoles(t, owner.Client, o.ID) {
			names = append(names, r.Name)
		}
		if want := []string{"owner", "admin", "member", "billing", "everything", "nobody"}; !slices.Equal(names, want) {
			t.Errorf("roles after the refusals = %v, want %v", names, want)
		}
	})
}

// TestRoles_Get: a role by ID or name, built-in or custom.
func TestRoles_Get(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		created := createRole(t, owner.Client, o.ID, "billing", "members:read")
		path := "/api/organizations/" + o.ID + "/roles/"

		for _, ref := range []string{created.ID, "billing"} {
			var r customRoleJSON
			owner.Get(path+ref).RequireStatus(t, http.StatusOK).JSON(t, &r)
			if r.ID != created.ID || r.Name != "billing" || r.Builtin || !slices.Equal(r.Permissions, []string{"members:read"}) {
				t.Errorf("get %s = %+v", ref, r)
			}
		}
		var owned customRoleJSON
		owner.Get(path+"owner").RequireStatus(t, http.StatusOK).JSON(t, &owned)
		if owned.Name != "owner" || !owned.Builtin || owned.ID != "" || !slices.Equal(owned.Permissions, []string{"*"}) {
			t.Errorf("get owner = %+v", owned)
		}
		for _, ref := range []string{"ghost", "rol_0000000000000000000000000"} {
			owner.Get(path+ref).RequireProblem(t, http.StatusNotFound, "tenancy.role_not_found")
		}

		// Another organization's role is not found by ID or name.
		other := createOrg(t, owner.Client, "Beta", "beta")
		owner.Get("/api/organizations/"+other.ID+"/roles/"+created.ID).RequireProblem(t, http.StatusNotFound, "tenancy.role_not_found")
		owner.Get("/api/organizations/"+other.ID+"/roles/billing").RequireProblem(t, http.StatusNotFound, "tenancy.role_not_found")
	})
}

// TestRoles_Update: a rename carries the members holding the role along; new
// permissions apply to its holders on their next request.
func TestRoles_Update(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		viewer := createRole(t, owner.Client, o.ID, "viewer", "members:read")
		createRole(t, owner.Client, o.ID, "other", "roles:read")
		carol := join(t, a, owner.Client, o.ID, "carol", "viewer")
		path := "/api/organizations/" + o.ID + "/roles/"

		act := requireActive(t, carol.Client, o.ID, "viewer")
		if !slices.Equal(act.Grants, []string{"members:read"}) || !slices.Equal(act.Permissions, []string{"members:read"}) {
			t.Fatalf("carol's access = %+v", act)
		}
		carol.Get("/api/organizations/"+o.ID+"/invitations").RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")

		// Replace the permissions: carol's next request has the new ones.
		a.Clock.Advance(time.Minute)
		var r customRoleJSON
		owner.Do(http.MethodPatch, path+"viewer", map[string]any{"permissions": []string{"members:read", "members:invite", "members:read"}}).
			RequireStatus(t, http.StatusOK).JSON(t, &r)
		if r.ID != viewer.ID || r.Name != "viewer" || !slices.Equal(r.Permissions, []string{"members:invite", "members:read"}) ||
			r.UpdatedAt == nil || r.CreatedAt == nil || !r.UpdatedAt.Equal(a.Clock.Now()) || !r.CreatedAt.Equal(*viewer.CreatedAt) {
			t.Fatalf("updated = %+v", r)
		}
		act = requireActive(t, carol.Client, o.ID, "viewer")
		if !slices.Equal(act.Grants, []string{"members:invite", "members:read"}) {
			t.Fatalf("after the update, carol's grants = %v", act.Grants)
		}
		carol.Get("/api/organizations/"+o.ID+"/invitations").RequireStatus(t, http.StatusOK)

		// Rename, by ID: carol's membership follows.
		owner.Do(http.MethodPatch, path+viewer.ID, map[string]any{"name": "auditor"}).RequireStatus(t, http.StatusOK).JSON(t, &r)
		if r.ID != viewer.ID || r.Name != "auditor" || !slices.Equal(r.Permissions, []string{"members:invite", "members:read"}) {
			t.Fatalf("renamed = %+v", r)
		}
		if ms := members(t, owner.Client, o.ID); roleOf(ms, carol.ID.String()) != "auditor" {
			t.Fatalf("after the rename, members = %+v", ms)
		}
		act = requireActive(t, carol.Client, o.ID, "auditor")
		if !slices.Equal(act.Grants, []string{"members:invite", "members:read"}) {
			t.Errorf("after the rename, carol's grants = %v", act.Grants)
		}
		owner.Get(path+"viewer").RequireProblem(t, http.StatusNotFound, "tenancy.role_not_found")
		owner.Get(path+"auditor").RequireStatus(t, http.StatusOK)

		// Refusals change nothing.
		owner.Do(http.MethodPatch, path+"auditor", map[string]any{"name": "other"}).RequireProblem(t, http.StatusConflict, "tenancy.role_exists")
		p := owner.Do(http.MethodPatch, path+"auditor", map[string]any{"name": "admin"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_role")
		requireField(t, p, "body.name")
		p = owner.Do(http.MethodPatch, path+"auditor", map[string]any{"name": "Not Valid"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_role")
		requireField(t, p, "body.name")
		p = owner.Do(http.MethodPatch, path+"auditor", map[string]any{"permissions": []string{"nope:read"}}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.unknown_permission")
		requireField(t, p, "body.permissions")
		owner.Do(http.MethodPatch, path+"ghost", map[string]any{"name": "spirit"}).RequireProblem(t, http.StatusNotFound, "tenancy.role_not_found")
		if ms := members(t, owner.Client, o.ID); roleOf(ms, carol.ID.String()) != "auditor" {
			t.Errorf("after the refusals, members = %+v", ms)
		}
		requireActive(t, carol.Client, o.ID, "auditor")

		// Built-in roles are immutable.
		for _, name := range []string{"owner", "admin", "member"} {
			owner.Do(http.MethodPatch, path+name, map[string]any{"name": "renamed"}).RequireProblem(t, http.StatusForbidden, "tenancy.builtin_role")
			owner.Do(http.MethodPatch, path+name, map[string]any{"permissions": []string{"members:read"}}).RequireProblem(t, http.StatusForbidden, "tenancy.builtin_role")
			owner.Do(http.MethodDelete, path+name, nil).RequireProblem(t, http.StatusForbidden, "tenancy.builtin_role")
		}
		list := listRoles(t, owner.Client, o.ID)
		if list[2].Name != "member" || !slices.Equal(list[2].Permissions, []string{tenancy.PermMembersRead, tenancy.PermRolesRead, "users:read"}) {
			t.Errorf("member after the refusals = %+v", list[2])
		}
	})
}

// TestRoles_RenameCarriesPendingInvitations: a rename moves the members
// holding the role along, and the pending invitations to it too: the
// invitee joins with the role they were invited to, under its new name —
// not with member, which may hold permissions the role never had.
func TestRoles_RenameCarriesPendingInvitations(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		createRole(t, owner.Client, o.ID, "guest") // no permissions at all
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		inv := invite(t, owner.Client, o.ID, bob.Email, "guest")
		tok := invitationToken(t, a, bob.Email, 1)

		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/roles/guest", map[string]any{"name": "visitor"}).RequireStatus(t, http.StatusOK)

		if p := preview(t, a, tok); p.Role != "visitor" {
			t.Errorf("after the rename, the preview offers role %q, want visitor", p.Role)
		}
		for _, i := range listInvitations(t, owner.Client, o.ID, "") {
			if i.ID == inv.ID && i.Role != "visitor" {
				t.Errorf("after the rename, the invitation's role = %q, want visitor", i.Role)
			}
		}
		var joined orgJSON
		bob.Post("/api/invitations/"+tok+"/accept", nil).RequireStatus(t, http.StatusOK).JSON(t, &joined)
		if joined.Role != "visitor" {
			t.Errorf("accepted with role %q, want visitor", joined.Role)
		}
		act := requireActive(t, bob.Client, o.ID, joined.Role)
		if len(act.Grants) != 0 {
			t.Errorf("bob was invited with no permissions and holds %v", act.Grants)
		}
	})
}

// TestRoles_Delete: a role someone holds cannot be deleted until they are
// reassigned.
func TestRoles_Delete(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		billing := createRole(t, owner.Client, o.ID, "billing", "members:read")
		unused := createRole(t, owner.Client, o.ID, "unused", "roles:read")
		dan := join(t, a, owner.Client, o.ID, "dan", "billing")
		path := "/api/organizations/" + o.ID + "/roles/"

		owner.Do(http.MethodDelete, path+"billing", nil).RequireProblem(t, http.StatusConflict, "tenancy.role_in_use")
		owner.Do(http.MethodDelete, path+billing.ID, nil).RequireProblem(t, http.StatusConflict, "tenancy.role_in_use")
		requireActive(t, dan.Client, o.ID, "billing")

		owner.Do(http.MethodDelete, path+unused.ID, nil).RequireStatus(t, http.StatusNoContent)
		owner.Get(path+"unused").RequireProblem(t, http.StatusNotFound, "tenancy.role_not_found")
		owner.Do(http.MethodDelete, path+unused.ID, nil).RequireProblem(t, http.StatusNotFound, "tenancy.role_not_found")

		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+dan.ID.String(), map[string]any{"role": "member"}).RequireStatus(t, http.StatusOK)
		owner.Do(http.MethodDelete, path+"billing", nil).RequireStatus(t, http.StatusNoContent)
		owner.Get(path+billing.ID).RequireProblem(t, http.StatusNotFound, "tenancy.role_not_found")
		var names []string
		for _, r := range listRoles(t, owner.Client, o.ID) {
			names = append(names, r.Name)
		}
		if want := []string{"owner", "admin", "member"}; !slices.Equal(names, want) {
			t.Errorf("roles = %v, want %v", names, want)
		}
		requireActive(t, dan.Client, o.ID, "member")
		// The name is free again.
		createRole(t, owner.Client, o.ID, "billing", "roles:read")
	})
}

// TestRoles_PermissionCatalog: GET /api/permissions lists every declared
// permission — tenancy's and iam's — with a description, sorted by name.
func TestRoles_PermissionCatalog(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		a.Client().Get("/api/permissions").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")

		// Any signed-in user may read it, with or without an organization.
		u := a.SignUp(t, testkit.NewEmail("u"), "U", true)
		var out struct {
			Items []struct {
				Name        string `json:"name"`
				Description string `json:"description"`
			} `json:"items"`
		}
		u.Get("/api/permissions").RequireStatus(t, http.StatusOK).JSON(t, &out)

		got := map[string]string{}
		var names []string
		for _, p := range out.Items {
			if _, dup := got[p.Name]; dup {
				t.Errorf("%s listed twice", p.Name)
			}
			got[p.Name] = p.Description
			names = append(names, p.Name)
		}
		if !slices.IsSorted(names) {
			t.Errorf("not sorted by name: %v", names)
		}
		want := []string{
			tenancy.PermOrganizationUpdate, tenancy.PermOrganizationDelete, tenancy.PermOrganizationTransfer,
			tenancy.PermMembersRead, tenancy.PermMembersInvite, tenancy.PermMembersUpdate, tenancy.PermMembersRemove,
			tenancy.PermRolesRead, tenancy.PermRolesCreate, tenancy.PermRolesUpdate, tenancy.PermRolesDelete,
			"users:read", "users:create", "users:update", "users:delete",
		}
		for _, name := range want {
			if d, ok := got[name]; !ok || strings.TrimSpace(d) == "" {
				t.Errorf("%s: listed %v with description %q, want listed with one", name, ok, d)
			}
		}
		if got[tenancy.PermMembersInvite] != "Invite people to the organization." {
			t.Errorf("members:invite description = %q", got[tenancy.PermMembersInvite])
		}
		// The API shows the catalog roles are built from, nothing else.
		if catalog := catalogNames(a); !slices.Equal(names, catalog) {
			t.Errorf("listed %v, catalog %v", names, catalog)
		}

		createOrg(t, u.Client, "Acme", "acme")
		var again struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		u.Get("/api/permissions").RequireStatus(t, http.StatusOK).JSON(t, &again)
		if len(again.Items) != len(out.Items) {
			t.Errorf("with an organization, %d permissions, without %d", len(again.Items), len(out.Items))
		}
	})
}
