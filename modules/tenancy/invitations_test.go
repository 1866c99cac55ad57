package tenancy_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/tenancy"
	"github.com/groundworkhq/groundwork/testkit"
)

// invitationTTL is the validity of an invitation link.
const invitationTTL = 7 * 24 * time.Hour

// previewJSON is what GET /api/invitations/{token} shows.
type previewJSON struct {
	OrganizationName string    `json:"organizationName"`
	OrganizationSlug string    `json:"organizationSlug"`
	InviterName      string    `json:"inviterName"`
	Role             string    `json:"role"`
	Email            string    `json:"email"`
	Status           string    `json:"status"`
	ExpiresAt        time.Time `json:"expiresAt"`
}

// receivedJSON is an item of GET /api/invitations.
type receivedJSON struct {
	ID               string    `json:"id"`
	OrganizationID   string    `json:"organizationId"`
	OrganizationName string    `json:"organizationName"`
	InviterName      string    `json:"inviterName"`
	Role             string    `json:"role"`
	ExpiresAt        time.Time `json:"expiresAt"`
}

// listInvitations lists org's invitations as c; status is "" (the
// default), "pending" or "all".
func listInvitations(t testing.TB, c *testkit.Client, org, status string) []invitationJSON {
	t.Helper()
	path := "/api/organizations/" + org + "/invitations"
	if status != "" {
		path += "?status=" + status
	}
	var p page[invitationJSON]
	c.Get(path).RequireStatus(t, http.StatusOK).JSON(t, &p)
	return p.Items
}

// invitationStatuses maps invitation IDs to their status.
func invitationStatuses(list []invitationJSON) map[string]string {
	out := make(map[string]string, len(list))
	for _, i := range list {
		out[i.ID] = i.Status
	}
	return out
}

// preview fetches the preview of tok anonymously and requires a 200.
func preview(t testing.TB, a *testkit.App, tok string) previewJSON {
	t.Helper()
	var p previewJSON
	a.Client().Get("/api/invitations/"+tok).RequireStatus(t, http.StatusOK).JSON(t, &p)
	return p
}

// requireActiveCookie fails unless r sets the active-organization cookie
// to org.
func requireActiveCookie(t testing.TB, r *testkit.Response, org string) {
	t.Helper()
	for _, c := range r.Cookies() {
		if c.Name == tenancy.ActiveCookieName && c.Value == org {
			return
		}
	}
	t.Fatalf("%s %s did not set the active cookie to %s: %q", r.Request.Method, r.Request.URL.Path, org, r.Header.Values("Set-Cookie"))
}

// requireActive fails unless c's active organization is org with role.
func requireActive(t testing.TB, c *testkit.Client, org, role string) activeJSON {
	t.Helper()
	var act activeJSON
	c.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
	if act.Organization == nil || act.Organization.ID != org || act.Role != role || act.Organization.Role != role {
		t.Fatalf("active = %+v (organization %+v), want %s as %s", act, act.Organization, org, role)
	}
	return act
}

// verify follows the verification link iam emailed to acc, as the user
// would.
func verify(t testing.TB, a *testkit.App, acc testkit.Account) {
	t.Helper()
	link := a.WaitEmail(t, acc.Email, "verify_email").Link(t, a.URL+"/api/auth/verify-email?")
	acc.Get(strings.TrimPrefix(link, a.URL)).RequireStatus(t, http.StatusFound) // the link lands on a page
}

// requireField fails unless p has a field error at location.
func requireField(t testing.TB, p testkit.Problem, location string) {
	t.Helper()
	if _, ok := p.Field(location); !ok {
		t.Fatalf("problem %s has no field error at %q: %+v", p.Code, location, p.Errors)
	}
}

func TestInvitations_Flow(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)

		inv := invite(t, owner.Client, o.ID, bob.Email, "admin")
		if inv.Status != "pending" || inv.Role != "admin" || inv.Email != bob.Email {
			t.Fatalf("invitation = %+v", inv)
		}
		tok := invitationToken(t, a, bob.Email, 1)
		var prev map[string]any
		a.Client().Get("/api/invitations/"+tok).RequireStatus(t, http.StatusOK).JSON(t, &prev)
		if prev["organizationName"] != "Acme" || prev["inviterName"] != "Olivia Owner" || prev["role"] != "admin" {
			t.Fatalf("preview = %+v", prev)
		}
		a.Client().Get("/api/invitations/nope").RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")

		// Someone else cannot accept it.
		eve := a.SignUp(t, testkit.NewEmail("eve"), "Eve", true)
		eve.Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusForbidden, "tenancy.invitation_email_mismatch")

		var joined orgJSON
		bob.Post("/api/invitations/"+tok+"/accept", nil).RequireStatus(t, http.StatusOK).JSON(t, &joined)
		if joined.ID != o.ID || joined.Role != "admin" {
			t.Fatalf("accepted = %+v", joined)
		}
		bob.Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		a.Client().Get("/api/invitations/"+tok).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		ms := members(t, owner.Client, o.ID)
		if len(ms) != 2 || roleOf(ms, bob.ID.String()) != "admin" {
			t.Fatalf("members = %+v", ms)
		}
		owner.Post("/api/organizations/"+o.ID+"/invitations", map[string]any{"email": bob.Email}).RequireProblem(t, http.StatusConflict, "tenancy.already_member")
	})
}

// TestInvitations_EmailAndPreview: inviting answers 201 with a pending
// invitation valid 7 days and emails the invitee a link naming the
// organization, the inviter and the role; the link's preview needs no
// sign-in and is never cached.
func TestInvitations_EmailAndPreview(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)
		o := createOrg(t, owner.Client, "Acme Rockets", "acme-rockets")
		email := testkit.NewEmail("newcomer") // no account yet

		// The role defaults to member.
		r := owner.Post("/api/organizations/"+o.ID+"/invitations", map[string]any{"email": email}).RequireStatus(t, http.StatusCreated)
		var inv invitationJSON
		r.JSON(t, &inv)
		now := a.Clock.Now()
		if !strings.HasPrefix(inv.ID, "inv_") || inv.OrganizationID != o.ID || inv.Email != email || inv.Role != "member" ||
			inv.InviterID != owner.ID.String() || inv.Status != "pending" || !inv.ExpiresAt.Equal(now.Add(invitationTTL)) {
			t.Fatalf("invitation = %+v, want pending member invitation of %s expiring at %s", inv, email, now.Add(invitationTTL))
		}
		var raw map[string]any
		r.JSON(t, &raw)
		for k := range raw {
			if strings.Contains(strings.ToLower(k), "token") {
				t.Errorf("the invitation shows its token (%q): %s", k, r.Body)
			}
		}

		m := a.WaitEmail(t, email, "organization_invitation")
		if want := "Olivia Owner invited you to join Acme Rockets on Groundwork"; m.Subject != want {
			t.Errorf("subject = %q, want %q", m.Subject, want)
		}
		for _, want := range []string{
			"Olivia Owner has invited you to join Acme Rockets on Groundwork with the member role.",
			"This invitation is valid for 7 days.",
		} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("text lacks %q:\n%s", want, m.Text)
			}
		}
		link := m.Link(t, a.URL+"/invitations/")
		tok := strings.TrimPrefix(link, a.URL+"/invitations/")
		if len(tok) < 32 || strings.ContainsAny(tok, "/?#") {
			t.Fatalf("link %q carries no plausible token", link)
		}

		// The preview: anonymous, not cached.
		pr := a.Client().Get("/api/invitations/"+tok).RequireStatus(t, http.StatusOK)
		if cc := pr.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("preview Cache-Control = %q, want no-store", cc)
		}
		var p previewJSON
		pr.JSON(t, &p)
		want := previewJSON{
			OrganizationName: "Acme Rockets", OrganizationSlug: "acme-rockets", InviterName: "Olivia Owner",
			Role: "member", Email: email, Status: "pending", ExpiresAt: inv.ExpiresAt,
		}
		if !p.ExpiresAt.Equal(want.ExpiresAt) {
			t.Errorf("preview expiresAt = %s, want %s", p.ExpiresAt, want.ExpiresAt)
		}
		p.ExpiresAt = want.ExpiresAt
		if p != want {
			t.Errorf("preview = %+v, want %+v", p, want)
		}

		// Unknown and malformed tokens are 404.
		for _, bad := range []string{"nope", strings.Repeat("A", len(tok)), tok[:len(tok)-1], inv.ID} {
			a.Client().Get("/api/invitations/"+bad).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
		}
	})
}

// TestInvitations_LinkUsesTheFrontEnd: with WEB_ORIGINS set, the email
// links to the first front end's /invitations/{token} page.
func TestInvitations_LinkUsesTheFrontEnd(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		email := testkit.NewEmail("invitee")
		invite(t, owner.Client, o.ID, email, "member")
		m := a.WaitEmail(t, email, "organization_invitation")
		link := m.Link(t, "https://app.example.com/invitations/")
		tok := strings.TrimPrefix(link, "https://app.example.com/invitations/")
		if p := preview(t, a, tok); p.OrganizationName != "Acme" {
			t.Errorf("the front end's link does not preview the invitation: %+v", p)
		}
		if strings.Contains(m.Text, a.URL+"/invitations/") || strings.Contains(m.Text, "other.example.com") {
			t.Errorf("the email links elsewhere than the first front end:\n%s", m.Text)
		}
	}, testkit.WithEnv("WEB_ORIGINS", "https://app.example.com,https://other.example.com"))
}

// TestInvitations_Accept: the verified invitee joins with the invited role
// and the organization becomes their active one; anyone else, the
// unverified and a second accept are refused.
func TestInvitations_Accept(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)

		// Bob has an organization of his own, active until he accepts.
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		own := createOrg(t, bob.Client, "Bob's", "bobs")
		requireActive(t, bob.Client, own.ID, "owner")

		invite(t, owner.Client, o.ID, bob.Email, "admin")
		tok := invitationToken(t, a, bob.Email, 1)

		a.Client().Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		eve := a.SignUp(t, testkit.NewEmail("eve"), "Eve", true)
		eve.Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusForbidden, "tenancy.invitation_email_mismatch")
		if ms := members(t, owner.Client, o.ID); len(ms) != 1 {
			t.Fatalf("a refused accept added a member: %+v", ms)
		}
		// Refusals leave the invitation open.
		if p := preview(t, a, tok); p.Status != "pending" {
			t.Fatalf("after refusals, preview = %+v", p)
		}

		r := bob.Post("/api/invitations/"+tok+"/accept", nil).RequireStatus(t, http.StatusOK)
		var joined orgJSON
		r.JSON(t, &joined)
		if joined.ID != o.ID || joined.Name != "Acme" || joined.Slug != "acme" || joined.Role != "admin" {
			t.Fatalf("accepted = %+v", joined)
		}
		requireActiveCookie(t, r, o.ID)
		act := requireActive(t, bob.Client, o.ID, "admin")
		if slices.Contains(act.Permissions, tenancy.PermOrganizationDelete) || !slices.Contains(act.Permissions, tenancy.PermMembersInvite) {
			t.Errorf("admin's permissions = %v", act.Permissions)
		}
		ms := members(t, owner.Client, o.ID)
		if len(ms) != 2 || roleOf(ms, bob.ID.String()) != "admin" {
			t.Fatalf("members = %+v", ms)
		}
		var mine page[orgJSON]
		bob.Get("/api/organizations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 2 || mine.Items[0].ID != o.ID || mine.Items[0].Role != "admin" {
			t.Errorf("bob's organizations = %+v, want Acme (most recently used) first", mine.Items)
		}

		// Used: gone, for everyone.
		bob.Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		eve.Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		bob.Post("/api/invitations/"+tok+"/decline", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		a.Client().Get("/api/invitations/"+tok).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		if all := listInvitations(t, owner.Client, o.ID, "all"); len(all) != 1 || all[0].Status != "accepted" {
			t.Errorf("invitations = %+v, want one accepted", all)
		}
		if ms := members(t, owner.Client, o.ID); len(ms) != 2 {
			t.Fatalf("members after the second accept = %+v", ms)
		}
	})
}

// TestInvitations_AcceptNeedsAVerifiedEmail: an unverified invitee is
// refused until they verify their address, then accepted.
func TestInvitations_AcceptNeedsAVerifiedEmail(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		carol := a.SignUp(t, testkit.NewEmail("carol"), "Carol", false)
		invite(t, owner.Client, o.ID, carol.Email, "member")
		tok := invitationToken(t, a, carol.Email, 1)

		carol.Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusForbidden, "tenancy.email_not_verified")
		if ms := members(t, owner.Client, o.ID); len(ms) != 1 {
			t.Fatalf("an unverified accept added a member: %+v", ms)
		}
		if p := preview(t, a, tok); p.Status != "pending" {
			t.Fatalf("after the refusal, preview = %+v", p)
		}

		verify(t, a, carol)
		r := carol.Post("/api/invitations/"+tok+"/accept", nil).RequireStatus(t, http.StatusOK)
		requireActiveCookie(t, r, o.ID)
		requireActive(t, carol.Client, o.ID, "member")
		if ms := members(t, owner.Client, o.ID); len(ms) != 2 || roleOf(ms, carol.ID.String()) != "member" {
			t.Fatalf("members = %+v", ms)
		}
	})
}

// TestInvitations_ThroughUsersRoute: POST /api/users is an invitation
// like any other: a second one while the first is pending is 409, and
// once the person accepted, 409 already_member.
func TestInvitations_ThroughUsersRoute(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		owner.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
		owner.Post("/api/users", map[string]any{"email": bob.Email}).RequireStatus(t, http.StatusAccepted)
		if ms := members(t, owner.Client, o.ID); len(ms) != 1 {
			t.Fatalf("bob joined without accepting: %+v", ms)
		}
		owner.Post("/api/users", map[string]any{"email": bob.Email}).RequireProblem(t, http.StatusConflict, "tenancy.already_invited")
		tok := invitationToken(t, a, bob.Email, 1)
		bob.Post("/api/invitations/"+tok+"/accept", nil).RequireStatus(t, http.StatusOK)
		if ms := members(t, owner.Client, o.ID); len(ms) != 2 || roleOf(ms, bob.ID.String()) != "member" {
			t.Fatalf("members after bob accepted = %+v", ms)
		}
		owner.Post("/api/users", map[string]any{"email": bob.Email}).RequireProblem(t, http.StatusConflict, "tenancy.already_member")
	})
}

// TestInvitations_Decline: the invitee declines; the link is gone
// afterwards, and nobody else may decline for them.
func TestInvitations_Decline(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		dan := a.SignUp(t, testkit.NewEmail("dan"), "Dan", true)
		inv := invite(t, owner.Client, o.ID, dan.Email, "member")
		tok := invitationToken(t, a, dan.Email, 1)
		events := newTenancyEventLog(a)

		a.Client().Post("/api/invitations/"+tok+"/decline", nil).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		eve := a.SignUp(t, testkit.NewEmail("eve"), "Eve", true)
		eve.Post("/api/invitations/"+tok+"/decline", nil).RequireProblem(t, http.StatusForbidden, "tenancy.invitation_email_mismatch")
		if p := preview(t, a, tok); p.Status != "pending" {
			t.Fatalf("after a refused decline, preview = %+v", p)
		}

		r := dan.Post("/api/invitations/"+tok+"/decline", nil).RequireStatus(t, http.StatusNoContent)
		if len(r.Body) != 0 {
			t.Errorf("decline body = %q, want none", r.Body)
		}
		got := events.take()
		requireEventNames(t, got, "invitation.declined")
		if e := eventAs[tenancy.InvitationDeclined](t, got[0]); e.OrganizationID.String() != o.ID || e.ActorID != dan.ID ||
			e.InvitationID.String() != inv.ID || e.Email != dan.Email {
			t.Errorf("invitation.declined = %+v", e)
		}

		a.Client().Get("/api/invitations/"+tok).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		dan.Post("/api/invitations/"+tok+"/decline", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		dan.Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		if st := invitationStatuses(listInvitations(t, owner.Client, o.ID, "all")); st[inv.ID] != "declined" {
			t.Errorf("invitation statuses = %v, want %s declined", st, inv.ID)
		}
		if ms := members(t, owner.Client, o.ID); len(ms) != 1 {
			t.Errorf("members = %+v", ms)
		}
		requireEventNames(t, events.take())
		// Declined, the address may be invited again.
		invite(t, owner.Client, o.ID, dan.Email, "member")
	})
}

// TestInvitations_DeclineNeedsAVerifiedEmail: like accepting, declining
// needs the invited address verified (README: accept and decline are
// "signed in with the invited, verified email"). Otherwise whoever signs up
// first with someone's address, without being able to verify it, finds
// that address's invitations in GET /api/invitations and declines them by
// ID.
func TestInvitations_DeclineNeedsAVerifiedEmail(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		squatter := a.SignUp(t, testkit.NewEmail("victim"), "Not The Victim", false)
		inv := invite(t, owner.Client, o.ID, squatter.Email, "member")
		tok := invitationToken(t, a, squatter.Email, 1)

		squatter.Post("/api/invitations/"+inv.ID+"/decline", nil).RequireProblem(t, http.StatusForbidden, "tenancy.email_not_verified")
		squatter.Post("/api/invitations/"+tok+"/decline", nil).RequireProblem(t, http.StatusForbidden, "tenancy.email_not_verified")
		if st := invitationStatuses(listInvitations(t, owner.Client, o.ID, "all")); st[inv.ID] != "pending" {
			t.Fatalf("after unverified declines, invitation statuses = %v, want %s pending", st, inv.ID)
		}

		verify(t, a, squatter)
		squatter.Post("/api/invitations/"+inv.ID+"/decline", nil).RequireStatus(t, http.StatusNoContent)
		a.Client().Get("/api/invitations/"+tok).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
	})
}

// TestInvitations_Revoke: a revoked invitation's link is gone; revoking or
// resending it again is 410.
func TestInvitations_Revoke(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		inv := invite(t, owner.Client, o.ID, bob.Email, "admin")
		tok := invitationToken(t, a, bob.Email, 1)
		base := "/api/organizations/" + o.ID + "/invitations/"

		a.Clock.Advance(time.Hour)
		var got invitationJSON
		owner.Post(base+inv.ID+"/revoke", nil).RequireStatus(t, http.StatusOK).JSON(t, &got)
		if got.ID != inv.ID || got.Status != "revoked" || got.Email != bob.Email || got.Role != "admin" || !got.ExpiresAt.Equal(inv.ExpiresAt) {
			t.Fatalf("revoked = %+v", got)
		}

		a.Client().Get("/api/invitations/"+tok).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		bob.Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		owner.Post(base+inv.ID+"/revoke", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		owner.Post(base+inv.ID+"/resend", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		if n := emailJobsTo(t, a, bob.Email, "organization_invitation"); n != 1 {
			t.Errorf("%d invitation emails queued after resending a revoked invitation, want 1", n)
		}
		if ms := members(t, owner.Client, o.ID); len(ms) != 1 {
			t.Errorf("members = %+v", ms)
		}

		// Unknown and malformed IDs.
		owner.Post(base+"inv_0000000000000000000000000/revoke", nil).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
		owner.Post(base+"nope/revoke", nil).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
	})
}

// TestInvitations_Resend: resending emails a new link valid 7 days from
// now; the previous link is unknown from then on.
func TestInvitations_Resend(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		inv := invite(t, owner.Client, o.ID, bob.Email, "admin")
		oldTok := invitationToken(t, a, bob.Email, 1)

		now := a.Clock.Advance(3 * 24 * time.Hour)
		var got invitationJSON
		owner.Post("/api/organizations/"+o.ID+"/invitations/"+inv.ID+"/resend", nil).RequireStatus(t, http.StatusOK).JSON(t, &got)
		if got.ID != inv.ID || got.Status != "pending" || got.Role != "admin" || !got.ExpiresAt.Equal(now.Add(invitationTTL)) {
			t.Fatalf("resent = %+v, want pending until %s", got, now.Add(invitationTTL))
		}

		emails := a.WaitEmails(t, bob.Email, "organization_invitation", 2)
		if len(emails) != 2 {
			t.Fatalf("%d invitation emails, want 2", len(emails))
		}
		m := emails[1]
		if !strings.Contains(m.Text, "with the admin role") || !strings.Contains(m.Text, "valid for 7 days") {
			t.Errorf("resent email:\n%s", m.Text)
		}
		newTok := strings.TrimPrefix(m.Link(t, a.URL+"/invitations/"), a.URL+"/invitations/")
		if newTok == oldTok || newTok == "" {
			t.Fatalf("resent token %q, old %q: want a new one", newTok, oldTok)
		}

		// The old link no longer names any invitation: 404, not 410.
		a.Client().Get("/api/invitations/"+oldTok).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
		bob.Post("/api/invitations/"+oldTok+"/accept", nil).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
		bob.Post("/api/invitations/"+oldTok+"/decline", nil).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")

		p := preview(t, a, newTok)
		if p.Status != "pending" || !p.ExpiresAt.Equal(now.Add(invitationTTL)) {
			t.Fatalf("new link's preview = %+v", p)
		}
		// Valid past the first expiry.
		a.Clock.Set(inv.ExpiresAt.Add(time.Hour))
		bob.Post("/api/invitations/"+newTok+"/accept", nil).RequireStatus(t, http.StatusOK)
		if ms := members(t, owner.Client, o.ID); roleOf(ms, bob.ID.String()) != "admin" {
			t.Fatalf("members = %+v", ms)
		}
	})
}

// TestInvitations_Expiry: 7 days after it was sent, an invitation is gone
// and lists as expired; resending revives it.
func TestInvitations_Expiry(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		inv := invite(t, owner.Client, o.ID, bob.Email, "member")
		tok := invitationToken(t, a, bob.Email, 1)

		a.Clock.Advance(invitationTTL - time.Second)
		if p := preview(t, a, tok); p.Status != "pending" {
			t.Fatalf("a second before expiry, preview = %+v", p)
		}
		// (These requests also slide bob's and the owner's week-long
		// sessions past the expiry.)
		if list := listInvitations(t, owner.Client, o.ID, ""); len(list) != 1 || list[0].Status != "pending" {
			t.Fatalf("a second before expiry, pending = %+v", list)
		}
		var mine page[receivedJSON]
		bob.Get("/api/invitations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 1 || mine.Items[0].ID != inv.ID {
			t.Fatalf("a second before expiry, bob's invitations = %+v", mine.Items)
		}
		a.Clock.Advance(2 * time.Second) // 7 days and 1 second after the invitation

		a.Client().Get("/api/invitations/"+tok).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		bob.Post("/api/invitations/"+tok+"/accept", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		bob.Post("/api/invitations/"+tok+"/decline", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		if ms := members(t, owner.Client, o.ID); len(ms) != 1 {
			t.Fatalf("members = %+v", ms)
		}
		if list := listInvitations(t, owner.Client, o.ID, ""); len(list) != 0 {
			t.Errorf("pending list = %+v, want none", list)
		}
		all := listInvitations(t, owner.Client, o.ID, "all")
		if len(all) != 1 || all[0].ID != inv.ID || all[0].Status != "expired" {
			t.Errorf("all = %+v, want %s expired", all, inv.ID)
		}
		bob.Get("/api/invitations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 0 {
			t.Errorf("bob's invitations = %+v, want none", mine.Items)
		}
		owner.Post("/api/organizations/"+o.ID+"/invitations/"+inv.ID+"/revoke", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")

		// Resending an expired invitation revives it with a new link.
		owner.Post("/api/organizations/"+o.ID+"/invitations/"+inv.ID+"/resend", nil).RequireStatus(t, http.StatusOK)
		tok2 := invitationToken(t, a, bob.Email, 2)
		bob.Post("/api/invitations/"+tok2+"/accept", nil).RequireStatus(t, http.StatusOK)
	})
}

// TestInvitations_List: the organization's list shows open invitations by
// default and every invitation with status=all, newest first.
func TestInvitations_List(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		dan := a.SignUp(t, testkit.NewEmail("dan"), "Dan", true)

		accepted := invite(t, owner.Client, o.ID, bob.Email, "member")
		a.Clock.Advance(time.Minute)
		declined := invite(t, owner.Client, o.ID, dan.Email, "member")
		a.Clock.Advance(time.Minute)
		revoked := invite(t, owner.Client, o.ID, testkit.NewEmail("rita"), "member")
		a.Clock.Advance(time.Minute)
		pending := invite(t, owner.Client, o.ID, testkit.NewEmail("pat"), "admin")

		bob.Post("/api/invitations/"+invitationToken(t, a, bob.Email, 1)+"/accept", nil).RequireStatus(t, http.StatusOK)
		dan.Post("/api/invitations/"+invitationToken(t, a, dan.Email, 1)+"/decline", nil).RequireStatus(t, http.StatusNoContent)
		owner.Post("/api/organizations/"+o.ID+"/invitations/"+revoked.ID+"/revoke", nil).RequireStatus(t, http.StatusOK)

		for _, status := range []string{"", "pending"} {
			list := listInvitations(t, owner.Client, o.ID, status)
			if len(list) != 1 || list[0].ID != pending.ID || list[0].Status != "pending" || list[0].Role != "admin" {
				t.Errorf("status=%q: %+v, want only %s", status, list, pending.ID)
			}
		}
		all := listInvitations(t, owner.Client, o.ID, "all")
		var ids, statuses []string
		for _, i := range all {
			ids, statuses = append(ids, i.ID), append(statuses, i.Status)
		}
		wantIDs := []string{pending.ID, revoked.ID, declined.ID, accepted.ID}
		wantStatuses := []string{"pending", "revoked", "declined", "accepted"}
		if !slices.Equal(ids, wantIDs) || !slices.Equal(statuses, wantStatuses) {
			t.Errorf("all = %v %v, want %v %v", ids, statuses, wantIDs, wantStatuses)
		}
		owner.Get("/api/organizations/"+o.ID+"/invitations?status=bogus").RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")
	})
}

// TestInvitations_Mine: GET /api/invitations lists the caller's open
// invitations across organizations; the invitee accepts or declines by the
// listed ID, which nobody else can use.
func TestInvitations_Mine(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		olivia := a.SignUp(t, testkit.NewEmail("olivia"), "Olivia Owner", true)
		acme := createOrg(t, olivia.Client, "Acme", "acme")
		quinn := a.SignUp(t, testkit.NewEmail("quinn"), "Quinn", true)
		globex := createOrg(t, quinn.Client, "Globex", "globex")
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)

		a.Client().Get("/api/invitations").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		var mine page[receivedJSON]
		bob.Get("/api/invitations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		if mine.Items == nil || len(mine.Items) != 0 {
			t.Fatalf("before any invitation: %s", bob.Get("/api/invitations").Body)
		}

		fromAcme := invite(t, olivia.Client, acme.ID, bob.Email, "admin")
		fromGlobex := invite(t, quinn.Client, globex.ID, strings.ToUpper(bob.Email), "member")
		invite(t, olivia.Client, acme.ID, testkit.NewEmail("someone"), "member") // not bob's

		bob.Get("/api/invitations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		byID := map[string]receivedJSON{}
		for _, r := range mine.Items {
			byID[r.ID] = r
		}
		if len(mine.Items) != 2 {
			t.Fatalf("bob's invitations = %+v, want 2", mine.Items)
		}
		ra, rg := byID[fromAcme.ID], byID[fromGlobex.ID]
		if ra.OrganizationID != acme.ID || ra.OrganizationName != "Acme" || ra.InviterName != "Olivia Owner" || ra.Role != "admin" ||
			!ra.ExpiresAt.Equal(fromAcme.ExpiresAt) {
			t.Errorf("Acme's = %+v", ra)
		}
		if rg.OrganizationID != globex.ID || rg.OrganizationName != "Globex" || rg.InviterName != "Quinn" || rg.Role != "member" {
			t.Errorf("Globex's = %+v", rg)
		}

		// The IDs are bob's alone.
		eve := a.SignUp(t, testkit.NewEmail("eve"), "Eve", true)
		eve.Post("/api/invitations/"+fromAcme.ID+"/accept", nil).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
		eve.Post("/api/invitations/"+fromGlobex.ID+"/decline", nil).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")
		bob.Post("/api/invitations/inv_0000000000000000000000000/accept", nil).RequireProblem(t, http.StatusNotFound, "tenancy.invitation_not_found")

		var joined orgJSON
		r := bob.Post("/api/invitations/"+fromAcme.ID+"/accept", nil).RequireStatus(t, http.StatusOK)
		r.JSON(t, &joined)
		if joined.ID != acme.ID || joined.Role != "admin" {
			t.Fatalf("accepted = %+v", joined)
		}
		requireActiveCookie(t, r, acme.ID)
		bob.Post("/api/invitations/"+fromGlobex.ID+"/decline", nil).RequireStatus(t, http.StatusNoContent)

		bob.Get("/api/invitations").RequireStatus(t, http.StatusOK).JSON(t, &mine)
		if len(mine.Items) != 0 {
			t.Errorf("after answering both, bob's invitations = %+v", mine.Items)
		}
		if ms := members(t, olivia.Client, acme.ID); roleOf(ms, bob.ID.String()) != "admin" {
			t.Errorf("Acme's members = %+v", ms)
		}
		if ms := members(t, quinn.Client, globex.ID); len(ms) != 1 {
			t.Errorf("Globex's members = %+v", ms)
		}
		if st := invitationStatuses(listInvitations(t, quinn.Client, globex.ID, "all")); st[fromGlobex.ID] != "declined" {
			t.Errorf("Globex's invitations = %v", st)
		}
		bob.Post("/api/invitations/"+fromAcme.ID+"/accept", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
	})
}

// TestInvitations_InviteRefusals: members, addresses already invited, the
// owner role, unknown roles and bad addresses are refused, and refusals
// send nothing.
func TestInvitations_InviteRefusals(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := join(t, a, owner.Client, o.ID, "bob", "member")
		path := "/api/organizations/" + o.ID + "/invitations"

		owner.Post(path, map[string]any{"email": bob.Email}).RequireProblem(t, http.StatusConflict, "tenancy.already_member")
		owner.Post(path, map[string]any{"email": strings.ToUpper(bob.Email), "role": "admin"}).RequireProblem(t, http.StatusConflict, "tenancy.already_member")
		owner.Post(path, map[string]any{"email": owner.Email}).RequireProblem(t, http.StatusConflict, "tenancy.already_member")

		carol := testkit.NewEmail("carol")
		invite(t, owner.Client, o.ID, carol, "member")
		owner.Post(path, map[string]any{"email": carol}).RequireProblem(t, http.StatusConflict, "tenancy.already_invited")
		owner.Post(path, map[string]any{"email": " " + strings.ToUpper(carol) + " ", "role": "admin"}).RequireProblem(t, http.StatusConflict, "tenancy.already_invited")

		p := owner.Post(path, map[string]any{"email": testkit.NewEmail("x"), "role": "owner"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_invitation")
		requireField(t, p, "body.role")
		p = owner.Post(path, map[string]any{"email": testkit.NewEmail("x"), "role": "ghost"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.unknown_role")
		requireField(t, p, "body.role")
		for _, bad := range []string{"not-an-email", "", "a@[10.0.0.1]", "two@@example.com", "Ann <ann@example.com>"} {
			p = owner.Post(path, map[string]any{"email": bad}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_invitation")
			requireField(t, p, "body.email")
		}
		p = owner.Post(path, map[string]any{"email": "nope", "role": "owner"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_invitation")
		requireField(t, p, "body.email")
		requireField(t, p, "body.role")
		owner.Post(path, map[string]any{"email": 7}).RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")

		if list := listInvitations(t, owner.Client, o.ID, "all"); len(list) != 2 { // bob's (accepted) and carol's
			t.Errorf("invitations = %+v, want bob's and carol's only", list)
		}
		if n := emailJobsTo(t, a, carol, "organization_invitation"); n != 1 {
			t.Errorf("%d invitation emails queued for carol, want 1", n)
		}
		for to, want := range map[string]int{bob.Email: 1, owner.Email: 0} { // bob's is join's
			if n := emailJobsTo(t, a, to, "organization_invitation"); n != want {
				t.Errorf("%d invitation emails queued for %s, want %d", n, to, want)
			}
		}
	})
}

// TestInvitations_EmailCaseInsensitive: an invitation to BOB@… is Bob's.
func TestInvitations_EmailCaseInsensitive(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)

		inv := invite(t, owner.Client, o.ID, strings.ToUpper(bob.Email), "admin")
		if inv.Email != bob.Email {
			t.Errorf("invitation email = %q, want %q", inv.Email, bob.Email)
		}
		m := a.WaitEmail(t, bob.Email, "organization_invitation")
		if m.To != bob.Email {
			t.Errorf("sent to %q, want %q", m.To, bob.Email)
		}
		tok := strings.TrimPrefix(m.Link(t, a.URL+"/invitations/"), a.URL+"/invitations/")
		if p := preview(t, a, tok); p.Email != bob.Email {
			t.Errorf("preview email = %q", p.Email)
		}
		bob.Post("/api/invitations/"+tok+"/accept", nil).RequireStatus(t, http.StatusOK)
		if ms := members(t, owner.Client, o.ID); roleOf(ms, bob.ID.String()) != "admin" {
			t.Fatalf("members = %+v", ms)
		}
	})
}

// TestInvitations_ConcurrentAccept: two simultaneous accepts of one link
// make one membership; the loser is told the invitation is spent (410) or
// that they are a member (409).
func TestInvitations_ConcurrentAccept(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		invite(t, owner.Client, o.ID, bob.Email, "admin")
		tok := invitationToken(t, a, bob.Email, 1)

		const n = 2
		responses := make([]*testkit.Response, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				responses[i] = bob.Post("/api/invitations/"+tok+"/accept", nil)
			})
		}
		close(start)
		wg.Wait()

		ok, lost := 0, 0
		for _, r := range responses {
			switch r.StatusCode {
			case http.StatusOK:
				ok++
			case http.StatusGone:
				r.RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
				lost++
			case http.StatusConflict:
				r.RequireProblem(t, http.StatusConflict, "tenancy.already_member")
				lost++
			default:
				t.Errorf("accept: status %d: %s", r.StatusCode, r.Body)
			}
		}
		if ok != 1 || lost != n-1 {
			t.Errorf("%d accepted and %d refused, want 1 and %d", ok, lost, n-1)
		}
		ms := members(t, owner.Client, o.ID)
		if len(ms) != 2 || roleOf(ms, bob.ID.String()) != "admin" {
			t.Fatalf("members = %+v", ms)
		}
		if all := listInvitations(t, owner.Client, o.ID, "all"); len(all) != 1 || all[0].Status != "accepted" {
			t.Errorf("invitations = %+v, want one accepted", all)
		}
	})
}

// TestInvitations_ReinviteAfterExpiry: an expired invitation does not block
// a new one; it is closed as expired, and only the new link works. Every
// preview answer, errors included, is uncacheable.
func TestInvitations_ReinviteAfterExpiry(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		email := testkit.NewEmail("late")
		old := invite(t, owner.Client, o.ID, email, "member")
		oldTok := invitationToken(t, a, email, 1)
		owner.Post("/api/organizations/"+o.ID+"/invitations", map[string]any{"email": email}).RequireProblem(t, http.StatusConflict, "tenancy.already_invited")

		a.Clock.Advance(6 * 24 * time.Hour)
		owner.Get("/api/organizations").RequireStatus(t, http.StatusOK) // slides the session
		a.Clock.Advance(24*time.Hour + time.Second)
		fresh := invite(t, owner.Client, o.ID, email, "member")
		if fresh.ID == old.ID || fresh.Status != "pending" {
			t.Fatalf("re-invited: %+v", fresh)
		}
		st := invitationStatuses(listInvitations(t, owner.Client, o.ID, "all"))
		if st[old.ID] != "expired" || st[fresh.ID] != "pending" {
			t.Fatalf("statuses = %v", st)
		}
		for _, tok := range []string{oldTok, "nope"} {
			r := a.Client().Get("/api/invitations/" + tok)
			if r.StatusCode < 400 || r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("preview %s: %d, Cache-Control %q", tok, r.StatusCode, r.Header.Get("Cache-Control"))
			}
		}
		newTok := invitationToken(t, a, email, 2)
		acc := a.SignUp(t, email, "Late", true)
		acc.Post("/api/invitations/"+oldTok+"/accept", nil).RequireProblem(t, http.StatusGone, "tenancy.invitation_gone")
		acc.Post("/api/invitations/"+newTok+"/accept", nil).RequireStatus(t, http.StatusOK)
	})
}

// TestInvitations_SendLimits: invitation email goes to addresses nobody
// proved they own, so an organization sends at most 100 an hour, and one
// invitation is resent at most once a minute.
func TestInvitations_SendLimits(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		base := "/api/organizations/" + o.ID + "/invitations"
		first := invite(t, owner.Client, o.ID, testkit.NewEmail("first"), "member")

		r := owner.Post(base+"/"+first.ID+"/resend", nil)
		r.RequireProblem(t, http.StatusTooManyRequests, "tenancy.resend_too_soon")
		if r.Header.Get("Retry-After") != "60" {
			t.Errorf("Retry-After = %q, want 60", r.Header.Get("Retry-After"))
		}
		a.Clock.Advance(time.Minute)
		owner.Post(base+"/"+first.ID+"/resend", nil).RequireStatus(t, http.StatusOK)

		// 100 emails in the hour: the first, its resend and 98 more.
		for range 98 {
			invite(t, owner.Client, o.ID, testkit.NewEmail("bulk"), "member")
		}
		email := testkit.NewEmail("over")
		r = owner.Post(base, map[string]any{"email": email})
		r.RequireProblem(t, http.StatusTooManyRequests, "tenancy.too_many_invitations")
		if r.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		a.Clock.Advance(time.Minute)
		owner.Post(base+"/"+first.ID+"/resend", nil).RequireProblem(t, http.StatusTooManyRequests, "tenancy.too_many_invitations")
		// Nothing was created over the limit; an hour later it works again.
		var list page[invitationJSON]
		owner.Get(base).RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 99 {
			t.Fatalf("%d pending invitations, want 99", len(list.Items))
		}
		a.Clock.Advance(time.Hour)
		owner.Get("/api/organizations").RequireStatus(t, http.StatusOK)
		invite(t, owner.Client, o.ID, email, "member")
	})
}
