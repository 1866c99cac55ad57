package tenancy_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy"
	"github.com/groundworkhq/groundwork/testkit"
)

// permOutcome is what a call should answer: a status and, for a problem, its
// code.
type permOutcome struct {
	status int
	code   string
}

// check fails t unless r is o.
func (o permOutcome) check(t testing.TB, r *testkit.Response) {
	t.Helper()
	if o.code != "" {
		r.RequireProblem(t, o.status, o.code)
		return
	}
	r.RequireStatus(t, o.status)
}

func (o permOutcome) String() string {
	if o.code == "" {
		return fmt.Sprint(o.status)
	}
	return fmt.Sprintf("%d %s", o.status, o.code)
}

var (
	wantForbidden    = permOutcome{http.StatusForbidden, "tenancy.forbidden"}
	wantOwnerOnly    = permOutcome{http.StatusForbidden, "tenancy.owner_only"}
	wantEscalation   = permOutcome{http.StatusForbidden, "tenancy.escalation"}
	wantIAMForbidden = permOutcome{http.StatusForbidden, "tenancy.forbidden"}
	// wantAccountPersonal: an organization changes no account-wide field.
	wantAccountPersonal = permOutcome{http.StatusForbidden, "iam.account_fields_personal"}
	accepted            = permOutcome{status: http.StatusAccepted}
)

// inviteExistingAndAccept invites the existing account acc into org as
// inviter with role and accepts as acc; n is the number of invitation
// emails acc has received by then (1-based), whose link is used.
func inviteExistingAndAccept(t testing.TB, a *testkit.App, inviter *testkit.Client, org string, acc testkit.Account, role string, n int) {
	t.Helper()
	invite(t, inviter, org, acc.Email, role)
	tok := invitationToken(t, a, acc.Email, n)
	acc.Post("/api/invitations/"+tok+"/accept", nil).RequireStatus(t, http.StatusOK)
}

// mustCreateRole creates a custom role in org as c and returns it.
func mustCreateRole(t testing.TB, c *testkit.Client, org, name string, perms ...string) roleJSON {
	t.Helper()
	var r roleJSON
	c.Post("/api/organizations/"+org+"/roles", map[string]any{"name": name, "permissions": perms}).
		RequireStatus(t, http.StatusCreated).JSON(t, &r)
	return r
}

// cookieURL is the URL the clients' cookie jars file the app's cookies under.
func cookieURL(t testing.TB, a *testkit.App) *url.URL {
	t.Helper()
	u, err := url.Parse(a.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// putActiveCookie puts an active-organization cookie of value in c's jar,
// as a browser that kept (or was handed) it would send.
func putActiveCookie(t testing.TB, a *testkit.App, c *testkit.Client, value string) {
	t.Helper()
	c.Jar().SetCookies(cookieURL(t, a), []*http.Cookie{{Name: tenancy.ActiveCookieName, Value: value, Path: "/"}})
}

// dropActiveCookie removes the active-organization cookie from c's jar,
// keeping the session.
func dropActiveCookie(t testing.TB, a *testkit.App, c *testkit.Client) {
	t.Helper()
	c.Jar().SetCookies(cookieURL(t, a), []*http.Cookie{{Name: tenancy.ActiveCookieName, Path: "/", MaxAge: -1}})
	for _, ck := range c.Jar().Cookies(cookieURL(t, a)) {
		if ck.Name == tenancy.ActiveCookieName {
			t.Fatalf("active cookie still in the jar: %q", ck.Value)
		}
	}
}

// activeCookieIn returns the active-organization cookie r sets, if any.
func activeCookieIn(r *testkit.Response) (*http.Cookie, bool) {
	for _, c := range r.Cookies() {
		if c.Name == tenancy.ActiveCookieName {
			return c, true
		}
	}
	return nil, false
}

// requireActiveCookieSet fails unless r sets the active cookie to org, lasting.
func requireActiveCookieSet(t testing.TB, r *testkit.Response, org string) {
	t.Helper()
	c, ok := activeCookieIn(r)
	if !ok || c.Value != org || c.MaxAge <= 0 || !c.HttpOnly {
		t.Fatalf("%s %s: active cookie %+v (set: %v), want %s: %q", r.Request.Method, r.Request.URL.Path, c, ok, org, r.Header.Values("Set-Cookie"))
	}
}

// requireActiveCookieCleared fails unless r deletes the active cookie.
func requireActiveCookieCleared(t testing.TB, r *testkit.Response) {
	t.Helper()
	c, ok := activeCookieIn(r)
	if !ok || c.Value != "" || c.MaxAge >= 0 {
		t.Fatalf("%s %s: active cookie %+v (set: %v), want it cleared: %q", r.Request.Method, r.Request.URL.Path, c, ok, r.Header.Values("Set-Cookie"))
	}
}

// requireActiveIs fails unless c's active organization is org with role; it
// returns what GET /api/organizations/active answered.
func requireActiveIs(t testing.TB, c *testkit.Client, org, role string) activeJSON {
	t.Helper()
	var act activeJSON
	c.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
	if act.Organization == nil || act.Organization.ID != org || act.Role != role || act.Organization.Role != role {
		t.Fatalf("active = %+v (organization %+v), want %s as %s", act, act.Organization, org, role)
	}
	return act
}

// requireNoActiveOrg fails unless r is GET /api/organizations/active with no
// organization.
func requireNoActiveOrg(t testing.TB, r *testkit.Response) {
	t.Helper()
	var act activeJSON
	r.RequireStatus(t, http.StatusOK).JSON(t, &act)
	if act.Organization != nil || act.Role != "" || act.Grants == nil || len(act.Grants) != 0 || act.Permissions == nil || len(act.Permissions) != 0 {
		t.Fatalf("active = %s, want no organization", r.Body)
	}
}

// TestPermissions_BuiltinRoles is the permission matrix of the built-in
// roles: every operation as owner, admin and member, allowed or refused
// with the right code. Allowed calls are chosen not to disturb the fixture
// (a no-op update, a fresh invitation) or bring their own victim; the two
// owner-only operations are shown to pass the owner check by the error
// that follows it, and then performed for real at the end.
func TestPermissions_BuiltinRoles(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)
		org := createOrg(t, owner.Client, "Acme", "acme")
		base := "/api/organizations/" + org.ID
		admin := join(t, a, owner.Client, org.ID, "adam", "admin")
		member := join(t, a, owner.Client, org.ID, "mia", "member")
		dave := join(t, a, owner.Client, org.ID, "dave", "member")
		auditor := mustCreateRole(t, owner.Client, org.ID, "auditor", "members:read")
		pending := invite(t, owner.Client, org.ID, testkit.NewEmail("pending"), "member")
		accounts := map[string]testkit.Account{"owner": owner, "admin": admin, "member": member}

		n := 0
		unique := func(prefix string) string { n++; return fmt.Sprintf("%s-%d", prefix, n) }

		created, noContent, ok := permOutcome{status: http.StatusCreated}, permOutcome{status: http.StatusNoContent}, permOutcome{status: http.StatusOK}
		rows := []struct {
			name                 string
			call                 func(t *testing.T, as testkit.Account) *testkit.Response
			owner, admin, member permOutcome
		}{
			{"update organization", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Do(http.MethodPatch, base, map[string]any{"name": org.Name})
			}, ok, ok, wantForbidden},
			// The owner passes the owner check and stops at the confirmation.
			{"delete organization", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Do(http.MethodDelete, base, map[string]any{"confirm": "not-the-slug"})
			}, permOutcome{http.StatusUnprocessableEntity, "tenancy.confirmation_mismatch"}, wantOwnerOnly, wantOwnerOnly},
			{"list members", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Get(base + "/members")
			}, ok, ok, ok},
			{"get member", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Get(base + "/members/" + owner.ID.String())
			}, ok, ok, ok},
			{"change member role", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Do(http.MethodPatch, base+"/members/"+dave.ID.String(), map[string]any{"role": "member"})
			}, ok, ok, wantForbidden},
			{"remove member", func(t *testing.T, as testkit.Account) *testkit.Response {
				victim := join(t, a, owner.Client, org.ID, "victor", "member")
				return as.Do(http.MethodDelete, base+"/members/"+victim.ID.String(), nil)
			}, noContent, noContent, wantForbidden},
			{"invite", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Post(base+"/invitations", map[string]any{"email": testkit.NewEmail("new"), "role": "member"})
			}, created, created, wantForbidden},
			{"list invitations", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Get(base + "/invitations")
			}, ok, ok, wantForbidden},
			{"revoke invitation", func(t *testing.T, as testkit.Account) *testkit.Response {
				inv := invite(t, owner.Client, org.ID, testkit.NewEmail("revoked"), "member")
				return as.Post(base+"/invitations/"+inv.ID+"/revoke", nil)
			}, ok, ok, wantForbidden},
			{"resend invitation", func(t *testing.T, as testkit.Account) *testkit.Response {
				a.Clock.Advance(time.Minute) // resends wait a minute
				return as.Post(base+"/invitations/"+pending.ID+"/resend", nil)
			}, ok, ok, wantForbidden},
			{"list roles", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Get(base + "/roles")
			}, ok, ok, ok},
			{"get built-in role", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Get(base + "/roles/admin")
			}, ok, ok, ok},
			{"get custom role", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Get(base + "/roles/" + auditor.ID)
			}, ok, ok, ok},
			{"create role", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Post(base+"/roles", map[string]any{"name": unique("custom"), "permissions": []string{"members:read"}})
			}, created, created, wantForbidden},
			{"update role", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Do(http.MethodPatch, base+"/roles/"+auditor.ID, map[string]any{"permissions": []string{"members:read"}})
			}, ok, ok, wantForbidden},
			{"delete role", func(t *testing.T, as testkit.Account) *testkit.Response {
				r := mustCreateRole(t, owner.Client, org.ID, unique("doomed"), "members:read")
				return as.Do(http.MethodDelete, base+"/roles/"+r.ID, nil)
			}, noContent, noContent, wantForbidden},
			// The owner passes the owner check and stops at "not yourself".
			{"transfer ownership", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Post(base+"/transfer", map[string]any{"memberId": as.ID.String()})
			}, permOutcome{http.StatusUnprocessableEntity, "tenancy.transfer_to_self"}, wantOwnerOnly, wantOwnerOnly},
			{"list users", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Get("/api/users")
			}, ok, ok, ok},
			{"get user", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Get("/api/users/" + dave.ID.String())
			}, ok, ok, ok},
			{"create user", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Post("/api/users", map[string]any{"email": testkit.NewEmail("added")})
			}, accepted, accepted, wantIAMForbidden},
			// No role changes an account: only its person does.
			{"update user", func(t *testing.T, as testkit.Account) *testkit.Response {
				return as.Do(http.MethodPatch, "/api/users/"+dave.ID.String(), map[string]any{"name": dave.Name})
			}, wantAccountPersonal, wantAccountPersonal, wantIAMForbidden},
		}
		for _, row := range rows {
			for _, role := range []string{"owner", "admin", "member"} {
				want := map[string]permOutcome{"owner": row.owner, "admin": row.admin, "member": row.member}[role]
				t.Run(row.name+"/as "+role+" is "+want.String(), func(t *testing.T) {
					want.check(t, row.call(t, accounts[role]))
				})
			}
		}

		// The refusals changed no one's role.
		ms := members(t, owner.Client, org.ID)
		for user, role := range map[kernel.UserID]string{owner.ID: "owner", admin.ID: "admin", member.ID: "member", dave.ID: "member"} {
			if got := roleOf(ms, user.String()); got != role {
				t.Errorf("role of %s = %q, want %q", user, got, role)
			}
		}

		t.Run("owner transfers ownership and the new owner deletes", func(t *testing.T) {
			var m memberJSON
			owner.Post(base+"/transfer", map[string]any{"memberId": admin.ID.String()}).RequireStatus(t, http.StatusOK).JSON(t, &m)
			if m.UserID != admin.ID.String() || m.Role != "owner" {
				t.Fatalf("transferred to %+v", m)
			}
			ms := members(t, owner.Client, org.ID)
			if roleOf(ms, owner.ID.String()) != "admin" || roleOf(ms, admin.ID.String()) != "owner" {
				t.Fatalf("after the transfer, members = %+v", ms)
			}
			// The former owner is an admin now: owner-only is closed to them.
			owner.Do(http.MethodDelete, base, map[string]any{"confirm": org.Slug}).RequireProblem(t, http.StatusForbidden, "tenancy.owner_only")
			owner.Post(base+"/transfer", map[string]any{"memberId": owner.ID.String()}).RequireProblem(t, http.StatusForbidden, "tenancy.owner_only")
			admin.Do(http.MethodDelete, base, map[string]any{"confirm": org.Slug}).RequireStatus(t, http.StatusNoContent)
			owner.Get(base).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		})
	})
}

// TestPermissions_Escalation checks that nobody hands out more than they
// hold — by role change, removal, invitation or custom role — and that
// roles naming unknown permissions are refused; then that the same calls
// within the actor's grants succeed, so the refusals are about grants.
func TestPermissions_Escalation(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)
		org := createOrg(t, owner.Client, "Acme", "acme")
		base := "/api/organizations/" + org.ID
		deleter := mustCreateRole(t, owner.Client, org.ID, "deleter", "organization:delete")
		auditor := mustCreateRole(t, owner.Client, org.ID, "auditor", "members:read")
		// recruiter holds everything member does, and all of members:*.
		mustCreateRole(t, owner.Client, org.ID, "recruiter", "members:*", "roles:read", "users:read")
		mustCreateRole(t, owner.Client, org.ID, "members-only", "members:*")
		admin := join(t, a, owner.Client, org.ID, "adam", "admin")
		mo := join(t, a, owner.Client, org.ID, "mo", "member")
		recruiter := join(t, a, owner.Client, org.ID, "rita", "recruiter")
		membersOnly := join(t, a, owner.Client, org.ID, "max", "members-only")
		// The owner must be the reader's active organization for tenantStateOf.
		before := tenantStateOf(t, owner.Client, org.ID)
		a.Clock.Advance(time.Hour)

		ownerPath := base + "/members/" + owner.ID.String()
		moPath := base + "/members/" + mo.ID.String()
		unknownPermission := permOutcome{http.StatusUnprocessableEntity, "tenancy.unknown_permission"}
		rows := []struct {
			name   string
			as     testkit.Account
			method string
			path   string
			body   any
			want   permOutcome
		}{
			{"admin promotes a member to owner", admin, http.MethodPatch, moPath, map[string]any{"role": "owner"}, wantEscalation},
			{"admin promotes themself to owner", admin, http.MethodPatch, base + "/members/" + admin.ID.String(), map[string]any{"role": "owner"}, wantEscalation},
			{"admin demotes the owner to admin", admin, http.MethodPatch, ownerPath, map[string]any{"role": "admin"}, wantEscalation},
			{"admin demotes the owner to member", admin, http.MethodPatch, ownerPath, map[string]any{"role": "member"}, wantEscalation},
			{"admin removes the owner", admin, http.MethodDelete, ownerPath, nil, wantEscalation},
			{"admin gives a member a role holding organization:delete", admin, http.MethodPatch, moPath, map[string]any{"role": deleter.Name}, wantEscalation},
			{"admin invites with a role holding organization:delete", admin, http.MethodPost, base + "/invitations",
				map[string]any{"email": testkit.NewEmail("x"), "role": deleter.Name}, wantEscalation},
			{"admin invites as owner", admin, http.MethodPost, base + "/invitations",
				map[string]any{"email": testkit.NewEmail("x"), "role": "owner"}, permOutcome{http.StatusUnprocessableEntity, "tenancy.invalid_invitation"}},
			{"admin creates a role with *", admin, http.MethodPost, base + "/roles",
				map[string]any{"name": "god", "permissions": []string{"*"}}, wantEscalation},
			{"admin creates a role with organization:transfer", admin, http.MethodPost, base + "/roles",
				map[string]any{"name": "heir", "permissions": []string{"organization:transfer"}}, wantEscalation},
			{"admin creates a role with organization:*", admin, http.MethodPost, base + "/roles",
				map[string]any{"name": "orgs", "permissions": []string{"organization:*"}}, wantEscalation},
			{"admin adds organization:delete to a role", admin, http.MethodPatch, base + "/roles/" + auditor.ID,
				map[string]any{"permissions": []string{"members:read", "organization:delete"}}, wantEscalation},
			{"admin renames a role holding organization:delete", admin, http.MethodPatch, base + "/roles/" + deleter.ID,
				map[string]any{"name": "harmless"}, wantEscalation},
			{"admin strips a role holding organization:delete", admin, http.MethodPatch, base + "/roles/" + deleter.ID,
				map[string]any{"permissions": []string{"members:read"}}, wantEscalation},
			{"admin deletes a role holding organization:delete", admin, http.MethodDelete, base + "/roles/" + deleter.ID, nil, wantEscalation},
			{"members:* with member's reads invites as admin", recruiter, http.MethodPost, base + "/invitations",
				map[string]any{"email": testkit.NewEmail("x"), "role": "admin"}, wantEscalation},
			{"members:* with member's reads invites with a role holding organization:delete", recruiter, http.MethodPost, base + "/invitations",
				map[string]any{"email": testkit.NewEmail("x"), "role": deleter.Name}, wantEscalation},
			{"members:* with member's reads promotes a member to admin", recruiter, http.MethodPatch, moPath, map[string]any{"role": "admin"}, wantEscalation},
			{"members:* with member's reads removes the admin", recruiter, http.MethodDelete, base + "/members/" + admin.ID.String(), nil, wantEscalation},
			{"members:* with member's reads creates a role", recruiter, http.MethodPost, base + "/roles",
				map[string]any{"name": "mine", "permissions": []string{"members:read"}}, wantForbidden},
			// member also holds roles:read and users:read, which members:*
			// alone does not: inviting as member would hand those out.
			{"members:* alone invites as member", membersOnly, http.MethodPost, base + "/invitations",
				map[string]any{"email": testkit.NewEmail("x"), "role": "member"}, wantEscalation},
			{"unknown permission", owner, http.MethodPost, base + "/roles",
				map[string]any{"name": "bogus", "permissions": []string{"nope:read"}}, unknownPermission},
			{"malformed permission", owner, http.MethodPost, base + "/roles",
				map[string]any{"name": "bogus", "permissions": []string{"Bad"}}, unknownPermission},
			{"wildcard of an unknown resource", owner, http.MethodPost, base + "/roles",
				map[string]any{"name": "bogus", "permissions": []string{"nope:*"}}, unknownPermission},
			{"empty permission", owner, http.MethodPost, base + "/roles",
				map[string]any{"name": "bogus", "permissions": []string{""}}, unknownPermission},
			{"a known and an unknown permission", owner, http.MethodPost, base + "/roles",
				map[string]any{"name": "bogus", "permissions": []string{"members:read", "nope:read"}}, unknownPermission},
			{"unknown permission in an update", owner, http.MethodPatch, base + "/roles/" + auditor.ID,
				map[string]any{"permissions": []string{"members:read", "nope:read"}}, unknownPermission},
		}
		for _, r := range rows {
			t.Run(r.name+" is "+r.want.String(), func(t *testing.T) {
				resp := r.as.Do(r.method, r.path, r.body)
				r.want.check(t, resp)
				if r.want != unknownPermission {
					return
				}
				// One field error per unknown entry, on the permissions.
				var p testkit.Problem
				resp.JSON(t, &p)
				if len(p.Errors) != 1 || p.Errors[0].Location != "body.permissions" || p.Errors[0].Code != "unknown_permission" {
					t.Errorf("field errors = %+v, want one unknown_permission on body.permissions", p.Errors)
				}
			})
		}
		owner.Get(base+"/roles/bogus").RequireProblem(t, http.StatusNotFound, "tenancy.role_not_found")
		requireSameTenantState(t, "after the refusals", before, tenantStateOf(t, owner.Client, org.ID))

		// Within their grants, the same actors succeed.
		allowed := []struct {
			name   string
			as     testkit.Account
			method string
			path   string
			body   any
			want   int
		}{
			{"members:* with member's reads invites as member", recruiter, http.MethodPost, base + "/invitations",
				map[string]any{"email": testkit.NewEmail("x"), "role": "member"}, http.StatusCreated},
			{"members:* with member's reads invites with its own role", recruiter, http.MethodPost, base + "/invitations",
				map[string]any{"email": testkit.NewEmail("x"), "role": "recruiter"}, http.StatusCreated},
			{"members:* alone invites with its own role", membersOnly, http.MethodPost, base + "/invitations",
				map[string]any{"email": testkit.NewEmail("x"), "role": "members-only"}, http.StatusCreated},
			{"admin invites as admin", admin, http.MethodPost, base + "/invitations",
				map[string]any{"email": testkit.NewEmail("x"), "role": "admin"}, http.StatusCreated},
			{"admin promotes a member to admin", admin, http.MethodPatch, moPath, map[string]any{"role": "admin"}, http.StatusOK},
			{"admin creates a role with admin permissions", admin, http.MethodPost, base + "/roles",
				map[string]any{"name": "deputy", "permissions": []string{"members:invite", "roles:create", "organization:update", "users:delete"}}, http.StatusCreated},
			{"owner creates a role with *", owner, http.MethodPost, base + "/roles",
				map[string]any{"name": "god", "permissions": []string{"*"}}, http.StatusCreated},
			{"owner gives a member a role holding organization:delete", owner, http.MethodPatch, moPath,
				map[string]any{"role": deleter.Name}, http.StatusOK},
		}
		for _, r := range allowed {
			t.Run(r.name, func(t *testing.T) {
				r.as.Do(r.method, r.path, r.body).RequireStatus(t, r.want)
			})
		}
		if got := roleOf(members(t, owner.Client, org.ID), mo.ID.String()); got != deleter.Name {
			t.Errorf("mo's role = %q, want %q", got, deleter.Name)
		}
	})
}

// TestPermissions_ActiveOrganizationSwitch checks that the active
// organization decides the next request's grants: a user who is admin in
// X and member in Y passes the users:create gate with X active and not
// with Y, and a role change in X applies to the very next request.
func TestPermissions_ActiveOrganizationSwitch(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		ownerX := a.SignUp(t, testkit.NewEmail("ownerx"), "Xavier Owner", true)
		x := createOrg(t, ownerX.Client, "Xylo", "xylo")
		ownerY := a.SignUp(t, testkit.NewEmail("ownery"), "Yvonne Owner", true)
		y := createOrg(t, ownerY.Client, "Yarrow", "yarrow")
		u := a.SignUp(t, testkit.NewEmail("u"), "Uma User", true)
		inviteExistingAndAccept(t, a, ownerX.Client, x.ID, u, "admin", 1)
		inviteExistingAndAccept(t, a, ownerY.Client, y.ID, u, "member", 2)

		var catalog page[struct {
			Name string `json:"name"`
		}]
		u.Get("/api/permissions").RequireStatus(t, http.StatusOK).JSON(t, &catalog)
		var adminPerms []string
		for _, p := range catalog.Items {
			if p.Name != "organization:delete" && p.Name != "organization:transfer" {
				adminPerms = append(adminPerms, p.Name)
			}
		}
		if !slices.Contains(adminPerms, "users:create") || !slices.Contains(adminPerms, "members:invite") {
			t.Fatalf("catalog = %+v", catalog.Items)
		}
		memberPerms := []string{"members:read", "roles:read", "users:read"}
		badUser := map[string]any{"email": "not-an-email"}

		// Accepting Y's invitation made Y active.
		act := requireActiveIs(t, u.Client, y.ID, "member")
		if !slices.Equal(act.Grants, memberPerms) || !slices.Equal(act.Permissions, memberPerms) {
			t.Fatalf("in Y: grants %v, permissions %v, want %v", act.Grants, act.Permissions, memberPerms)
		}
		u.Post("/api/users", badUser).RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		requireUsersListed(t, u.Client, ownerY.ID, u.ID)

		// Switch to X: the answer describes X, the cookie names it, and the
		// next request has admin's grants.
		r := u.Post("/api/organizations/active", map[string]any{"organizationId": x.ID}).RequireStatus(t, http.StatusOK)
		requireActiveCookieSet(t, r, x.ID)
		r.JSON(t, &act)
		if act.Organization == nil || act.Organization.ID != x.ID || act.Role != "admin" ||
			!slices.Equal(act.Grants, adminPerms) || !slices.Equal(act.Permissions, adminPerms) {
			t.Fatalf("switching to X = %s, want admin with %v", r.Body, adminPerms)
		}
		u.Post("/api/users", badUser).RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_email")
		act = requireActiveIs(t, u.Client, x.ID, "admin")
		if !slices.Equal(act.Permissions, adminPerms) {
			t.Fatalf("in X: permissions %v, want %v", act.Permissions, adminPerms)
		}
		requireUsersListed(t, u.Client, ownerX.ID, u.ID)

		// Back to Y, by slug.
		u.Post("/api/organizations/active", map[string]any{"organizationId": y.Slug}).RequireStatus(t, http.StatusOK)
		u.Post("/api/users", badUser).RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		requireActiveIs(t, u.Client, y.ID, "member")

		// The membership is read on every request: demoted in X while X is
		// active, the very next request has member's grants.
		u.Post("/api/organizations/active", map[string]any{"organizationId": x.ID}).RequireStatus(t, http.StatusOK)
		u.Post("/api/users", badUser).RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_email")
		ownerX.Do(http.MethodPatch, "/api/organizations/"+x.ID+"/members/"+u.ID.String(), map[string]any{"role": "member"}).
			RequireStatus(t, http.StatusOK)
		u.Post("/api/users", badUser).RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		act = requireActiveIs(t, u.Client, x.ID, "member")
		if !slices.Equal(act.Permissions, memberPerms) {
			t.Fatalf("demoted in X: permissions %v, want %v", act.Permissions, memberPerms)
		}
	})
}

// requireUsersListed fails unless GET /api/users as c lists exactly want.
func requireUsersListed(t testing.TB, c *testkit.Client, want ...kernel.UserID) {
	t.Helper()
	var list page[orgUserJSON]
	c.Get("/api/users?limit=200").RequireStatus(t, http.StatusOK).JSON(t, &list)
	got := make([]string, len(list.Items))
	for i, u := range list.Items {
		got[i] = u.ID
	}
	wantIDs := make([]string, len(want))
	for i, id := range want {
		wantIDs[i] = id.String()
	}
	slices.Sort(got)
	slices.Sort(wantIDs)
	if !slices.Equal(got, wantIDs) {
		t.Fatalf("users = %v, want %v", got, wantIDs)
	}
}

// TestPermissions_ActiveCookie checks the active-organization cookie:
// without one the most recently used organization is active and the
// cookie is set; one naming an organization the user left, was removed
// from, or never belonged to — or not naming an organization at all —
// gives no active organization (never another one, never a 500) and is
// cleared.
func TestPermissions_ActiveCookie(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		v := a.SignUp(t, testkit.NewEmail("v"), "Vera User", true)
		p := createOrg(t, v.Client, "Papaya", "papaya")
		a.Clock.Advance(time.Minute)
		q := createOrg(t, v.Client, "Quince", "quince")
		w := a.SignUp(t, testkit.NewEmail("w"), "Walter Other", true)
		z := createOrg(t, w.Client, "Zest", "zest")

		t.Run("no cookie: the most recently used", func(t *testing.T) {
			dropActiveCookie(t, a, v.Client)
			r := v.Get("/api/organizations/active").RequireStatus(t, http.StatusOK)
			requireActiveCookieSet(t, r, q.ID)
			requireActiveIs(t, v.Client, q.ID, "owner")

			a.Clock.Advance(time.Minute)
			v.Post("/api/organizations/active", map[string]any{"organizationId": p.ID}).RequireStatus(t, http.StatusOK)
			dropActiveCookie(t, a, v.Client)
			r = v.Get("/api/organizations/active").RequireStatus(t, http.StatusOK)
			requireActiveCookieSet(t, r, p.ID)
			requireActiveIs(t, v.Client, p.ID, "owner")
		})

		t.Run("no organization at all", func(t *testing.T) {
			loner := a.SignUp(t, testkit.NewEmail("loner"), "Lone Wolf", true)
			r := loner.Get("/api/organizations/active")
			requireNoActiveOrg(t, r)
			if c, ok := activeCookieIn(r); ok {
				t.Errorf("set %+v for a user in no organization", c)
			}
		})

		forged := []struct{ name, value string }{
			{"garbage", "garbage"},
			{"an organization-like garbage", "org_garbage"},
			{"a user ID", v.ID.String()},
			{"a slug of the user's own organization", p.Slug},
			{"an organization that does not exist", kernel.NewID[kernel.OrganizationKind]().String()},
			{"another user's organization", z.ID},
			{"a very long value", strings.Repeat("x", 3000)},
		}
		for _, f := range forged {
			t.Run("forged: "+f.name, func(t *testing.T) {
				putActiveCookie(t, a, v.Client, f.value)
				r := v.Get("/api/organizations/active")
				requireNoActiveOrg(t, r)
				requireActiveCookieCleared(t, r)

				putActiveCookie(t, a, v.Client, f.value)
				r = v.Post("/api/users", map[string]any{"email": "not-an-email"})
				r.RequireProblem(t, http.StatusForbidden, "tenancy.no_active_organization")
				requireActiveCookieCleared(t, r)

				// Once cleared, the default is back.
				requireActiveIs(t, v.Client, p.ID, "owner")
			})
		}

		invitations := 0
		t.Run("removed from the active organization", func(t *testing.T) {
			r := createOrg(t, w.Client, "Rhubarb", "rhubarb")
			invitations++
			inviteExistingAndAccept(t, a, w.Client, r.ID, v, "member", invitations)
			requireActiveIs(t, v.Client, r.ID, "member")
			w.Do(http.MethodDelete, "/api/organizations/"+r.ID+"/members/"+v.ID.String(), nil).RequireStatus(t, http.StatusNoContent)

			resp := v.Get("/api/organizations/active")
			requireNoActiveOrg(t, resp)
			requireActiveCookieCleared(t, resp)
			requireActiveIs(t, v.Client, p.ID, "owner")
		})

		t.Run("left the active organization", func(t *testing.T) {
			s := createOrg(t, w.Client, "Sorrel", "sorrel")
			invitations++
			inviteExistingAndAccept(t, a, w.Client, s.ID, v, "member", invitations)
			requireActiveIs(t, v.Client, s.ID, "member")
			resp := v.Post("/api/organizations/"+s.ID+"/leave", nil).RequireStatus(t, http.StatusNoContent)
			requireActiveCookieCleared(t, resp)
			requireActiveIs(t, v.Client, p.ID, "owner")

			// A stale copy of the cookie (another tab, another device).
			putActiveCookie(t, a, v.Client, s.ID)
			resp = v.Get("/api/organizations/active")
			requireNoActiveOrg(t, resp)
			requireActiveCookieCleared(t, resp)
		})
	})
}
