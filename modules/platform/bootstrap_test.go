package platform_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/testkit"
)

// setupToken issues a setup link the way serve does and returns its token.
func setupToken(t *testing.T, a *testkit.App) string {
	t.Helper()
	link, err := a.Platform().PrepareBootstrap(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if link == "" {
		t.Fatal("no setup link while no platform admin exists")
	}
	u, err := url.Parse(link)
	if err != nil || u.Path != "/setup" || !strings.HasPrefix(link, a.URL+"/setup?token=") {
		t.Fatalf("link = %q", link)
	}
	return u.Query().Get("token")
}

func adminCount(t *testing.T, a *testkit.App) int {
	t.Helper()
	n, err := a.IAM().CountPlatformAdmins(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBootstrap(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		first := setupToken(t, a)
		token := setupToken(t, a) // each start replaces the link
		ana := a.SignUp(t, testkit.NewEmail("ana"), "Ana", true)
		unverified := a.SignUp(t, testkit.NewEmail("uv"), "Uv", false)
		body := map[string]any{"token": token}

		a.Client().Post("/api/v1/platform/bootstrap", body).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		unverified.Post("/api/v1/platform/bootstrap", body).RequireProblem(t, http.StatusForbidden, "platform.email_not_verified")
		ana.Post("/api/v1/platform/bootstrap", map[string]any{"token": first}).RequireProblem(t, http.StatusNotFound, "platform.bootstrap_not_found")
		ana.Post("/api/v1/platform/bootstrap", map[string]any{"token": "not-a-token"}).RequireProblem(t, http.StatusNotFound, "platform.bootstrap_not_found")
		p := ana.Post("/api/v1/platform/bootstrap", map[string]any{}).RequireProblem(t, http.StatusUnprocessableEntity, "platform.invalid_token")
		if _, ok := p.Field("body.token"); !ok {
			t.Errorf("fields = %+v", p.Errors)
		}
		ana.Get("/api/v1/platform/admins").RequireProblem(t, http.StatusForbidden, "platform.forbidden")

		var out struct {
			UserID        string `json:"userId"`
			PlatformAdmin bool   `json:"platformAdmin"`
		}
		ana.Post("/api/v1/platform/bootstrap", body).RequireStatus(t, http.StatusOK).JSON(t, &out)
		if out.UserID != ana.ID.String() || !out.PlatformAdmin || adminCount(t, a) != 1 {
			t.Fatalf("bootstrap = %+v, %d admins", out, adminCount(t, a))
		}
		ana.Get("/api/v1/platform/admins").RequireStatus(t, http.StatusOK)

		// Spent: 410, for her and anyone; a wrong token is still 404.
		ana.Post("/api/v1/platform/bootstrap", body).RequireProblem(t, http.StatusGone, "platform.bootstrap_spent")
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		bob.Post("/api/v1/platform/bootstrap", body).RequireProblem(t, http.StatusGone, "platform.bootstrap_spent")
		bob.Post("/api/v1/platform/bootstrap", map[string]any{"token": first}).RequireProblem(t, http.StatusNotFound, "platform.bootstrap_not_found")
		// Once an admin exists, starting again issues no link.
		if link, err := a.Platform().PrepareBootstrap(t.Context()); err != nil || link != "" {
			t.Errorf("link after the bootstrap = %q, %v", link, err)
		}

		// The audit log has the promotion.
		var entries struct {
			Items []struct {
				Action   string  `json:"action"`
				TargetID *string `json:"targetId"`
			} `json:"items"`
		}
		ana.Get("/api/v1/platform/audit?action=user.platform_admin_granted").RequireStatus(t, http.StatusOK).JSON(t, &entries)
		if len(entries.Items) != 1 || entries.Items[0].TargetID == nil || *entries.Items[0].TargetID != ana.ID.String() {
			t.Errorf("entries = %+v", entries.Items)
		}
	})
}

func TestBootstrap_Expires(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		token := setupToken(t, a)
		ana := a.SignUp(t, testkit.NewEmail("ana"), "Ana", true)
		a.Clock.Advance(30 * time.Minute)
		ana.Post("/api/v1/platform/bootstrap", map[string]any{"token": token}).RequireProblem(t, http.StatusGone, "platform.bootstrap_spent")
		if adminCount(t, a) != 0 {
			t.Error("an expired token made an admin")
		}
		// The next start's link works.
		ana.Post("/api/v1/platform/bootstrap", map[string]any{"token": setupToken(t, a)}).RequireStatus(t, http.StatusOK)
	})
}

// TestBootstrap_ConcurrentSpendsMakeOneAdmin: many users with the link at
// once; exactly one becomes the admin, the others are told it is spent.
func TestBootstrap_ConcurrentSpendsMakeOneAdmin(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		for round := range 3 {
			if round > 0 {
				// Start over: no admin, a new link.
				admins, err := a.IAM().PlatformAdmins(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				for _, u := range admins {
					if _, err := a.DB().QW(t.Context()).Exec(t.Context(), `UPDATE users SET platform_admin = false WHERE id = $1`, u.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
			token := setupToken(t, a)
			var users []testkit.Account
			for range 4 {
				users = append(users, a.SignUp(t, testkit.NewEmail("race"), "Racer", true))
			}
			codes := make([]int, len(users))
			var wg sync.WaitGroup
			for i, u := range users {
				wg.Go(func() {
					codes[i] = u.Post("/api/v1/platform/bootstrap", map[string]any{"token": token}).StatusCode
				})
			}
			wg.Wait()
			ok, gone := 0, 0
			for _, c := range codes {
				switch c {
				case http.StatusOK:
					ok++
				case http.StatusGone:
					gone++
				}
			}
			if ok != 1 || gone != len(users)-1 || adminCount(t, a) != 1 {
				t.Fatalf("round %d: answers %v, %d admins", round, codes, adminCount(t, a))
			}
		}
	})
}

// TestSetupPage: the link opens a plain form that works without script,
// posted same-origin by a signed-in user.
func TestSetupPage(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		token := setupToken(t, a)
		anon := a.Client()
		r := anon.Get("/setup?token="+url.QueryEscape(token)).RequireStatus(t, http.StatusOK)
		if !strings.Contains(string(r.Body), "Sign in") || strings.Contains(string(r.Body), "<form") {
			t.Errorf("anonymous page: %s", r.Body)
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") && !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("CSP = %q", csp)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q", r.Header.Get("Cache-Control"))
		}
		anon.Get("/setup").RequireStatus(t, http.StatusNotFound)

		ana := a.SignUp(t, testkit.NewEmail("ana"), "Ana", true)
		r = ana.Get("/setup?token="+url.QueryEscape(token)).RequireStatus(t, http.StatusOK)
		if !strings.Contains(string(r.Body), `<form method="post" action="/setup">`) || !strings.Contains(string(r.Body), token) ||
			strings.Contains(string(r.Body), "<script") {
			t.Fatalf("signed-in page: %s", r.Body)
		}
		form := "token=" + url.QueryEscape(token)
		// A cross-site post is refused before anything happens.
		ana.Do(http.MethodPost, "/setup", form, "Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example").
			RequireStatus(t, http.StatusForbidden)
		if adminCount(t, a) != 0 {
			t.Fatal("a cross-site post made an admin")
		}
		r = ana.Do(http.MethodPost, "/setup", form, "Content-Type", "application/x-www-form-urlencoded").RequireStatus(t, http.StatusOK)
		if !strings.Contains(string(r.Body), "You are the platform admin") || adminCount(t, a) != 1 {
			t.Fatalf("after the form: %s", r.Body)
		}
		r = ana.Do(http.MethodPost, "/setup", form, "Content-Type", "application/x-www-form-urlencoded").RequireStatus(t, http.StatusGone)
		if !strings.Contains(string(r.Body), "already used") {
			t.Errorf("spent page: %s", r.Body)
		}
	})
}
