package tenancy_test

import (
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
)

// The cross-tenant matrix: for every organization-scoped endpoint, a member
// of organization B addressing organization A's resources gets 404 and
// nothing changes in A. Each test builds its own pair of organizations,
// attacks A in one way, and ends by comparing A (and B) with what they were.

// invitationDetailJSON is an invitation with its timestamps, so that a
// resend (new expiry) or a revoke shows in a before/after comparison.
type invitationDetailJSON struct {
	invitationJSON
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// roleDetailJSON is a role with its timestamps.
type roleDetailJSON struct {
	roleJSON
	UpdatedAt *time.Time `json:"updatedAt"`
}

// orgUserJSON is a user as /api/users shows it (the fields compared).
type orgUserJSON struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Active    bool   `json:"active"`
	UpdatedAt string `json:"updatedAt"`
}

// tenantState is everything an organization's owner can see of it.
type tenantState struct {
	Org         orgJSON
	Members     []memberJSON
	Roles       []roleDetailJSON
	Invitations []invitationDetailJSON
	Users       []orgUserJSON
}

// tenantStateOf reads org as its owner c, whose active organization it must be
// (for /api/users).
func tenantStateOf(t testing.TB, c *testkit.Client, org string) tenantState {
	t.Helper()
	base := "/api/organizations/" + org
	var s tenantState
	c.Get(base).RequireStatus(t, http.StatusOK).JSON(t, &s.Org)
	s.Members = members(t, c, org)
	var roles page[roleDetailJSON]
	c.Get(base+"/roles").RequireStatus(t, http.StatusOK).JSON(t, &roles)
	s.Roles = roles.Items
	var invs page[invitationDetailJSON]
	c.Get(base+"/invitations?status=all").RequireStatus(t, http.StatusOK).JSON(t, &invs)
	s.Invitations = invs.Items
	var act activeJSON
	c.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
	if act.Organization == nil || act.Organization.ID != s.Org.ID {
		t.Fatalf("tenantStateOf %s: the reader's active organization is %+v", org, act.Organization)
	}
	var users page[orgUserJSON]
	c.Get("/api/users?limit=200").RequireStatus(t, http.StatusOK).JSON(t, &users)
	s.Users = users.Items
	return s
}

// requireSameTenantState fails unless after equals before, naming what differs.
func requireSameTenantState(t testing.TB, what string, before, after tenantState) {
	t.Helper()
	if !reflect.DeepEqual(before.Org, after.Org) {
		t.Errorf("%s: organization changed\nbefore %+v\nafter  %+v", what, before.Org, after.Org)
	}
	if !reflect.DeepEqual(before.Members, after.Members) {
		t.Errorf("%s: members changed\nbefore %+v\nafter  %+v", what, before.Members, after.Members)
	}
	if !reflect.DeepEqual(before.Roles, after.Roles) {
		t.Errorf("%s: roles changed\nbefore %+v\nafter  %+v", what, before.Roles, after.Roles)
	}
	if !reflect.DeepEqual(before.Invitations, after.Invitations) {
		t.Errorf("%s: invitations changed\nbefore %+v\nafter  %+v", what, before.Invitations, after.Invitations)
	}
	if !reflect.DeepEqual(before.Users, after.Users) {
		t.Errorf("%s: users changed\nbefore %+v\nafter  %+v", what, before.Users, after.Users)
	}
}

// twoTenants is the cross-tenant fixture: organization A with an owner, a
// member, a pending invitation and a custom role; organization B with an
// owner (the owner role: every grant in B) and a member; and a user who
// belongs to no organization.
type twoTenants struct {
	a *testkit.App

	ownerA, memberA testkit.Account
	invitee         testkit.Account // A's pending invitation is addressed to them
	orgA            orgJSON
	membershipA     memberJSON // memberA's membership of A
	invA            invitationJSON
	tokenA          string // the link token of invA
	roleA           roleJSON

	ownerB, memberB testkit.Account
	orgB            orgJSON

	loner testkit.Account

	beforeA, beforeB tenantState
}

func newTwoTenants(t *testing.T, a *testkit.App) *twoTenants {
	t.Helper()
	f := &twoTenants{a: a}
	f.ownerA = a.SignUp(t, testkit.NewEmail("ownera"), "Alice Owner", true)
	f.orgA = createOrg(t, f.ownerA.Client, "Acme", "acme")
	f.ownerA.Post("/api/organizations/acme/roles", map[string]any{"name": "auditor", "permissions": []string{"members:read"}}).
		RequireStatus(t, http.StatusCreated).JSON(t, &f.roleA)
	f.memberA = join(t, a, f.ownerA.Client, f.orgA.ID, "mallory", "auditor")
	for _, m := range members(t, f.ownerA.Client, f.orgA.ID) {
		if m.UserID == f.memberA.ID.String() {
			f.membershipA = m
		}
	}
	if f.membershipA.ID == "" || f.membershipA.Role != "auditor" {
		t.Fatalf("A's member not listed with the custom role: %+v", f.membershipA)
	}
	f.invitee = a.SignUp(t, testkit.NewEmail("invitee"), "Ivy Invitee", true)
	f.invA = invite(t, f.ownerA.Client, f.orgA.ID, f.invitee.Email, "member")
	f.tokenA = invitationToken(t, a, f.invitee.Email, 1)

	f.ownerB = a.SignUp(t, testkit.NewEmail("ownerb"), "Bob Owner", true)
	f.orgB = createOrg(t, f.ownerB.Client, "Globex", "globex")
	f.memberB = join(t, a, f.ownerB.Client, f.orgB.ID, "bella", "member")

	f.loner = a.SignUp(t, testkit.NewEmail("loner"), "Lone Wolf", true)

	f.beforeA = tenantStateOf(t, f.ownerA.Client, f.orgA.ID)
	f.beforeB = tenantStateOf(t, f.ownerB.Client, f.orgB.ID)
	// Any write that slipped through from here on would carry a later
	// timestamp (a resent invitation a later expiry), so it shows.
	a.Clock.Advance(time.Hour)
	return f
}

// requireUnchanged fails unless A and B are as newTwoTenants left them.
func (f *twoTenants) requireUnchanged(t *testing.T) {
	t.Helper()
	requireSameTenantState(t, "organization A", f.beforeA, tenantStateOf(t, f.ownerA.Client, f.orgA.ID))
	requireSameTenantState(t, "organization B", f.beforeB, tenantStateOf(t, f.ownerB.Client, f.orgB.ID))
}

// scopedRoute is an organization-scoped operation, its path relative to
// /api/organizations/{org}.
type scopedRoute struct {
	name   string
	method string
	path   string
	body   any
}

// routesOnA lists every /api/organizations/{org}/… operation, aimed at A's
// resources, with bodies that would succeed for A's owner.
func (f *twoTenants) routesOnA() []scopedRoute {
	mem := "/members/" + f.membershipA.ID
	inv := "/invitations/" + f.invA.ID
	role := "/roles/" + f.roleA.ID
	return []scopedRoute{
		{"get organization", http.MethodGet, "", nil},
		{"update organization", http.MethodPatch, "", map[string]any{"name": "Pwned", "slug": "pwned"}},
		{"delete organization", http.MethodDelete, "", map[string]any{"confirm": f.orgA.Slug}},
		{"list members", http.MethodGet, "/members", nil},
		{"get member", http.MethodGet, mem, nil},
		{"change member role", http.MethodPatch, mem, map[string]any{"role": "admin"}},
		{"remove member", http.MethodDelete, mem, nil},
		{"leave", http.MethodPost, "/leave", nil},
		{"transfer ownership", http.MethodPost, "/transfer", map[string]any{"memberId": f.membershipA.ID}},
		{"list invitations", http.MethodGet, "/invitations?status=all", nil},
		{"create invitation", http.MethodPost, "/invitations", map[string]any{"email": testkit.NewEmail("spy"), "role": "member"}},
		{"revoke invitation", http.MethodPost, inv + "/revoke", nil},
		{"resend invitation", http.MethodPost, inv + "/resend", nil},
		{"list roles", http.MethodGet, "/roles", nil},
		{"create role", http.MethodPost, "/roles", map[string]any{"name": "pwned", "permissions": []string{"*"}}},
		{"get role", http.MethodGet, role, nil},
		{"update role", http.MethodPatch, role, map[string]any{"permissions": []string{"*"}}},
		{"delete role", http.MethodDelete, role, nil},
	}
}

// TestIsolation_OrganizationRoutes calls every organization-scoped route
// on A — by ID and by slug — as B's owner and as a user in no
// organization: each is 404 tenancy.organization_not_found, worded exactly
// as for an organization that does not exist, and A is unchanged.
func TestIsolation_OrganizationRoutes(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		f := newTwoTenants(t, a)
		nowhere := kernel.NewID[kernel.OrganizationKind]().String()

		callers := []struct {
			name string
			c    *testkit.Client
		}{
			{"owner of B", f.ownerB.Client},
			{"user in no organization", f.loner.Client},
		}
		refs := []struct{ name, ref string }{
			{"A by ID", f.orgA.ID},
			{"A by slug", f.orgA.Slug},
		}
		for _, caller := range callers {
			for _, ref := range refs {
				for _, r := range f.routesOnA() {
					t.Run(caller.name+"/"+ref.name+"/"+r.name, func(t *testing.T) {
						got := caller.c.Do(r.method, "/api/organizations/"+ref.ref+r.path, r.body).
							RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
						// Indistinguishable from an organization that does not exist.
						want := caller.c.Do(r.method, "/api/organizations/"+nowhere+r.path, r.body).
							RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
						if got.Title != want.Title || got.Detail != want.Detail || len(got.Errors) != 0 {
							t.Errorf("A's 404 = %+v, an unknown organization's = %+v", got, want)
						}
					})
				}
			}
		}

		// A's own member is let in, so the 404s above are about membership.
		f.memberA.Get("/api/organizations/"+f.orgA.Slug).RequireStatus(t, http.StatusOK)
		f.requireUnchanged(t)
	})
}

// TestIsolation_ForeignIDs addresses B, where B's owner holds every grant,
// with A's member, invitation and role IDs (and names) in the path or the
// body: each is the 404 of the missing member, invitation or role — or the
// 422 of an unknown role name in a body — and nothing changes in A or B.
func TestIsolation_ForeignIDs(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		f := newTwoTenants(t, a)
		b := "/api/organizations/" + f.orgB.ID
		var memberBID string
		for _, m := range f.beforeB.Members {
			if m.UserID == f.memberB.ID.String() {
				memberBID = m.ID
			}
		}
		const (
			memberNotFound     = "tenancy.member_not_found"
			invitationNotFound = "tenancy.invitation_not_found"
			roleNotFound       = "tenancy.role_not_found"
		)
		rows := []struct {
			name   string
			method string
			path   string
			body   any
			status int
			code   string
		}{
			{"get A's member by membership ID", http.MethodGet, b + "/members/" + f.membershipA.ID, nil, http.StatusNotFound, memberNotFound},
			{"get A's member by user ID", http.MethodGet, b + "/members/" + f.memberA.ID.String(), nil, http.StatusNotFound, memberNotFound},
			{"get A's owner by user ID", http.MethodGet, b + "/members/" + f.ownerA.ID.String(), nil, http.StatusNotFound, memberNotFound},
			{"change role of A's member by membership ID", http.MethodPatch, b + "/members/" + f.membershipA.ID,
				map[string]any{"role": "admin"}, http.StatusNotFound, memberNotFound},
			{"change role of A's member by user ID", http.MethodPatch, b + "/members/" + f.memberA.ID.String(),
				map[string]any{"role": "admin"}, http.StatusNotFound, memberNotFound},
			{"demote A's owner by user ID", http.MethodPatch, b + "/members/" + f.ownerA.ID.String(),
				map[string]any{"role": "member"}, http.StatusNotFound, memberNotFound},
			{"remove A's member by membership ID", http.MethodDelete, b + "/members/" + f.membershipA.ID, nil, http.StatusNotFound, memberNotFound},
			{"remove A's member by user ID", http.MethodDelete, b + "/members/" + f.memberA.ID.String(), nil, http.StatusNotFound, memberNotFound},
			{"remove A's owner by user ID", http.MethodDelete, b + "/members/" + f.ownerA.ID.String(), nil, http.StatusNotFound, memberNotFound},
			{"transfer to A's member by membership ID", http.MethodPost, b + "/transfer",
				map[string]any{"memberId": f.membershipA.ID}, http.StatusNotFound, memberNotFound},
			{"transfer to A's member by user ID", http.MethodPost, b + "/transfer",
				map[string]any{"memberId": f.memberA.ID.String()}, http.StatusNotFound, memberNotFound},
			{"revoke A's invitation", http.MethodPost, b + "/invitations/" + f.invA.ID + "/revoke", nil, http.StatusNotFound, invitationNotFound},
			{"resend A's invitation", http.MethodPost, b + "/invitations/" + f.invA.ID + "/resend", nil, http.StatusNotFound, invitationNotFound},
			{"get A's role by ID", http.MethodGet, b + "/roles/" + f.roleA.ID, nil, http.StatusNotFound, roleNotFound},
			{"get A's role by name", http.MethodGet, b + "/roles/" + f.roleA.Name, nil, http.StatusNotFound, roleNotFound},
			{"update A's role by ID", http.MethodPatch, b + "/roles/" + f.roleA.ID,
				map[string]any{"permissions": []string{"*"}}, http.StatusNotFound, roleNotFound},
			{"update A's role by name", http.MethodPatch, b + "/roles/" + f.roleA.Name,
				map[string]any{"name": "renamed"}, http.StatusNotFound, roleNotFound},
			{"delete A's role by ID", http.MethodDelete, b + "/roles/" + f.roleA.ID, nil, http.StatusNotFound, roleNotFound},
			{"delete A's role by name", http.MethodDelete, b + "/roles/" + f.roleA.Name, nil, http.StatusNotFound, roleNotFound},
			// A's custom role is not B's: naming it in a body is an unknown role.
			{"invite with A's custom role", http.MethodPost, b + "/invitations",
				map[string]any{"email": testkit.NewEmail("recruit"), "role": f.roleA.Name}, http.StatusUnprocessableEntity, "tenancy.unknown_role"},
			{"give B's member A's custom role", http.MethodPatch, b + "/members/" + memberBID,
				map[string]any{"role": f.roleA.Name}, http.StatusUnprocessableEntity, "tenancy.unknown_role"},
		}
		for _, r := range rows {
			t.Run(r.name, func(t *testing.T) {
				f.ownerB.Do(r.method, r.path, r.body).RequireProblem(t, r.status, r.code)
			})
		}
		f.requireUnchanged(t)
	})
}

// TestIsolation_ActiveInvitationsAndUsers covers the routes outside
// /api/organizations/{org}: B's owner cannot make A active (by ID, slug or
// a forged cookie), cannot use A's invitation link or ID, and /api/users
// with B active neither lists nor touches A's users. A is unchanged, and
// its invitation still works for the invitee.
func TestIsolation_ActiveInvitationsAndUsers(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		f := newTwoTenants(t, a)

		t.Run("set active", func(t *testing.T) {
			for _, ref := range []string{f.orgA.ID, f.orgA.Slug} {
				f.ownerB.Post("/api/organizations/active", map[string]any{"organizationId": ref}).
					RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
				f.loner.Post("/api/organizations/active", map[string]any{"organizationId": ref}).
					RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
			}
			requireActiveIs(t, f.ownerB.Client, f.orgB.ID, "owner")
		})

		t.Run("forged active cookie naming A", func(t *testing.T) {
			putActiveCookie(t, a, f.ownerB.Client, f.orgA.ID)
			f.ownerB.Get("/api/users").RequireProblem(t, http.StatusForbidden, "tenancy.no_active_organization")
			putActiveCookie(t, a, f.ownerB.Client, f.orgA.ID)
			r := f.ownerB.Get("/api/organizations/active").RequireStatus(t, http.StatusOK)
			requireNoActiveOrg(t, r)
			requireActiveCookieCleared(t, r)
			// With the cookie gone, B — the most recently used — is back.
			requireActiveIs(t, f.ownerB.Client, f.orgB.ID, "owner")
		})

		t.Run("invitation link", func(t *testing.T) {
			// The link is the capability to look: anyone holding it sees the
			// preview, and it names the invitee.
			var prev struct {
				Email  string `json:"email"`
				Status string `json:"status"`
			}
			f.ownerB.Get("/api/invitations/"+f.tokenA).RequireStatus(t, http.StatusOK).JSON(t, &prev)
			if prev.Email != f.invitee.Email || prev.Status != "pending" {
				t.Fatalf("preview = %+v", prev)
			}
			// But only the invitee may use it.
			for _, c := range []*testkit.Client{f.ownerB.Client, f.loner.Client, f.memberA.Client} {
				c.Post("/api/invitations/"+f.tokenA+"/accept", nil).RequireProblem(t, http.StatusForbidden, "tenancy.invitation_email_mismatch")
				c.Post("/api/invitations/"+f.tokenA+"/decline", nil).RequireProblem(t, http.StatusForbidden, "tenancy.invitation_email_mismatch")
			}
			// By ID it is not even found: the ID works only for the invitee.
			f.ownerB.Post("/api/invitations/"+f.invA.ID+"/accept", nil).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
			f.ownerB.Post("/api/invitations/"+f.invA.ID+"/decline", nil).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
			var mine page[struct {
				ID string `json:"id"`
			}]
			f.ownerB.Get("/api/invitations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
			if len(mine.Items) != 0 {
				t.Errorf("B's owner's invitations = %+v, want none", mine.Items)
			}
			requireActiveIs(t, f.ownerB.Client, f.orgB.ID, "owner")
		})

		t.Run("users", func(t *testing.T) {
			requireActiveIs(t, f.ownerB.Client, f.orgB.ID, "owner")
			var list page[orgUserJSON]
			f.ownerB.Get("/api/users?limit=200").RequireStatus(t, http.StatusOK).JSON(t, &list)
			ids := make([]string, len(list.Items))
			for i, u := range list.Items {
				ids[i] = u.ID
			}
			slices.Sort(ids)
			want := []string{f.ownerB.ID.String(), f.memberB.ID.String()}
			slices.Sort(want)
			if !slices.Equal(ids, want) {
				t.Errorf("users with B active = %v, want B's members %v", ids, want)
			}
			for _, email := range []string{f.memberA.Email, f.ownerA.Email} {
				f.ownerB.Get("/api/users?search="+email).RequireStatus(t, http.StatusOK).JSON(t, &list)
				if len(list.Items) != 0 {
					t.Errorf("searching %s with B active = %+v", email, list.Items)
				}
			}
			for _, id := range []kernel.UserID{f.memberA.ID, f.ownerA.ID} {
				path := "/api/users/" + id.String()
				f.ownerB.Get(path).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
				f.ownerB.Do(http.MethodPatch, path, map[string]any{"name": "Pwned", "active": false}).
					RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
				f.ownerB.Do(http.MethodDelete, path, nil).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
			}
		})

		f.requireUnchanged(t)

		// A's invitation still works for the one it is addressed to.
		var joined orgJSON
		f.invitee.Post("/api/invitations/"+f.tokenA+"/accept", nil).RequireStatus(t, http.StatusOK).JSON(t, &joined)
		if joined.ID != f.orgA.ID || joined.Role != "member" {
			t.Fatalf("invitee joined %+v", joined)
		}
	})
}
