package tenancy_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/testkit"
)

// raceRounds is how many times each race is run; PostgreSQL interleaves
// them differently each time.
const raceRounds = 6

// race runs the calls at once and returns their statuses, in order.
func race(calls ...func() *testkit.Response) []int {
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		out   = make([]int, len(calls))
	)
	for i, call := range calls {
		wg.Go(func() {
			<-start
			out[i] = call().StatusCode
		})
	}
	close(start)
	wg.Wait()
	return out
}

// invitationStatus reads an invitation's status from the organization's
// list.
func invitationStatus(t *testing.T, c *testkit.Client, org, id string) string {
	t.Helper()
	var list struct {
		Items []invitationJSON `json:"items"`
	}
	c.Get("/api/organizations/"+org+"/invitations?status=all").RequireStatus(t, http.StatusOK).JSON(t, &list)
	for _, inv := range list.Items {
		if inv.ID == id {
			return inv.Status
		}
	}
	t.Fatalf("invitation %s is not listed", id)
	return ""
}

func isMember(t *testing.T, c *testkit.Client, org, user string) bool {
	t.Helper()
	return roleOf(members(t, c, org), user) != ""
}

// TestInvitationRaces: every invitation transition is serialized, so of
// two racing transitions one wins and the other answers 4xx, and the
// invitation ends in the winner's state (on PostgreSQL, where they truly
// run at once, as on SQLite).
func TestInvitationRaces(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)
		o := createOrg(t, owner.Client, "Acme", "acme-races")
		base := "/api/organizations/" + o.ID + "/invitations/"

		for round := range raceRounds {
			t.Run(fmt.Sprintf("accept vs revoke %d", round), func(t *testing.T) {
				bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
				inv := invite(t, owner.Client, o.ID, bob.Email, "member")
				st := race(
					func() *testkit.Response { return bob.Post("/api/invitations/"+inv.ID+"/accept", nil) },
					func() *testkit.Response { return owner.Post(base+inv.ID+"/revoke", nil) },
				)
				status, member := invitationStatus(t, owner.Client, o.ID, inv.ID), isMember(t, owner.Client, o.ID, bob.ID.String())
				switch {
				case st[0] == http.StatusOK && st[1] == http.StatusGone && status == "accepted" && member:
				case st[0] == http.StatusGone && st[1] == http.StatusOK && status == "revoked" && !member:
				default:
					t.Fatalf("accept %d, revoke %d: status %s, member %v", st[0], st[1], status, member)
				}
			})
			t.Run(fmt.Sprintf("accept vs decline %d", round), func(t *testing.T) {
				carl := a.SignUp(t, testkit.NewEmail("carl"), "Carl", true)
				other := a.Client()
				other.Post("/api/auth/sign-in/email", map[string]any{"email": carl.Email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)
				inv := invite(t, owner.Client, o.ID, carl.Email, "member")
				st := race(
					func() *testkit.Response { return carl.Post("/api/invitations/"+inv.ID+"/accept", nil) },
					func() *testkit.Response { return other.Post("/api/invitations/"+inv.ID+"/decline", nil) },
				)
				status, member := invitationStatus(t, owner.Client, o.ID, inv.ID), isMember(t, owner.Client, o.ID, carl.ID.String())
				switch {
				case st[0] == http.StatusOK && st[1] == http.StatusGone && status == "accepted" && member:
				case st[0] == http.StatusGone && st[1] == http.StatusNoContent && status == "declined" && !member:
				default:
					t.Fatalf("accept %d, decline %d: status %s, member %v", st[0], st[1], status, member)
				}
			})
			t.Run(fmt.Sprintf("accept vs resend %d", round), func(t *testing.T) {
				dan := a.SignUp(t, testkit.NewEmail("dan"), "Dan", true)
				inv := invite(t, owner.Client, o.ID, dan.Email, "member")
				a.Clock.Advance(time.Minute) // the resend is due
				st := race(
					func() *testkit.Response { return dan.Post("/api/invitations/"+inv.ID+"/accept", nil) },
					func() *testkit.Response { return owner.Post(base+inv.ID+"/resend", nil) },
				)
				status, member := invitationStatus(t, owner.Client, o.ID, inv.ID), isMember(t, owner.Client, o.ID, dan.ID.String())
				switch {
				case st[0] == http.StatusOK && st[1] == http.StatusGone && status == "accepted" && member:
				case st[0] == http.StatusOK && st[1] == http.StatusOK && status == "accepted" && member: // resent first, then accepted
				default:
					t.Fatalf("accept %d, resend %d: status %s, member %v", st[0], st[1], status, member)
				}
			})
			t.Run(fmt.Sprintf("parallel resends %d", round), func(t *testing.T) {
				inv := invite(t, owner.Client, o.ID, testkit.NewEmail("eve"), "member")
				a.Clock.Advance(time.Minute)
				calls := make([]func() *testkit.Response, 10)
				for i := range calls {
					calls[i] = func() *testkit.Response { return owner.Post(base+inv.ID+"/resend", nil) }
				}
				ok, limited := 0, 0
				for _, s := range race(calls...) {
					switch s {
					case http.StatusOK:
						ok++
					case http.StatusTooManyRequests:
						limited++
					default:
						t.Errorf("resend answered %d", s)
					}
				}
				if ok != 1 || limited != 9 {
					t.Fatalf("of 10 parallel resends %d passed and %d were limited, want 1 and 9", ok, limited)
				}
			})
		}
	})
}
