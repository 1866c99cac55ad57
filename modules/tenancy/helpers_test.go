package tenancy_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/testkit"
)

// orgJSON is an organization as the API shows it.
type orgJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Slug      string    `json:"slug"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Role      string    `json:"role"`
}

type memberJSON struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	UserID         string    `json:"userId"`
	Role           string    `json:"role"`
	CreatedAt      time.Time `json:"createdAt"`
	User           struct {
		ID    string `json:"id"`
		Email string `json:"email"`
		Name  string `json:"name"`
	} `json:"user"`
}

type invitationJSON struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	Email          string    `json:"email"`
	Role           string    `json:"role"`
	InviterID      string    `json:"inviterId"`
	Status         string    `json:"status"`
	ExpiresAt      time.Time `json:"expiresAt"`
}

type roleJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Permissions []string `json:"permissions"`
	Builtin     bool     `json:"builtin"`
}

type activeJSON struct {
	Organization *orgJSON `json:"organization"`
	Role         string   `json:"role"`
	Grants       []string `json:"grants"`
	Permissions  []string `json:"permissions"`
}

type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor"`
}

// acme is the setup most tests share: Olivia Owner, verified, and her
// organization Acme (slug acme).
func acme(t testing.TB, a *testkit.App) (testkit.Account, orgJSON) {
	t.Helper()
	owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)
	return owner, createOrg(t, owner.Client, "Acme", "acme")
}

// createOrg creates an organization as c and returns it.
func createOrg(t testing.TB, c *testkit.Client, name, slug string) orgJSON {
	t.Helper()
	var o orgJSON
	c.Post("/api/organizations", map[string]any{"name": name, "slug": slug}).RequireStatus(t, http.StatusCreated).JSON(t, &o)
	return o
}

// invite invites email into org as c, with role, and returns the
// invitation.
func invite(t testing.TB, c *testkit.Client, org, email, role string) invitationJSON {
	t.Helper()
	var inv invitationJSON
	c.Post("/api/organizations/"+org+"/invitations", map[string]any{"email": email, "role": role}).
		RequireStatus(t, http.StatusCreated).JSON(t, &inv)
	return inv
}

// invitationToken returns the token of the newest invitation email to
// email (the n-th, 1-based).
func invitationToken(t testing.TB, a *testkit.App, email string, n int) string {
	t.Helper()
	link := a.WaitEmails(t, email, "organization_invitation", n)[n-1].Link(t, a.URL+"/invitations/")
	return link[len(a.URL+"/invitations/"):]
}

// join signs up a verified account, invites it into org as inviter with
// role and accepts; it returns the account.
func join(t testing.TB, a *testkit.App, inviter *testkit.Client, org, name, role string) testkit.Account {
	t.Helper()
	acc := a.SignUp(t, testkit.NewEmail(name), name, true)
	invite(t, inviter, org, acc.Email, role)
	tok := invitationToken(t, a, acc.Email, 1)
	acc.Post("/api/invitations/"+tok+"/accept", nil).RequireStatus(t, http.StatusOK)
	return acc
}

// members lists org's members as c.
func members(t testing.TB, c *testkit.Client, org string) []memberJSON {
	t.Helper()
	var p page[memberJSON]
	c.Get("/api/organizations/"+org+"/members?limit=100").RequireStatus(t, http.StatusOK).JSON(t, &p)
	return p.Items
}

// roleOf returns the role of the member with that user ID, or "".
func roleOf(ms []memberJSON, user string) string {
	for _, m := range ms {
		if m.UserID == user {
			return m.Role
		}
	}
	return ""
}
