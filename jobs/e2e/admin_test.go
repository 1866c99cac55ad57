// Package e2e_test drives the job plumbing's admin routes in the fully
// wired application. It is a package of its own because it imports app,
// which imports jobs: jobs' own tests stay independent of every module.
package e2e_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"testing"

	"github.com/groundworkhq/groundwork/testkit"
)

type jobJSON struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
}

// The jobs the application enqueues for a verification, a password reset
// and an invitation carry their links (the emails' rendered bodies hold
// them); neither the listing nor a job's detail shows any of their tokens.
func TestAdminJobs_ShowNoTokenTheAppMailed(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", false)
		var org struct {
			ID string `json:"id"`
		}
		owner.Post("/api/organizations", map[string]any{"name": "Acme", "slug": "acme"}).
			RequireStatus(t, http.StatusCreated).JSON(t, &org)
		invitee := testkit.NewEmail("invitee")
		owner.Post("/api/organizations/"+org.ID+"/invitations", map[string]any{"email": invitee, "role": "member"}).
			RequireStatus(t, http.StatusCreated)
		a.Client().Post("/api/auth/request-password-reset", map[string]any{"email": owner.Email}).
			RequireStatus(t, http.StatusOK)

		verify := a.WaitEmail(t, owner.Email, "verify_email").Link(t, a.URL+"/api/auth/verify-email?")
		reset := a.WaitEmail(t, owner.Email, "password_reset").Link(t, a.URL+"/api/auth/reset-password/")
		invitation := a.WaitEmail(t, invitee, "organization_invitation").Link(t, a.URL+"/invitations/")
		var tokens []string
		for _, link := range []string{verify, reset, invitation} {
			u, err := url.Parse(link)
			if err != nil {
				t.Fatalf("link %q: %v", link, err)
			}
			tok := u.Query().Get("token")
			if tok == "" {
				tok = path.Base(u.Path)
			}
			if len(tok) < 16 {
				t.Fatalf("no token found in %q", link)
			}
			tokens = append(tokens, tok)
		}

		admin := a.Client().AsPlatformAdmin(owner.ID)
		var page struct {
			Items []jobJSON `json:"items"`
		}
		res := admin.Get("/api/v1/platform/jobs?limit=200").RequireStatus(t, http.StatusOK)
		res.JSON(t, &page)
		bodies := map[string][]byte{"listing": res.Body}
		var kinds []string
		for _, j := range page.Items {
			kinds = append(kinds, j.Kind)
			detail := fmt.Sprintf("/api/v1/platform/jobs/%d", j.ID)
			bodies[detail] = admin.Get(detail).RequireStatus(t, http.StatusOK).Body
		}
		for _, kind := range []string{"iam.account_mail", "notifications.email"} {
			if !slices.Contains(kinds, kind) {
				t.Errorf("no %s job listed among %v", kind, kinds)
			}
		}
		for what, body := range bodies {
			for _, tok := range tokens {
				if bytes.Contains(body, []byte(tok)) {
					t.Errorf("%s shows the token %q: %s", what, tok, body)
				}
			}
		}
	})
}
