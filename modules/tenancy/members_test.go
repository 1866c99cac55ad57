package tenancy_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/groundworkhq/groundwork/testkit"
)

func TestMembers_ListPages(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Owner", true)
		o := createOrg(t, owner.Client, "Acme", "acme")
		want := map[string]string{owner.ID.String(): owner.Email}
		for i := range 4 {
			m := join(t, a, owner.Client, o.ID, fmt.Sprintf("m%d", i), "member")
			want[m.ID.String()] = m.Email
		}
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			var p page[memberJSON]
			owner.Get("/api/organizations/"+o.Slug+"/members?limit=2&cursor="+cursor).RequireStatus(t, http.StatusOK).JSON(t, &p)
			pages++
			for _, m := range p.Items {
				if seen[m.UserID] {
					t.Fatalf("member %s listed twice", m.UserID)
				}
				seen[m.UserID] = true
				if m.User.Email != want[m.UserID] || m.OrganizationID != o.ID || m.User.ID != m.UserID {
					t.Errorf("member = %+v", m)
				}
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
		}
		if len(seen) != 5 || pages != 3 {
			t.Fatalf("%d members over %d pages, want 5 over 3", len(seen), pages)
		}
		owner.Get("/api/organizations/"+o.ID+"/members?cursor=nope").RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_cursor")
		owner.Get("/api/organizations/"+o.ID+"/members?limit=0").RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")
		owner.Get("/api/organizations/"+o.ID+"/members?limit=101").RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")

		// One member, by membership ID or user ID.
		var m memberJSON
		owner.Get("/api/organizations/"+o.ID+"/members/"+owner.ID.String()).RequireStatus(t, http.StatusOK).JSON(t, &m)
		var again memberJSON
		owner.Get("/api/organizations/"+o.ID+"/members/"+m.ID).RequireStatus(t, http.StatusOK).JSON(t, &again)
		if m.Role != "owner" || again.UserID != owner.ID.String() {
			t.Fatalf("member = %+v / %+v", m, again)
		}
		owner.Get("/api/organizations/"+o.ID+"/members/nope").RequireProblem(t, http.StatusNotFound, "tenancy.member_not_found")
	})
}

func TestMembers_RolesRemovalLeaveAndTransfer(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Owner", true)
		o := createOrg(t, owner.Client, "Acme", "acme")
		ann := join(t, a, owner.Client, o.ID, "ann", "member")
		ben := join(t, a, owner.Client, o.ID, "ben", "member")
		path := "/api/organizations/" + o.ID + "/members/"

		// Change a role.
		var m memberJSON
		owner.Do(http.MethodPatch, path+ann.ID.String(), map[string]any{"role": "admin"}).RequireStatus(t, http.StatusOK).JSON(t, &m)
		if m.Role != "admin" || m.User.Email != ann.Email {
			t.Fatalf("changed = %+v", m)
		}
		p := owner.Do(http.MethodPatch, path+ann.ID.String(), map[string]any{"role": "nope"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.unknown_role")
		if len(p.Errors) != 1 || p.Errors[0].Location != "body.role" {
			t.Errorf("field errors = %+v", p.Errors)
		}
		owner.Do(http.MethodPatch, path+ann.ID.String(), map[string]any{"role": "BAD ROLE"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.unknown_role")

		// The last owner can be neither demoted, removed, nor leave.
		owner.Do(http.MethodPatch, path+owner.ID.String(), map[string]any{"role": "admin"}).RequireProblem(t, http.StatusConflict, "tenancy.last_owner")
		owner.Do(http.MethodDelete, path+owner.ID.String(), nil).RequireProblem(t, http.StatusConflict, "tenancy.last_owner")
		owner.Post("/api/organizations/"+o.ID+"/leave", nil).RequireProblem(t, http.StatusConflict, "tenancy.last_owner")
		if roleOf(members(t, owner.Client, o.ID), owner.ID.String()) != "owner" {
			t.Fatal("the last owner was changed")
		}

		// Remove, and the removed user no longer sees the organization.
		owner.Do(http.MethodDelete, path+ben.ID.String(), nil).RequireStatus(t, http.StatusNoContent)
		ben.Get("/api/organizations/"+o.ID).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		owner.Do(http.MethodDelete, path+ben.ID.String(), nil).RequireProblem(t, http.StatusNotFound, "tenancy.member_not_found")

		// Transfer: ann becomes owner, the owner an admin.
		owner.Post("/api/organizations/"+o.ID+"/transfer", map[string]any{"memberId": owner.ID.String()}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.transfer_to_self")
		ann.Post("/api/organizations/"+o.ID+"/transfer", map[string]any{"memberId": owner.ID.String()}).RequireProblem(t, http.StatusForbidden, "tenancy.owner_only")
		owner.Post("/api/organizations/"+o.ID+"/transfer", map[string]any{"memberId": ann.ID.String()}).RequireStatus(t, http.StatusOK).JSON(t, &m)
		if m.Role != "owner" {
			t.Fatalf("transferred to %+v", m)
		}
		ms := members(t, ann.Client, o.ID)
		if roleOf(ms, ann.ID.String()) != "owner" || roleOf(ms, owner.ID.String()) != "admin" {
			t.Fatalf("after transfer: %+v", ms)
		}
		// The former owner, now admin, cannot take it back or delete.
		owner.Do(http.MethodPatch, path+owner.ID.String(), map[string]any{"role": "owner"}).RequireProblem(t, http.StatusForbidden, "tenancy.escalation")
		owner.Do(http.MethodDelete, "/api/organizations/"+o.ID+"?confirm=acme", nil).RequireProblem(t, http.StatusForbidden, "tenancy.owner_only")

		// Now the admin can leave; then the cookie naming the organization is
		// cleared.
		r := owner.Post("/api/organizations/"+o.ID+"/leave", nil).RequireStatus(t, http.StatusNoContent)
		_ = r
		owner.Get("/api/organizations/"+o.ID).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		if ms := members(t, ann.Client, o.ID); len(ms) != 1 || ms[0].UserID != ann.ID.String() {
			t.Fatalf("after leaving: %+v", ms)
		}
	})
}

// TestMembers_OwnersDemotingEachOther races two owners demoting each other
// (and removing each other): whatever the interleaving, one owner remains.
func TestMembers_OwnersDemotingEachOther(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		for round := range 6 {
			x := a.SignUp(t, testkit.NewEmail("x"), "X", true)
			o := createOrg(t, x.Client, fmt.Sprintf("Race %d", round), fmt.Sprintf("race-%d", round))
			y := join(t, a, x.Client, o.ID, "y", "admin")
			x.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+y.ID.String(), map[string]any{"role": "owner"}).RequireStatus(t, http.StatusOK)

			path := "/api/organizations/" + o.ID + "/members/"
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			act := func(i int, c *testkit.Client, target string) {
				defer wg.Done()
				if round%2 == 0 {
					statuses[i] = c.Do(http.MethodPatch, path+target, map[string]any{"role": "admin"}).StatusCode
				} else {
					statuses[i] = c.Do(http.MethodDelete, path+target, nil).StatusCode
				}
			}
			wg.Add(2)
			go act(0, x.Client, y.ID.String())
			go act(1, y.Client, x.ID.String())
			wg.Wait()

			// Whoever is still a member counts the owners.
			owners := -1
			for _, c := range []*testkit.Client{x.Client, y.Client} {
				var p page[memberJSON]
				r := c.Get("/api/organizations/" + o.ID + "/members?limit=100")
				if r.StatusCode != http.StatusOK {
					continue
				}
				r.JSON(t, &p)
				owners = 0
				for _, m := range p.Items {
					if m.Role == "owner" {
						owners++
					}
				}
				break
			}
			if owners != 1 {
				t.Fatalf("round %d: %d owners left (statuses %v)", round, owners, statuses)
			}
			ok, conflict := 0, 0
			for _, s := range statuses {
				switch s {
				case http.StatusOK, http.StatusNoContent:
					ok++
				case http.StatusConflict, http.StatusForbidden, http.StatusNotFound:
					conflict++ // the loser was demoted or removed first
				}
			}
			if ok != 1 || conflict != 1 {
				t.Fatalf("round %d: statuses %v, want one success and one refusal", round, statuses)
			}
		}
	})
}

// TestActive_ClearingSticks: choosing no active organization lasts until
// the user chooses one again; it does not fall back to the most recent.
func TestActive_ClearingSticks(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		u := a.SignUp(t, testkit.NewEmail("u"), "U", true)
		o := createOrg(t, u.Client, "Acme", "acme")
		var act activeJSON
		u.Post("/api/organizations/active", map[string]any{"organizationId": nil}).RequireStatus(t, http.StatusOK).JSON(t, &act)
		if act.Organization != nil {
			t.Fatalf("after clearing: %+v", act)
		}
		for range 2 {
			u.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
			if act.Organization != nil || act.Role != "" {
				t.Fatalf("clearing did not stick: %+v", act)
			}
		}
		u.Get("/api/users").RequireProblem(t, http.StatusForbidden, "tenancy.no_active_organization")
		u.Post("/api/organizations/active", map[string]any{"organizationId": "acme"}).RequireStatus(t, http.StatusOK).JSON(t, &act)
		u.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
		if act.Organization == nil || act.Organization.ID != o.ID {
			t.Fatalf("after choosing again: %+v", act)
		}
	})
}

// TestMembers_ListFollowsEveryChange: the member list is served from memory
// while nothing changed, and shows every change at once: a join, a role
// change, a profile change, a removal.
func TestMembers_ListFollowsEveryChange(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Owner", true)
		o := createOrg(t, owner.Client, "Acme", "acme")
		ann := join(t, a, owner.Client, o.ID, "ann", "member")
		list := func() map[string]memberJSON {
			out := map[string]memberJSON{}
			for _, m := range members(t, owner.Client, o.ID) {
				out[m.UserID] = m
			}
			return out
		}
		if got := list(); len(got) != 2 || got[ann.ID.String()].User.Name != "ann" {
			t.Fatalf("list = %+v", got)
		}
		_ = list() // served again

		ann.Post("/api/auth/update-user", map[string]any{"name": "Ann Renamed"}).RequireStatus(t, http.StatusOK)
		if got := list()[ann.ID.String()]; got.User.Name != "Ann Renamed" {
			t.Fatalf("after a profile change: %+v", got)
		}
		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+ann.ID.String(), map[string]any{"role": "admin"}).RequireStatus(t, http.StatusOK)
		if got := list()[ann.ID.String()]; got.Role != "admin" {
			t.Fatalf("after a role change: %+v", got)
		}
		bob := join(t, a, owner.Client, o.ID, "bob", "member")
		if got := list(); len(got) != 3 {
			t.Fatalf("after a join: %+v", got)
		}
		owner.Do(http.MethodDelete, "/api/organizations/"+o.ID+"/members/"+bob.ID.String(), nil).RequireStatus(t, http.StatusNoContent)
		if got := list(); len(got) != 2 {
			t.Fatalf("after a removal: %+v", got)
		}
		// Through iam's admin API too (an organization cannot rename a
		// member: only the member renames themselves).
		owner.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
		owner.Do(http.MethodPatch, "/api/users/"+ann.ID.String(), map[string]any{"name": "Ann Admin-Set"}).
			RequireProblem(t, http.StatusForbidden, "iam.account_fields_personal")
		ann.Post("/api/auth/update-user", map[string]any{"name": "Ann Self-Set"}).RequireStatus(t, http.StatusOK)
		if got := list()[ann.ID.String()]; got.User.Name != "Ann Self-Set" {
			t.Fatalf("after a member's own profile change: %+v", got)
		}
		owner.Do(http.MethodDelete, "/api/users/"+ann.ID.String(), nil).RequireStatus(t, http.StatusNoContent)
		if got := list(); len(got) != 1 {
			t.Fatalf("after /api/users removal: %+v", got)
		}
	})
}

// TestMembers_AnotherProcessFollows: a second server process on the same
// database, whose access cache holds a member's access, follows a role
// change and a removal made through the first.
func TestMembers_AnotherProcessFollows(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Owner", true)
		o := createOrg(t, owner.Client, "Acme", "acme")
		ann := join(t, a, owner.Client, o.ID, "ann", "member")
		b := testkit.Beside(t, a)
		annB := ann.Client.Against(b)

		role := func() string {
			r := annB.Get("/api/organizations/active")
			if r.StatusCode != http.StatusOK {
				return fmt.Sprint(r.StatusCode)
			}
			var act activeJSON
			r.JSON(t, &act)
			return act.Role
		}
		if got := role(); got != "member" {
			t.Fatalf("role on the second process = %q", got)
		}
		annB.Get("/api/organizations/"+o.ID+"/members").RequireStatus(t, http.StatusOK)
		annB.Get("/api/organizations/"+o.ID+"/roles").RequireStatus(t, http.StatusOK)

		path := "/api/organizations/" + o.ID + "/members/" + ann.ID.String()
		owner.Do(http.MethodPatch, path, map[string]any{"role": "admin"}).RequireStatus(t, http.StatusOK)
		testkit.Eventually(t, "the second process sees the new role", func() bool { return role() == "admin" })

		owner.Do(http.MethodDelete, path, nil).RequireStatus(t, http.StatusNoContent)
		testkit.Eventually(t, "the second process sees the removal", func() bool {
			return annB.Get("/api/organizations/"+o.ID+"/members").StatusCode == http.StatusNotFound
		})
		annB.Get("/api/organizations/"+o.ID).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
	})
}
