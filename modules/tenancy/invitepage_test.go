package tenancy_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/testkit"
)

// TestInvitationPage: without a front end, the invitation email's link is
// a page of the server: it previews the invitation to anyone with the
// link, and lets the signed-in invitee accept or decline with a form.
func TestInvitationPage(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)
		o := createOrg(t, owner.Client, "Acme & Co", "acme")
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		invite(t, owner.Client, o.ID, bob.Email, "admin")
		tok := invitationToken(t, a, bob.Email, 1)
		page := "/invitations/" + tok
		form := func(c *testkit.Client, action string) *testkit.Response {
			return c.Do(http.MethodPost, page, "action="+action, "Content-Type", "application/x-www-form-urlencoded")
		}
		requirePage := func(r *testkit.Response, status int, want ...string) {
			t.Helper()
			body := string(r.Body)
			if r.StatusCode != status || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") ||
				r.Header.Get("Cache-Control") != "no-store" || !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Fatalf("%s %s: %d %q %q", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Fatalf("%s %s: page lacks %q:\n%s", r.Request.Method, r.Request.URL.Path, w, body)
				}
			}
		}

		// Anyone with the link sees what it offers; the name is escaped.
		requirePage(a.Client().Get(page), http.StatusOK, "Olivia Owner invited you", "Acme &amp; Co", "admin", "Sign in as "+bob.Email)
		requirePage(a.Client().Get("/invitations/nope"), http.StatusNotFound, "not valid")
		// Signed in, the page offers the buttons; someone else cannot use them.
		requirePage(bob.Get(page), http.StatusOK, `value="accept"`, `value="decline"`)
		eve := a.SignUp(t, testkit.NewEmail("eve"), "Eve", true)
		requirePage(form(eve.Client, "accept"), http.StatusForbidden, "Acme &amp; Co")
		requirePage(form(bob.Client, "nonsense"), http.StatusUnprocessableEntity, "accept or decline")
		// A malformed form is a 400 problem and does nothing.
		for _, bad := range []string{"action=%zz", "action=accept;x=y"} {
			bob.Do(http.MethodPost, page, bad, "Content-Type", "application/x-www-form-urlencoded").
				RequireProblem(t, http.StatusBadRequest, "http.malformed_form")
		}
		// A form from another site is refused before it does anything.
		bob.Do(http.MethodPost, page, "action=accept", "Content-Type", "application/x-www-form-urlencoded",
			"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site").RequireStatus(t, http.StatusForbidden)

		requirePage(form(bob.Client, "accept"), http.StatusOK, "You joined Acme &amp; Co")
		if ms := members(t, owner.Client, o.ID); roleOf(ms, bob.ID.String()) != "admin" {
			t.Fatalf("members after accepting on the page: %+v", ms)
		}
		var act activeJSON
		bob.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
		if act.Organization == nil || act.Organization.ID != o.ID {
			t.Fatalf("active after accepting on the page: %+v", act)
		}
		requirePage(a.Client().Get(page), http.StatusGone, "no longer valid")

		// Declining.
		carl := a.SignUp(t, testkit.NewEmail("carl"), "Carl", true)
		invite(t, owner.Client, o.ID, carl.Email, "member")
		page = "/invitations/" + invitationToken(t, a, carl.Email, 1)
		requirePage(carl.Do(http.MethodPost, page, "action=decline", "Content-Type", "application/x-www-form-urlencoded"), http.StatusOK, "declined")
		requirePage(carl.Get(page), http.StatusGone)
	})
}
