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

// TestBetterAuth_OriginChecks: Better Auth's codes for cross-origin and
// origin-less browser requests; non-browser calls without cookies pass.
func TestBetterAuth_OriginChecks(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("origin")
		c := a.Client()
		signUp(t, c, email, "Ori")
		c.Post("/api/auth/update-user", map[string]any{"name": "X"}, "Origin", "https://evil.example").
			RequireProblem(t, http.StatusForbidden, "INVALID_ORIGIN")
		c.Post("/api/auth/update-user", map[string]any{"name": "X"}, "Origin", "null").
			RequireProblem(t, http.StatusForbidden, "MISSING_OR_NULL_ORIGIN")
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password},
			"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate").
			RequireProblem(t, http.StatusForbidden, "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED")
		if s := getSession(t, c); s == nil || s.User.Name != "Ori" {
			t.Errorf("a refused request changed the user: %+v", s)
		}
		// A server-side client without cookies and without Origin signs in.
		req, _ := http.NewRequest(http.MethodPost, a.URL+"/api/auth/sign-in/email", strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("a non-browser sign-in = %d", res.StatusCode)
		}
	})
}

// TestBetterAuth_CookiePrefix: AUTH_COOKIE_PREFIX=better-auth keeps a
// Better Auth deployment's cookie names.
func TestBetterAuth_CookiePrefix(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		c := a.Client()
		email := newEmail("prefix")
		r := c.Post("/api/auth/sign-up/email", map[string]any{"email": email, "password": password, "name": "Pre", "rememberMe": false}).
			RequireStatus(t, http.StatusOK)
		names := map[string]bool{}
		for _, ck := range r.Cookies() {
			names[ck.Name] = true
		}
		if !names["better-auth.session_token"] || !names["better-auth.dont_remember"] || names["groundwork.session_token"] {
			t.Fatalf("cookies = %v", names)
		}
		if s := getSession(t, c); s == nil || s.User.Email != email {
			t.Fatalf("get-session with the prefixed cookie = %+v", s)
		}
		out := c.Post("/api/auth/sign-out", map[string]any{}).RequireStatus(t, http.StatusOK)
		cleared := false
		for _, ck := range out.Cookies() {
			if ck.Name == "better-auth.session_token" && ck.MaxAge < 0 {
				cleared = true
			}
		}
		if !cleared || getSession(t, c) != nil {
			t.Error("sign-out did not end the prefixed session")
		}
	}, testkit.WithEnv("AUTH_COOKIE_PREFIX", "better-auth"))
}
