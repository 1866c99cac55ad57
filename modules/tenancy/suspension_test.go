package tenancy_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/groundworkhq/groundwork/testkit"
)

// userStatus is the membership status /api/users shows for user.
func userStatus(t testing.TB, c *testkit.Client, user string) string {
	t.Helper()
	var u struct {
		Status string `json:"status"`
		Active bool   `json:"active"`
	}
	c.Get("/api/users/"+user).RequireStatus(t, http.StatusOK).JSON(t, &u)
	if !u.Active {
		t.Fatalf("the account of %s was deactivated", user)
	}
	return u.Status
}

// TestSuspension_OrganizationSuspendsAMembershipNotAnAccount: what replaces
// the account-wide deactivation: a suspended member keeps their account,
// sessions and other organizations, holds no grant in this one until
// reinstated, and may still leave it.
func TestSuspension_OrganizationSuspendsAMembershipNotAnAccount(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		admin := join(t, a, owner.Client, o.ID, "adam", "admin")
		member := join(t, a, owner.Client, o.ID, "mia", "admin")
		own := createOrg(t, member.Client, "Mia's", "mias")
		activate(t, admin.Client, o.ID)
		activate(t, member.Client, o.ID)
		member.Get("/api/users").RequireStatus(t, http.StatusOK)

		upath := "/api/users/" + member.ID.String()
		var got struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Active bool   `json:"active"`
		}
		admin.Do(http.MethodPatch, upath, map[string]any{"status": "suspended"}).RequireStatus(t, http.StatusOK).JSON(t, &got)
		if got.ID != member.ID.String() || got.Status != "suspended" || !got.Active {
			t.Fatalf("suspended = %+v", got)
		}
		// Asking again changes nothing and answers the same.
		admin.Do(http.MethodPatch, upath, map[string]any{"status": "suspended"}).RequireStatus(t, http.StatusOK)

		// The account is untouched: signed in, and its own organization works.
		requireSignedIn(t, member.Client, "the suspended member")
		member.Get("/api/organizations/"+own.ID+"/members").RequireStatus(t, http.StatusOK)
		// This organization grants nothing: its routes answer why, it is no
		// longer the active one, and it cannot be made active.
		for _, path := range []string{"/api/organizations/" + o.ID, "/api/organizations/" + o.ID + "/members", "/api/organizations/acme/roles"} {
			member.Get(path).RequireProblem(t, http.StatusForbidden, "tenancy.membership_suspended")
		}
		member.Post("/api/organizations/"+o.ID+"/invitations", map[string]any{"email": testkit.NewEmail("x"), "role": "member"}).
			RequireProblem(t, http.StatusForbidden, "tenancy.membership_suspended")
		var act activeJSON
		member.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
		if act.Organization != nil && act.Organization.ID == o.ID {
			t.Errorf("the suspended organization is still active: %+v", act)
		}
		member.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).
			RequireProblem(t, http.StatusForbidden, "tenancy.membership_suspended")
		var mine page[struct {
			ID        string `json:"id"`
			Suspended bool   `json:"suspended"`
		}]
		member.Get("/api/organizations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		for _, org := range mine.Items {
			if org.Suspended != (org.ID == o.ID) {
				t.Errorf("organization %s listed with suspended %v", org.ID, org.Suspended)
			}
		}
		if len(mine.Items) != 2 {
			t.Errorf("organizations = %+v", mine.Items)
		}
		// The organization sees the member as suspended, with their role.
		if s := userStatus(t, admin.Client, member.ID.String()); s != "suspended" {
			t.Errorf("status in /api/users = %q", s)
		}
		var m memberStatusJSON
		admin.Get("/api/organizations/"+o.ID+"/members/"+member.ID.String()).RequireStatus(t, http.StatusOK).JSON(t, &m)
		if m.Status != "suspended" || m.SuspendedAt == nil || m.Role != "admin" {
			t.Errorf("member = %+v", m)
		}
		var listPage page[memberStatusJSON]
		admin.Get("/api/organizations/"+o.ID+"/members").RequireStatus(t, http.StatusOK).JSON(t, &listPage)
		for _, lm := range listPage.Items {
			if want := map[bool]string{true: "suspended", false: "active"}[lm.UserID == member.ID.String()]; lm.Status != want {
				t.Errorf("listed %s as %q, want %q", lm.UserID, lm.Status, want)
			}
		}

		// Reinstated, the membership has its role and grants back at once.
		admin.Do(http.MethodPatch, upath, map[string]any{"status": "active"}).RequireStatus(t, http.StatusOK).JSON(t, &got)
		if got.Status != "active" {
			t.Fatalf("reinstated = %+v", got)
		}
		activate(t, member.Client, o.ID)
		member.Get("/api/organizations/"+o.ID+"/members").RequireStatus(t, http.StatusOK)
		member.Get("/api/users").RequireStatus(t, http.StatusOK)

		// A suspended member may still leave.
		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+member.ID.String(), map[string]any{"status": "suspended"}).
			RequireStatus(t, http.StatusOK)
		member.Post("/api/organizations/"+o.ID+"/leave", nil).RequireStatus(t, http.StatusNoContent)

		// Each change is in the audit log.
		var entries page[struct {
			Action string `json:"action"`
		}]
		owner.Get("/api/audit?limit=100").RequireStatus(t, http.StatusOK).JSON(t, &entries)
		var actions []string
		for _, e := range entries.Items {
			actions = append(actions, e.Action)
		}
		for _, want := range []string{"member.suspended", "member.reinstated", "member.left"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit actions %v lack %s", actions, want)
			}
		}
		if n := countOf(actions, "member.suspended"); n != 2 {
			t.Errorf("%d member.suspended entries, want 2 (asking twice is one change)", n)
		}
	})
}

type memberStatusJSON struct {
	memberJSON
	Status      string  `json:"status"`
	SuspendedAt *string `json:"suspendedAt"`
}

func countOf(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}

// TestSuspension_Guards: a suspension obeys every rule an action on a
// member does, and no organization is left without an active owner.
func TestSuspension_Guards(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		admin := join(t, a, owner.Client, o.ID, "adam", "admin")
		member := join(t, a, owner.Client, o.ID, "mia", "member")
		coOwner := join(t, a, owner.Client, o.ID, "cole", "admin")
		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+coOwner.ID.String(), map[string]any{"role": "owner"}).
			RequireStatus(t, http.StatusOK)
		activate(t, admin.Client, o.ID)
		activate(t, member.Client, o.ID)
		activate(t, owner.Client, o.ID)

		// An admin cannot suspend an owner, nor themselves; a member cannot
		// suspend anyone.
		admin.Do(http.MethodPatch, "/api/users/"+owner.ID.String(), map[string]any{"status": "suspended"}).
			RequireProblem(t, http.StatusForbidden, "tenancy.escalation")
		admin.Do(http.MethodPatch, "/api/users/"+admin.ID.String(), map[string]any{"status": "suspended"}).
			RequireProblem(t, http.StatusConflict, "tenancy.cannot_suspend_self")
		member.Do(http.MethodPatch, "/api/users/"+admin.ID.String(), map[string]any{"status": "suspended"}).
			RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		// Bad input is a problem, not a partial write.
		admin.Do(http.MethodPatch, "/api/users/"+member.ID.String(), map[string]any{"status": "gone"}).
			RequireStatus(t, http.StatusUnprocessableEntity)
		admin.Do(http.MethodPatch, "/api/users/"+member.ID.String(), map[string]any{}).
			RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_user")
		admin.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+member.ID.String(), map[string]any{}).
			RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.nothing_to_update")
		admin.Do(http.MethodPatch, "/api/users/usr_01jzzzzzzzzzzzzzzzzzzzzzzz", map[string]any{"status": "suspended"}).
			RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		// A role change and a suspension in one request are one transaction:
		// a refused role leaves the member active.
		admin.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+member.ID.String(),
			map[string]any{"role": "owner", "status": "suspended"}).RequireProblem(t, http.StatusForbidden, "tenancy.escalation")
		if s := userStatus(t, admin.Client, member.ID.String()); s != "active" {
			t.Fatalf("a refused change suspended the member: %q", s)
		}

		// The owner suspends the co-owner: the organization still has an
		// active owner (the actor). Now the owner is the only active one:
		// leaving, being demoted or handing ownership to the suspended one
		// is refused.
		owner.Do(http.MethodPatch, "/api/users/"+coOwner.ID.String(), map[string]any{"status": "suspended"}).RequireStatus(t, http.StatusOK)
		owner.Post("/api/organizations/"+o.ID+"/leave", nil).RequireProblem(t, http.StatusConflict, "tenancy.last_owner")
		owner.Post("/api/organizations/"+o.ID+"/transfer", map[string]any{"memberId": coOwner.ID.String()}).
			RequireProblem(t, http.StatusConflict, "tenancy.member_suspended")
		// The suspended co-owner holds nothing: not even ownership's rights.
		coOwner.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+owner.ID.String(), map[string]any{"status": "suspended"}).
			RequireProblem(t, http.StatusForbidden, "tenancy.membership_suspended")
		coOwner.Do(http.MethodDelete, "/api/organizations/"+o.ID, nil).
			RequireProblem(t, http.StatusForbidden, "tenancy.membership_suspended")
		// Reinstated, the co-owner is an owner again and the owner may leave.
		owner.Do(http.MethodPatch, "/api/users/"+coOwner.ID.String(), map[string]any{"status": "active"}).RequireStatus(t, http.StatusOK)
		owner.Post("/api/organizations/"+o.ID+"/leave", nil).RequireStatus(t, http.StatusNoContent)
		if ms := members(t, coOwner.Client, o.ID); roleOf(ms, coOwner.ID.String()) != "owner" {
			t.Errorf("members after = %+v", ms)
		}
	})
}
