package iam_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/web"
)

func TestEmailVerification(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("ver")
		c := a.Client()
		c.Post("/api/auth/sign-up/email", map[string]any{"email": email, "password": password, "name": "Vera", "callbackURL": "/welcome"}).
			RequireStatus(t, http.StatusOK)
		link := waitEmail(t, a, email, "verify_email").Link(t, a.URL+"/api/auth/verify-email?")
		if !strings.Contains(link, "callbackURL=%2Fwelcome") {
			t.Errorf("link %q does not carry the callbackURL", link)
		}

		// An untrusted callbackURL is never redirected to, and the token is
		// not spent by the attempt.
		u, _ := url.Parse(link)
		token := u.Query().Get("token")
		for _, evil := range []string{"https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:alert(1)"} {
			r := a.Client().Get("/api/auth/verify-email?token=" + url.QueryEscape(token) + "&callbackURL=" + url.QueryEscape(evil))
			r.RequireProblem(t, http.StatusForbidden, "INVALID_CALLBACK_URL")
			if loc := r.Header.Get("Location"); loc != "" {
				t.Errorf("%s: Location %q", evil, loc)
			}
		}
		if getSession(t, c).User.EmailVerified {
			t.Fatal("an untrusted callback verified the email")
		}

		// The link from the email, opened as a mail client would: a redirect
		// to the callback, the email verified.
		r := a.Client().Get(pathOf(t, a, link)).RequireStatus(t, http.StatusFound)
		if loc := r.Header.Get("Location"); loc != "/welcome" {
			t.Errorf("Location = %q, want /welcome", loc)
		}
		if r.Header.Get("Referrer-Policy") != "same-origin" {
			t.Error("verify-email does not hide its URL from the next site")
		}
		if !getSession(t, c).User.EmailVerified {
			t.Error("email not verified")
		}
		// Verification brings the welcome email.
		waitEmail(t, a, email, "welcome")

		// The link is single-use.
		r = a.Client().Get(pathOf(t, a, link)).RequireStatus(t, http.StatusFound)
		if loc := r.Header.Get("Location"); loc != "/welcome?error=INVALID_TOKEN" {
			t.Errorf("reused link Location = %q", loc)
		}
		a.Client().Get("/api/auth/verify-email?token="+url.QueryEscape(token)).RequireProblem(t, http.StatusUnauthorized, "INVALID_TOKEN")
		a.Client().Get("/api/auth/verify-email?token=nope").RequireProblem(t, http.StatusUnauthorized, "INVALID_TOKEN")
		a.Client().Get("/api/auth/verify-email").RequireProblem(t, http.StatusUnauthorized, "INVALID_TOKEN")
		r = a.Client().Get("/api/auth/verify-email?token=nope&callbackURL="+url.QueryEscape("/done?tab=1")).RequireStatus(t, http.StatusFound)
		if loc := r.Header.Get("Location"); loc != "/done?tab=1&error=INVALID_TOKEN" {
			t.Errorf("Location = %q", loc)
		}

		// Signed in and verified: Better Auth's refusals.
		c.Post("/api/auth/send-verification-email", map[string]any{"email": email}).RequireProblem(t, 400, "EMAIL_ALREADY_VERIFIED")
		c.Post("/api/auth/send-verification-email", map[string]any{"email": newEmail("else")}).RequireProblem(t, 400, "EMAIL_MISMATCH")

		// Anonymous: the same answer for an unknown address; a new link for
		// an unverified account, which verifies with a JSON answer.
		other := newEmail("ver2")
		signUp(t, a.Client(), other, "Otto")
		anon := a.Client()
		for _, e := range []string{newEmail("ghost"), other} {
			var st struct {
				Status bool `json:"status"`
			}
			anon.Post("/api/auth/send-verification-email", map[string]any{"email": e}).RequireStatus(t, http.StatusOK).JSON(t, &st)
			if !st.Status {
				t.Errorf("send-verification-email(%s) status false", e)
			}
		}
		msgs := waitEmails(t, a, other, "verify_email", 2)
		var verified struct {
			Status bool     `json:"status"`
			User   userJSON `json:"user"`
		}
		// The link lands on a page; the API call without a callbackURL
		// (Better Auth's client's verifyEmail) answers JSON.
		sent, _ := url.Parse(msgs[1].Link(t, a.URL))
		anon.Get("/api/auth/verify-email?token="+url.QueryEscape(sent.Query().Get("token"))).RequireStatus(t, http.StatusOK).JSON(t, &verified)
		if !verified.Status || !verified.User.EmailVerified || verified.User.Email != other {
			t.Errorf("verify-email = %+v", verified)
		}
		// Bad input.
		anon.Post("/api/auth/send-verification-email", map[string]any{"email": other, "callbackURL": "https://evil.example"}).
			RequireProblem(t, 403, "INVALID_CALLBACK_URL")
		anon.Post("/api/auth/send-verification-email", map[string]any{"email": "nope"}).RequireProblem(t, 400, "INVALID_EMAIL")
		anon.Post("/api/auth/send-verification-email", map[string]any{}).RequireProblem(t, 400, "VALIDATION_ERROR")
	})
}

func TestRequireEmailVerification(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("req")
		c := a.Client()
		r := c.Post("/api/auth/sign-up/email", map[string]any{"email": email, "password": password, "name": "Rui"}).RequireStatus(t, http.StatusOK)
		var out tokenUser
		r.JSON(t, &out)
		if out.Token != nil || out.User.Email != email {
			t.Errorf("sign-up = %s, want token null", r.Body)
		}
		if _, ok := responseCookie(r); ok {
			t.Error("sign-up set a session cookie although verification is required")
		}
		if getSession(t, c) != nil {
			t.Error("signed in before verifying")
		}

		// The right password learns it must verify; a wrong one learns
		// nothing.
		p := a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password}).
			RequireProblem(t, http.StatusForbidden, "EMAIL_NOT_VERIFIED")
		if p.Message != "Email not verified" {
			t.Errorf("message = %q", p.Message)
		}
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": "wrong password"}).
			RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")

		// Opened in a browser, the link lands on a page (the server's home
		// without WEB_ORIGINS), never on raw JSON.
		link := waitEmail(t, a, email, "verify_email").Link(t, a.URL+"/api/auth/verify-email?")
		if loc := a.Client().Get(pathOf(t, a, link)).RequireStatus(t, http.StatusFound).Header.Get("Location"); loc != "/" {
			t.Errorf("the link redirects to %q, want /", loc)
		}
		signIn(t, c, email, password)
		if s := getSession(t, c); s == nil || !s.User.EmailVerified {
			t.Errorf("after verifying, get-session = %+v", s)
		}
	}, testkit.WithEnv("REQUIRE_EMAIL_VERIFICATION", "true"))
}

func TestPasswordReset(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("reset")
		c1, c2 := a.Client(), a.Client()
		signUp(t, c1, email, "Rita")
		signIn(t, c2, email, password)

		// The same answer whether or not the account exists.
		type answer struct {
			Status  bool   `json:"status"`
			Message string `json:"message"`
		}
		var known, unknown answer
		a.Client().Post("/api/auth/request-password-reset", map[string]any{"email": email}).RequireStatus(t, http.StatusOK).JSON(t, &known)
		a.Client().Post("/api/auth/request-password-reset", map[string]any{"email": newEmail("ghost")}).RequireStatus(t, http.StatusOK).JSON(t, &unknown)
		if known != unknown || !known.Status || known.Message != "If this email exists in our system, check your email for the reset link" {
			t.Errorf("known %+v vs unknown %+v", known, unknown)
		}

		// Without redirectTo the link leads to the server's own page.
		link := waitEmail(t, a, email, "password_reset").Link(t, a.URL+"/api/auth/reset-password/")
		token := strings.TrimPrefix(pathOf(t, a, link), "/api/auth/reset-password/")
		page := a.Client().Get(pathOf(t, a, link)).RequireStatus(t, http.StatusOK)
		if ct := page.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") ||
			!strings.Contains(string(page.Body), `<form method="post"`) || !strings.Contains(string(page.Body), `name="newPassword"`) ||
			strings.Contains(string(page.Body), "<script") || !strings.Contains(page.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("reset page: %s\n%s", ct, page.Body)
		}

		// Better Auth's flow: the GET redirects to the client with the token.
		r := a.Client().Get("/api/auth/reset-password/"+token+"?callbackURL="+url.QueryEscape("/reset")).RequireStatus(t, http.StatusFound)
		if loc := r.Header.Get("Location"); loc != "/reset?token="+token {
			t.Errorf("Location = %q", loc)
		}
		r = a.Client().Get("/api/auth/reset-password/not-a-token?callbackURL="+url.QueryEscape("/reset")).RequireStatus(t, http.StatusFound)
		if loc := r.Header.Get("Location"); loc != "/reset?error=INVALID_TOKEN" {
			t.Errorf("Location = %q", loc)
		}
		r = a.Client().Get("/api/auth/reset-password/" + token + "?callbackURL=" + url.QueryEscape("https://evil.example/reset"))
		r.RequireProblem(t, http.StatusForbidden, "INVALID_CALLBACK_URL")

		// The reset: policy first, then the token is spent, every session
		// ends and the new password works.
		a.Client().Post("/api/auth/reset-password", map[string]any{"token": token, "newPassword": "short"}).
			RequireProblem(t, 400, "PASSWORD_TOO_SHORT")
		a.Client().Post("/api/auth/reset-password", map[string]any{"newPassword": "a fine new password"}).
			RequireProblem(t, 400, "INVALID_TOKEN")
		var st struct {
			Status bool `json:"status"`
		}
		a.Client().Post("/api/auth/reset-password", map[string]any{"token": token, "newPassword": "a fine new password"}).
			RequireStatus(t, http.StatusOK).JSON(t, &st)
		if !st.Status {
			t.Error("reset-password status false")
		}
		if getSession(t, c1) != nil || getSession(t, c2) != nil {
			t.Error("a session survived the reset")
		}
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password}).
			RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
		signIn(t, c1, email, "a fine new password")
		waitEmail(t, a, email, "password_changed")
		// A reset proves the mailbox: the email is verified, and welcomed.
		if !getSession(t, c1).User.EmailVerified {
			t.Error("reset did not verify the email")
		}
		waitEmail(t, a, email, "welcome")

		// Single use, whichever way the token comes.
		a.Client().Post("/api/auth/reset-password?token="+token, map[string]any{"newPassword": "yet another password"}).
			RequireProblem(t, 400, "INVALID_TOKEN")

		// With redirectTo the link goes to the front end; the older
		// forget-password path works too; an untrusted one is refused.
		a.Client().Post("/api/auth/forget-password", map[string]any{"email": email, "redirectTo": "/reset?from=mail"}).RequireStatus(t, http.StatusOK)
		msgs := waitEmails(t, a, email, "password_reset", 2)
		front := msgs[1].Link(t, a.URL+"/reset?")
		fu, _ := url.Parse(front)
		if fu.Query().Get("from") != "mail" || len(fu.Query().Get("token")) != 43 {
			t.Errorf("front-end link = %q", front)
		}
		a.Client().Post("/api/auth/request-password-reset", map[string]any{"email": email, "redirectTo": "https://evil.example"}).
			RequireProblem(t, 403, "INVALID_REDIRECT_URL")
		a.Client().Post("/api/auth/request-password-reset", map[string]any{"email": "nope"}).RequireProblem(t, 400, "INVALID_EMAIL")

		// The page's form, posted as a browser would.
		newToken := fu.Query().Get("token")
		post := func(tok string, form url.Values) (int, string) {
			t.Helper()
			resp, err := http.Post(a.URL+"/api/auth/reset-password/"+tok, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		// A malformed form is a 400 problem, never a 500, and spends no token.
		for _, bad := range []struct{ query, body string }{{"", "%zz"}, {"", "newPassword=a;b=c"}, {"?%zz=1", "newPassword=x"}} {
			resp, err := http.Post(a.URL+"/api/auth/reset-password/"+newToken+bad.query, "application/x-www-form-urlencoded", strings.NewReader(bad.body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var p web.Problem
			_ = json.Unmarshal(b, &p)
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Content-Type") != "application/problem+json" || p.Code != "http.malformed_form" {
				t.Errorf("form %q%q: %d %s %s", bad.query, bad.body, resp.StatusCode, resp.Header.Get("Content-Type"), b)
			}
		}
		if code, body := post(newToken, url.Values{"newPassword": {"from the form 1"}, "confirmPassword": {"something else"}}); code != 422 || !strings.Contains(body, "do not match") {
			t.Errorf("mismatched passwords: %d %s", code, body)
		}
		if code, body := post(newToken, url.Values{"newPassword": {"short"}, "confirmPassword": {"short"}}); code != 422 || !strings.Contains(body, "at least 8 characters") {
			t.Errorf("short password: %d %s", code, body)
		}
		if code, body := post(newToken, url.Values{"newPassword": {"from the form 1"}, "confirmPassword": {"from the form 1"}}); code != 200 || !strings.Contains(body, "Password changed") {
			t.Errorf("form reset: %d %s", code, body)
		}
		if code, body := post(newToken, url.Values{"newPassword": {"from the form 2"}, "confirmPassword": {"from the form 2"}}); code != 422 || !strings.Contains(body, "invalid or has expired") {
			t.Errorf("reused form token: %d %s", code, body)
		}
		signIn(t, a.Client(), email, "from the form 1")
	})
}
