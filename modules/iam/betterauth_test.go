package iam_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/testkit"
)

// TestBetterAuth_UnknownFieldsAreIgnored: as Better Auth ignores them,
// while the fields Groundwork knows keep working.
func TestBetterAuth_UnknownFieldsAreIgnored(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		c := a.Client()
		email := newEmail("extra")
		var out tokenUser
		c.Post("/api/auth/sign-up/email", map[string]any{
			"email": email, "password": password, "name": "Ext", "role": "admin", "plan": map[string]any{"tier": 9}, "username": "ext_ra",
		}).RequireStatus(t, http.StatusOK).JSON(t, &out)
		if out.User.Email != email || out.User.Username == nil || *out.User.Username != "ext_ra" {
			t.Fatalf("sign-up = %+v", out)
		}
		c.Post("/api/auth/update-user", map[string]any{"name": "Renamed", "favouriteColour": "teal"}).RequireStatus(t, http.StatusOK)
		if s := getSession(t, c); s == nil || s.User.Name != "Renamed" {
			t.Errorf("update-user with an unknown field = %+v", s)
		}
		// What the schema refuses is still refused, with Better Auth's code.
		c.Post("/api/auth/update-user", map[string]any{"name": 7, "other": true}).RequireProblem(t, http.StatusBadRequest, "VALIDATION_ERROR")
	})
}

// TestBetterAuth_DeleteUserOnAFreshSession: without a password a session
// opened within the day may delete its account (Better Auth's freshAge);
// an older one is SESSION_EXPIRED, and the password still works.
func TestBetterAuth_DeleteUserOnAFreshSession(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		fresh, stale := a.Client(), a.Client()
		signUp(t, fresh, newEmail("fresh"), "Fresh")
		staleEmail := newEmail("stale")
		signUp(t, stale, staleEmail, "Stale")
		a.Clock.Advance(25 * time.Hour)
		signIn(t, fresh, getSession(t, fresh).User.Email, password) // a new session, opened now

		stale.Post("/api/auth/delete-user", map[string]any{}).RequireProblem(t, http.StatusBadRequest, "SESSION_EXPIRED")
		fresh.Post("/api/auth/delete-user", map[string]any{}).RequireStatus(t, http.StatusOK)
		if getSession(t, fresh) != nil {
			t.Error("the deleted account is still signed in")
		}
		stale.Post("/api/auth/delete-user", map[string]any{"password": password}).RequireStatus(t, http.StatusOK)
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": staleEmail, "password": password}).
			RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
	})
}

// TestBetterAuth_SpentResetLinkTellsTheFrontEnd: opened again with a
// callbackURL, a used reset link redirects with ?error=INVALID_TOKEN
// instead of handing the spent token on.
func TestBetterAuth_SpentResetLinkTellsTheFrontEnd(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("spent")
		signUp(t, a.Client(), email, "Spent")
		a.Client().Post("/api/auth/request-password-reset", map[string]any{"email": email}).RequireStatus(t, http.StatusOK)
		link := waitEmail(t, a, email, "password_reset").Link(t, a.URL+"/api/auth/reset-password/")
		token := strings.TrimPrefix(pathOf(t, a, link), "/api/auth/reset-password/")
		open := func() string {
			return a.Client().Get("/api/auth/reset-password/"+token+"?callbackURL="+url.QueryEscape("/reset")).
				RequireStatus(t, http.StatusFound).Header.Get("Location")
		}
		if loc := open(); loc != "/reset?token="+token {
			t.Fatalf("live link → %q", loc)
		}
		a.Client().Post("/api/auth/reset-password", map[string]any{"token": token, "newPassword": "a brand new password"}).RequireStatus(t, http.StatusOK)
		if loc := open(); loc != "/reset?error=INVALID_TOKEN" {
			t.Errorf("spent link → %q", loc)
		}
		// A bad token at reset-password is 400, as Better Auth answers.
		a.Client().Post("/api/auth/reset-password", map[string]any{"token": token, "newPassword": "another new password"}).
			RequireProblem(t, http.StatusBadRequest, "INVALID_TOKEN")
		a.Client().Get("/api/auth/verify-email?token=nope").RequireProblem(t, http.StatusUnauthorized, "INVALID_TOKEN")
	})
}

// TestBetterAuth_RateLimitHeaders: a 429 carries Retry-After and Better
// Auth's X-Retry-After.
func TestBetterAuth_RateLimitHeaders(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("limit")
		signUp(t, a.Client(), email, "Lim")
		c := a.Client()
		var r *testkit.Response
		for range 11 {
			r = c.Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": "wrong password!"})
		}
		r.RequireProblem(t, http.StatusTooManyRequests, "TOO_MANY_REQUESTS")
		if r.Header.Get("Retry-After") == "" || r.Header.Get("X-Retry-After") != r.Header.Get("Retry-After") {
			t.Errorf("Retry-After %q, X-Retry-After %q", r.Header.Get("Retry-After"), r.Header.Get("X-Retry-After"))
		}
	}, rateLimited)
}
