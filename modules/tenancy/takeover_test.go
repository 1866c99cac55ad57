package tenancy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/testkit"
)

// activate makes org c's active organization.
func activate(t testing.TB, c *testkit.Client, org string) {
	t.Helper()
	c.Post("/api/organizations/active", map[string]any{"organizationId": org}).RequireStatus(t, http.StatusOK)
}

// requireSignedIn fails unless c's session still works.
func requireSignedIn(t testing.TB, c *testkit.Client, who string) {
	t.Helper()
	if r := c.Get("/api/auth/get-session"); r.StatusCode != http.StatusOK || strings.TrimSpace(string(r.Body)) == "null" {
		t.Fatalf("%s was signed out: %d %s", who, r.StatusCode, r.Body)
	}
}

// TestTakeover_UsersRouteCannotSeizeAnAccount: a newly signed-up user
// with an organization of their own cannot pull someone else's account in
// through /api/users, learn that it exists, or change it.
func TestTakeover_UsersRouteCannotSeizeAnAccount(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		victim := a.SignUp(t, testkit.NewEmail("victim"), "Victor Victim", true)
		mallory := a.SignUp(t, testkit.NewEmail("mallory"), "Mallory", true)
		o := createOrg(t, mallory.Client, "Trap", "trap")
		activate(t, mallory.Client, o.ID)

		// Adding the victim's address is an invitation, answered exactly as
		// an address nobody has.
		answer := func(email string) map[string]any {
			var m map[string]any
			r := mallory.Post("/api/users", map[string]any{"email": email}).RequireStatus(t, http.StatusAccepted)
			if strings.Contains(string(r.Body), victim.ID.String()) {
				t.Fatalf("the answer names the victim's account: %s", r.Body)
			}
			r.JSON(t, &m)
			return m
		}
		keys := func(m map[string]any) []string {
			var ks []string
			for k := range m {
				ks = append(ks, k)
			}
			slices.Sort(ks)
			return ks
		}
		existing, nobody := answer(victim.Email), answer(testkit.NewEmail("nobody"))
		if !slices.Equal(keys(existing), keys(nobody)) || existing["status"] != "pending" || nobody["status"] != "pending" {
			t.Errorf("answers differ: %v vs %v", existing, nobody)
		}
		if ms := members(t, mallory.Client, o.ID); len(ms) != 1 {
			t.Fatalf("the victim was added without accepting: %+v", ms)
		}
		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		mallory.Get("/api/users").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != mallory.ID.String() {
			t.Errorf("users = %+v", list.Items)
		}

		// Not a member: every /api/users route is 404, and nothing changes.
		vpath := "/api/users/" + victim.ID.String()
		mallory.Get(vpath).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		mallory.Do(http.MethodPatch, vpath, map[string]any{"active": false, "name": "Owned"}).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		mallory.Do(http.MethodDelete, vpath, nil).RequireProblem(t, http.StatusNotFound, "iam.user_not_found")
		mallory.Post("/api/organizations/"+o.ID+"/transfer", map[string]any{"memberId": victim.ID.String()}).RequireStatus(t, http.StatusNotFound)

		requireSignedIn(t, victim.Client, "the victim")
		var s struct {
			User struct {
				Name string `json:"name"`
			} `json:"user"`
		}
		victim.Get("/api/auth/get-session").RequireStatus(t, http.StatusOK).JSON(t, &s)
		if s.User.Name != "Victor Victim" {
			t.Errorf("the victim's name became %q", s.User.Name)
		}
		fresh := a.Client()
		fresh.Post("/api/auth/sign-in/email", map[string]any{"email": victim.Email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)
		// The victim's account can still be deleted: no organization holds it.
		victim.Post("/api/auth/delete-user", map[string]any{"password": testkit.Password}).RequireStatus(t, http.StatusOK)
	})
}

// TestTakeover_AdminCannotLockOutTheOwner: an organization admin (any
// role with users:update) changes no account-wide field of anyone, the
// owner included, and cannot remove someone whose role holds more.
func TestTakeover_AdminCannotLockOutTheOwner(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		admin := join(t, a, owner.Client, o.ID, "adam", "admin")
		member := join(t, a, owner.Client, o.ID, "mia", "member")
		activate(t, admin.Client, o.ID)

		opath := "/api/users/" + owner.ID.String()
		for _, patch := range []map[string]any{
			{"active": false}, {"name": "Locked Out"}, {"username": "owned"}, {"locale": "fr"}, {"image": "https://evil.example/x.png"},
			{"email": "mine@evil.example"}, {"password": "hunter22hunter22"}, {"locale": nil}, {"status": "suspended", "active": false},
		} {
			body, _ := json.Marshal(patch)
			t.Run(fmt.Sprintf("PATCH %s", body), func(t *testing.T) {
				admin.Do(http.MethodPatch, opath, patch).RequireProblem(t, http.StatusForbidden, "iam.account_fields_personal")
				admin.Do(http.MethodPatch, "/api/users/"+member.ID.String(), patch).RequireProblem(t, http.StatusForbidden, "iam.account_fields_personal")
			})
		}
		admin.Do(http.MethodDelete, opath, nil).RequireProblem(t, http.StatusForbidden, "tenancy.escalation")
		requireSignedIn(t, owner.Client, "the owner")
		if ms := members(t, owner.Client, o.ID); len(ms) != 3 || roleOf(ms, owner.ID.String()) != "owner" {
			t.Fatalf("members = %+v", ms)
		}
		// Removing a member whose role holds no more than the admin's works,
		// and leaves the account alone.
		admin.Do(http.MethodDelete, "/api/users/"+member.ID.String(), nil).RequireStatus(t, http.StatusNoContent)
		requireSignedIn(t, member.Client, "the removed member")
	})
}

// TestTakeover_InvitationsCappedPerInviter: organizations are free, so the
// hourly invitation cap also counts per inviting user across all of them.
func TestTakeover_InvitationsCappedPerInviter(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		u := a.SignUp(t, testkit.NewEmail("spammer"), "Sam", true)
		x := createOrg(t, u.Client, "X", "x-org")
		y := createOrg(t, u.Client, "Y", "y-org")
		other := join(t, a, u.Client, y.ID, "other", "admin") // u's first invitation
		activate(t, u.Client, x.ID)
		for i := range 60 {
			u.Post("/api/users", map[string]any{"email": testkit.NewEmail(fmt.Sprintf("x%d", i))}).RequireStatus(t, http.StatusAccepted)
		}
		for i := range 39 {
			invite(t, u.Client, y.ID, testkit.NewEmail(fmt.Sprintf("y%d", i)), "member")
		}
		// Y has sent 40 of its 100; the inviter has sent 100 of theirs.
		u.Post("/api/organizations/"+y.ID+"/invitations", map[string]any{"email": testkit.NewEmail("over"), "role": "member"}).
			RequireProblem(t, http.StatusTooManyRequests, "tenancy.too_many_invitations")
		u.Post("/api/users", map[string]any{"email": testkit.NewEmail("over")}).
			RequireProblem(t, http.StatusTooManyRequests, "tenancy.too_many_invitations")
		// Another admin of Y still invites: the organization is under its cap.
		invite(t, other.Client, y.ID, testkit.NewEmail("fine"), "member")
	})
}

// TestTakeover_InvitationsCappedPerNetwork: accounts are free too, so the
// hourly cap also counts per client network, whoever signs in from it.
func TestTakeover_InvitationsCappedPerNetwork(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		var last testkit.Account
		for s := range 3 {
			u := a.SignUp(t, testkit.NewEmail(fmt.Sprintf("sock%d", s)), "Sock", true)
			o := createOrg(t, u.Client, fmt.Sprintf("Sock %d", s), fmt.Sprintf("sock-%d", s))
			activate(t, u.Client, o.ID)
			n := 100
			if s == 2 {
				n = 0
			}
			for i := range n {
				u.Post("/api/users", map[string]any{"email": testkit.NewEmail(fmt.Sprintf("n%d-%d", s, i))}).RequireStatus(t, http.StatusAccepted)
			}
			last = u
		}
		// 200 from this network: a third account is refused here, not from
		// another network.
		last.Post("/api/users", map[string]any{"email": testkit.NewEmail("over")}).
			RequireProblem(t, http.StatusTooManyRequests, "tenancy.too_many_invitations")
		last.From("127.0.0.3").Post("/api/users", map[string]any{"email": testkit.NewEmail("elsewhere")}).RequireStatus(t, http.StatusAccepted)
		a.Clock.Advance(time.Hour + time.Second)
		last.Post("/api/users", map[string]any{"email": testkit.NewEmail("later")}).RequireStatus(t, http.StatusAccepted)
	})
}

// TestTakeover_InvitationCapHoldsUnderRaces: one inviter's parallel
// invitations in several organizations cannot pass the per-inviter cap
// together (each organization's lock alone would let them).
func TestTakeover_InvitationCapHoldsUnderRaces(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		u := a.SignUp(t, testkit.NewEmail("racer"), "Rae", true)
		var orgs []string
		for i := range 4 {
			orgs = append(orgs, createOrg(t, u.Client, fmt.Sprintf("R%d", i), fmt.Sprintf("race-%d", i)).ID)
		}
		for round := range 3 {
			for i := range 99 {
				invite(t, u.Client, orgs[i%len(orgs)], testkit.NewEmail(fmt.Sprintf("r%d-%d", round, i)), "member")
			}
			var (
				wg       sync.WaitGroup
				accepted atomic.Int32
			)
			for i := range 12 {
				wg.Go(func() {
					r := u.Post("/api/organizations/"+orgs[i%len(orgs)]+"/invitations",
						map[string]any{"email": testkit.NewEmail(fmt.Sprintf("burst%d-%d", round, i)), "role": "member"})
					switch r.StatusCode {
					case http.StatusCreated:
						accepted.Add(1)
					case http.StatusTooManyRequests:
					default:
						t.Errorf("burst: %d %s", r.StatusCode, r.Body)
					}
				})
			}
			wg.Wait()
			if n := accepted.Load(); n != 1 {
				t.Fatalf("round %d: %d invitations passed the cap's last place, want 1", round, n)
			}
			a.Clock.Advance(time.Hour + time.Second)
		}
	})
}

// TestTakeover_OneAddressGrammar: whoever can be invited can sign up and
// the other way round.
func TestTakeover_OneAddressGrammar(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		activate(t, owner.Client, o.ID)
		for _, email := range []string{"ana@localhost", "o'brien@example.com"} {
			invite(t, owner.Client, o.ID, email, "member")
			a.Client().Post("/api/auth/sign-up/email", map[string]any{"email": email, "password": testkit.Password, "name": "A"}).
				RequireStatus(t, http.StatusOK)
		}
		for _, email := range []string{"ana@[127.0.0.1]", "ana@127.0.0.1", "ana@bücher.example", `"a b"@example.com`} {
			owner.Post("/api/organizations/"+o.ID+"/invitations", map[string]any{"email": email, "role": "member"}).
				RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_invitation")
			owner.Post("/api/users", map[string]any{"email": email}).RequireProblem(t, http.StatusUnprocessableEntity, "iam.invalid_email")
			p := a.Client().Post("/api/auth/sign-up/email", map[string]any{"email": email, "password": testkit.Password, "name": "A"}).
				RequireProblem(t, http.StatusBadRequest, "VALIDATION_ERROR") // Better Auth's
			if !slices.ContainsFunc(p.Errors, func(f testkit.ProblemField) bool { return f.Location == "email" }) {
				t.Errorf("sign-up with %q: no field error on email: %+v", email, p.Errors)
			}
		}
	})
}
