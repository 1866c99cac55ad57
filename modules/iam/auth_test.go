package iam_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/testkit"
)

func TestSignUp(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		c := a.Client()
		email := newEmail("Foo")
		r := c.Post("/api/auth/sign-up/email", map[string]any{
			"email": "  " + strings.ToUpper(email) + " ", "password": password, "name": "Ana Lima",
			"username": "ana_lima", "locale": "pt-BR", "image": "https://cdn.example.com/ana.png",
		}).RequireStatus(t, http.StatusOK)
		var out tokenUser
		r.JSON(t, &out)
		u := out.User
		if u.Email != strings.ToLower(email) || u.Name != "Ana Lima" || u.EmailVerified || !u.Active ||
			deref(u.Username) != "ana_lima" || deref(u.Locale) != "pt-BR" || deref(u.Image) != "https://cdn.example.com/ana.png" ||
			!strings.HasPrefix(u.ID, "usr_") || !u.CreatedAt.Equal(a.Clock.Now()) || !u.UpdatedAt.Equal(a.Clock.Now()) {
			t.Errorf("user = %+v", u)
		}
		// The cookie carries the credential; the body only a handle.
		ck, ok := responseCookie(r)
		if !ok || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure ||
			ck.MaxAge < 7*24*3600-5 || ck.MaxAge > 7*24*3600 || len(ck.Value) != 43 {
			t.Errorf("session cookie = %+v", ck)
		}
		if out.Token == nil || !strings.HasPrefix(*out.Token, "ses_") || *out.Token == ck.Value {
			t.Errorf("token = %v, want a ses_ handle", out.Token)
		}
		s := getSession(t, c)
		if s == nil || s.Session.ID != *out.Token || s.Session.Token != *out.Token || s.User.ID != u.ID {
			t.Fatalf("get-session = %+v", s)
		}
		if s.Session.IPAddress == nil || *s.Session.IPAddress != "127.0.0.1" || s.Session.UserAgent == nil {
			t.Errorf("session client = %v %v", s.Session.IPAddress, s.Session.UserAgent)
		}
		// The verification email went out, in the user's locale.
		m := waitEmail(t, a, strings.ToLower(email), "verify_email")
		m.Link(t, a.URL+"/api/auth/verify-email?token=")

		// Image and other optional fields left out are null.
		var bare tokenUser
		a.Client().Post("/api/auth/sign-up/email", map[string]any{"email": newEmail("bare"), "password": password, "name": ""}).
			RequireStatus(t, http.StatusOK).JSON(t, &bare)
		if bare.User.Image != nil || bare.User.Username != nil || bare.User.Locale != nil || bare.User.Name != "" {
			t.Errorf("bare user = %+v", bare.User)
		}
		// Times are written as JavaScript writes them (milliseconds), which
		// is what Better Auth's client parses correctly.
		a.Clock.Advance(123456 * time.Microsecond)
		var raw struct {
			User map[string]any `json:"user"`
		}
		a.Client().Post("/api/auth/sign-up/email", map[string]any{"email": newEmail("raw"), "password": password, "name": "x"}).JSON(t, &raw)
		if image, present := raw.User["image"]; !present || image != nil || raw.User["createdAt"] != "2026-01-15T09:00:00.123Z" {
			t.Errorf(`sign-up user has no "image": null or no millisecond createdAt: %v`, raw.User)
		}

		// One account per address, whatever its case.
		p := a.Client().Post("/api/auth/sign-up/email", map[string]any{"email": email, "password": password, "name": "Again"}).
			RequireProblem(t, http.StatusUnprocessableEntity, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL")
		if p.Message != "User already exists. Use another email." {
			t.Errorf("message = %q", p.Message)
		}

		for _, tc := range []struct {
			name   string
			body   any
			status int
			code   string
			field  string
		}{
			// Better Auth's statuses and codes.
			{"short password", map[string]any{"email": newEmail("s"), "password": "1234567", "name": "x"}, 400, "PASSWORD_TOO_SHORT", "password"},
			{"long password", map[string]any{"email": newEmail("l"), "password": strings.Repeat("p", 129), "name": "x"}, 400, "PASSWORD_TOO_LONG", "password"},
			{"bad fields", map[string]any{"email": "not-an-email", "password": "short", "name": "x", "username": "NO", "locale": "??"}, 400, "VALIDATION_ERROR", "email"},
			{"untrusted callback", map[string]any{"email": newEmail("c"), "password": password, "name": "x", "callbackURL": "https://evil.example/x"}, 403, "INVALID_CALLBACK_URL", "callbackURL"},
			{"missing field", map[string]any{"email": newEmail("m"), "name": "x"}, 400, "VALIDATION_ERROR", "body"},
			{"wrong type", map[string]any{"email": newEmail("w"), "password": 12345678, "name": "x"}, 400, "VALIDATION_ERROR", "body.password"},
			{"malformed JSON", `{"email":`, 400, "http.malformed_json", ""},
			{"oversized", `{"email":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "http.body_too_large", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := a.Client().Post("/api/auth/sign-up/email", tc.body).RequireProblem(t, tc.status, tc.code)
				if tc.field != "" && !hasField(p, tc.field) {
					t.Errorf("no field error at %s: %+v", tc.field, p.Errors)
				}
			})
		}
		// Every bad field is reported at once.
		p = a.Client().Post("/api/auth/sign-up/email", map[string]any{"email": "nope", "password": "short", "name": "x", "username": "NO", "locale": "??"}).
			RequireProblem(t, 400, "VALIDATION_ERROR")
		for _, f := range []string{"email", "password", "username", "locale"} {
			if !hasField(p, f) {
				t.Errorf("no field error at %s: %+v", f, p.Errors)
			}
		}
	})
}

func TestSignIn(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("in")
		signUp(t, a.Client(), email, "In")

		// Each sign-in opens a new session with a new cookie; both work.
		c1, c2 := a.Client(), a.Client()
		r1 := c1.Post("/api/auth/sign-in/email", map[string]any{"email": strings.ToUpper(email), "password": password}).RequireStatus(t, http.StatusOK)
		var out1 struct {
			Redirect bool     `json:"redirect"`
			Token    string   `json:"token"`
			URL      *string  `json:"url"`
			User     userJSON `json:"user"`
		}
		r1.JSON(t, &out1)
		if out1.Redirect || out1.URL != nil || !strings.HasPrefix(out1.Token, "ses_") || out1.User.Email != email {
			t.Errorf("sign-in = %+v", out1)
		}
		out2 := signIn(t, c2, email, password)
		k1, k2 := sessionCookie(t, a, c1), sessionCookie(t, a, c2)
		if k1 == "" || k2 == "" || k1 == k2 || out1.Token == *out2.Token {
			t.Errorf("cookies %q %q and handles %q %q, want two distinct sessions", k1, k2, out1.Token, *out2.Token)
		}
		if s1, s2 := getSession(t, c1), getSession(t, c2); s1 == nil || s2 == nil || s1.Session.ID == s2.Session.ID {
			t.Errorf("sessions = %+v / %+v", s1, s2)
		}
		// Signing in again on the same browser replaces its cookie.
		signIn(t, c1, email, password)
		if k := sessionCookie(t, a, c1); k == k1 || k == "" {
			t.Errorf("cookie not rotated on sign-in")
		}

		// A wrong password and an unknown email are indistinguishable.
		wrong := a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": "wrong password"}).
			RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
		unknown := a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": newEmail("ghost"), "password": "wrong password"}).
			RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
		if wrong.Message != unknown.Message || wrong.Detail != unknown.Detail || wrong.Message != "Invalid email or password" || len(wrong.Errors) != len(unknown.Errors) {
			t.Errorf("wrong password %+v vs unknown email %+v", wrong, unknown)
		}
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": "not an email", "password": "x"}).
			RequireProblem(t, http.StatusBadRequest, "INVALID_EMAIL")
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email}).
			RequireProblem(t, http.StatusBadRequest, "VALIDATION_ERROR")

		// A trusted callbackURL is echoed for the client to follow; an
		// untrusted one is refused before any password check.
		var cb struct {
			Redirect bool   `json:"redirect"`
			URL      string `json:"url"`
		}
		r := a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password, "callbackURL": "/dashboard"}).
			RequireStatus(t, http.StatusOK)
		r.JSON(t, &cb)
		if !cb.Redirect || cb.URL != "/dashboard" || r.Header.Get("Location") != "/dashboard" {
			t.Errorf("callback sign-in = %+v, Location %q", cb, r.Header.Get("Location"))
		}
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password, "callbackURL": "//evil.example"}).
			RequireProblem(t, http.StatusForbidden, "INVALID_CALLBACK_URL")

		// rememberMe false: a browser-session cookie, kept so on refresh.
		r = a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password, "rememberMe": false}).
			RequireStatus(t, http.StatusOK)
		if ck, ok := responseCookie(r); !ok || ck.MaxAge != 0 || ck.Value == "" {
			t.Errorf("rememberMe false cookie = %+v", ck)
		}
	})
}

func TestSessionCookie(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		// Anonymous: null, and no cookie is touched.
		anon := a.Client().Get("/api/auth/get-session").RequireStatus(t, http.StatusOK)
		if strings.TrimSpace(string(anon.Body)) != "null" || len(anon.Cookies()) != 0 {
			t.Errorf("anonymous get-session = %s, cookies %v", anon.Body, anon.Cookies())
		}

		c := a.Client()
		email := newEmail("ck")
		up := signUp(t, c, email, "Cookie")
		token := sessionCookie(t, a, c)
		if s := getSession(t, c); s == nil || s.User.Email != email {
			t.Fatalf("get-session = %+v", s)
		}

		// Tampered, unknown, the handle, garbage: anonymous, cookie cleared,
		// never a 500.
		tampered := []byte(token)
		if tampered[5] == 'A' {
			tampered[5] = 'B'
		} else {
			tampered[5] = 'A'
		}
		for name, value := range map[string]string{
			"tampered": string(tampered),
			"handle":   *up.Token,
			"garbage":  "%%%not-a-token%%%",
			"long":     strings.Repeat("x", 3000),
		} {
			t.Run(name, func(t *testing.T) {
				o := a.Client()
				setSessionCookie(a, o, value)
				r := o.Get("/api/auth/get-session").RequireStatus(t, http.StatusOK)
				if strings.TrimSpace(string(r.Body)) != "null" {
					t.Errorf("get-session = %s, want null", r.Body)
				}
				requireCleared(t, r)
				o2 := a.Client()
				setSessionCookie(a, o2, value)
				o2.Get("/api/auth/list-sessions").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
			})
		}

		// A request on a day-old session slides its expiry and sends the
		// cookie again with the new lifetime; the next one does not.
		a.Clock.Advance(25 * time.Hour)
		r := c.Get("/api/auth/get-session").RequireStatus(t, http.StatusOK)
		ck, ok := responseCookie(r)
		var s *sessionUser
		r.JSON(t, &s)
		if !ok || ck.Value != token || ck.MaxAge < 7*24*3600-5 || s == nil || !s.Session.ExpiresAt.Equal(a.Clock.Now().Add(7*24*time.Hour)) {
			t.Errorf("refresh: cookie %+v, session %+v", ck, s)
		}
		if _, ok := responseCookie(c.Get("/api/auth/get-session")); ok {
			t.Error("the cookie was sent again without a refresh")
		}
		// A browser that asked not to be remembered keeps a session cookie.
		forget := a.Client()
		forget.Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password, "rememberMe": false}).RequireStatus(t, http.StatusOK)
		a.Clock.Advance(25 * time.Hour)
		if ck, ok := responseCookie(forget.Get("/api/auth/get-session")); !ok || ck.MaxAge != 0 || ck.Value == "" {
			t.Errorf("rememberMe false refresh cookie = %+v", ck)
		}
		// An expired session is anonymous, its cookie cleared.
		stale := a.Client()
		signIn(t, stale, email, password)
		a.Clock.Advance(7*24*time.Hour + time.Second)
		r = stale.Get("/api/auth/get-session").RequireStatus(t, http.StatusOK)
		if strings.TrimSpace(string(r.Body)) != "null" {
			t.Errorf("expired session: %s", r.Body)
		}
		requireCleared(t, r)
		signIn(t, c, email, password)
		token = sessionCookie(t, a, c)

		// Sign-out revokes the session and clears the cookie; the old token
		// is dead.
		r = c.Post("/api/auth/sign-out", nil).RequireStatus(t, http.StatusOK)
		var out struct {
			Success bool `json:"success"`
		}
		r.JSON(t, &out)
		if !out.Success {
			t.Errorf("sign-out = %s", r.Body)
		}
		requireCleared(t, r)
		if s := getSession(t, c); s != nil {
			t.Errorf("after sign-out get-session = %+v", s)
		}
		o := a.Client()
		setSessionCookie(a, o, token)
		if s := getSession(t, o); s != nil {
			t.Errorf("revoked token still works: %+v", s)
		}
		// Signing out without a session is not an error.
		a.Client().Post("/api/auth/sign-out", nil).RequireStatus(t, http.StatusOK)
	})
}

func TestSessions(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		// Every route that needs a session answers 401 without one, before
		// looking at the body.
		anon := a.Client()
		for _, path := range []string{"/api/auth/revoke-session", "/api/auth/revoke-sessions", "/api/auth/revoke-other-sessions",
			"/api/auth/update-user", "/api/auth/change-password", "/api/auth/delete-user"} {
			p := anon.Post(path, `{"bogus":`).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
			if p.Message != "Unauthorized" {
				t.Errorf("%s: message %q", path, p.Message)
			}
		}
		anon.Get("/api/auth/list-sessions").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")

		email := newEmail("ls")
		c1 := a.Client()
		signUp(t, c1, email, "Lists")
		c2, c3 := a.Client(), a.Client()
		signIn(t, c2, email, password)
		signIn(t, c3, email, password)

		// list-sessions shows handles, never the cookie's token, and a
		// handle cannot authenticate.
		var list []sessionJSON
		c1.Get("/api/auth/list-sessions").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list) != 3 {
			t.Fatalf("list-sessions = %+v, want 3", list)
		}
		cookies := map[string]bool{sessionCookie(t, a, c1): true, sessionCookie(t, a, c2): true, sessionCookie(t, a, c3): true}
		for _, s := range list {
			if s.Token != s.ID || cookies[s.Token] || !strings.HasPrefix(s.ID, "ses_") {
				t.Errorf("session %+v exposes a credential or has no handle", s)
			}
			o := a.Client()
			setSessionCookie(a, o, s.Token)
			if got := getSession(t, o); got != nil {
				t.Errorf("the handle %s authenticated", s.Token)
			}
		}

		// revoke-session ends exactly the named session.
		s2 := getSession(t, c2)
		c1.Post("/api/auth/revoke-session", map[string]any{"token": s2.Session.Token}).RequireStatus(t, http.StatusOK)
		if getSession(t, c2) != nil || getSession(t, c3) == nil || getSession(t, c1) == nil {
			t.Error("revoke-session did not end exactly the named session")
		}
		// Revoking what is already gone (or never was yours) is done: true,
		// as Better Auth answers.
		for _, tok := range []string{s2.Session.Token, "nonsense"} {
			var st struct {
				Status bool `json:"status"`
			}
			c1.Post("/api/auth/revoke-session", map[string]any{"token": tok}).RequireStatus(t, http.StatusOK).JSON(t, &st)
			if !st.Status {
				t.Errorf("revoke-session(%s) = %+v", tok, st)
			}
		}
		if getSession(t, c1) == nil || getSession(t, c3) == nil {
			t.Error("an idempotent revoke ended a session")
		}
		c1.Post("/api/auth/revoke-session", map[string]any{}).RequireProblem(t, http.StatusBadRequest, "VALIDATION_ERROR")

		// Another user's session cannot be revoked.
		other := a.Client()
		signUp(t, other, newEmail("other"), "Other")
		os := getSession(t, other)
		c1.Post("/api/auth/revoke-session", map[string]any{"token": os.Session.Token}).RequireStatus(t, http.StatusOK)
		if getSession(t, other) == nil {
			t.Error("another user's session was revoked")
		}

		// revoke-other-sessions keeps the caller's.
		signIn(t, c2, email, password)
		c1.Post("/api/auth/revoke-other-sessions", nil).RequireStatus(t, http.StatusOK)
		if getSession(t, c1) == nil || getSession(t, c2) != nil || getSession(t, c3) != nil {
			t.Error("revoke-other-sessions did not keep exactly the caller's session")
		}

		// revoke-sessions ends them all, the caller's too.
		signIn(t, c2, email, password)
		r := c1.Post("/api/auth/revoke-sessions", nil).RequireStatus(t, http.StatusOK)
		requireCleared(t, r)
		var st struct {
			Status bool `json:"status"`
		}
		r.JSON(t, &st)
		if !st.Status || getSession(t, c1) != nil || getSession(t, c2) != nil {
			t.Errorf("revoke-sessions = %s; sessions left", r.Body)
		}
		if getSession(t, other) == nil {
			t.Error("revoke-sessions ended another user's session")
		}
	})
}

func TestChangePassword(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("pw")
		c1, c2 := a.Client(), a.Client()
		signUp(t, c1, email, "Pat")
		signIn(t, c2, email, password)

		c1.Post("/api/auth/change-password", map[string]any{"currentPassword": "not it at all", "newPassword": "a new password"}).
			RequireProblem(t, http.StatusBadRequest, "INVALID_PASSWORD")
		c1.Post("/api/auth/change-password", map[string]any{"currentPassword": password, "newPassword": "short"}).
			RequireProblem(t, http.StatusBadRequest, "PASSWORD_TOO_SHORT")
		c1.Post("/api/auth/change-password", map[string]any{"currentPassword": password}).
			RequireProblem(t, http.StatusBadRequest, "VALIDATION_ERROR")

		// A reset link requested before the change dies with it.
		a.Client().Post("/api/auth/request-password-reset", map[string]any{"email": email}).RequireStatus(t, http.StatusOK)
		resetLink := waitEmail(t, a, email, "password_reset").Link(t, a.URL+"/api/auth/reset-password/")
		resetToken := strings.TrimPrefix(resetLink, a.URL+"/api/auth/reset-password/")

		// Without revokeOtherSessions: token null, every session lives on.
		var out tokenUser
		c1.Post("/api/auth/change-password", map[string]any{"currentPassword": password, "newPassword": "second password"}).
			RequireStatus(t, http.StatusOK).JSON(t, &out)
		a.Client().Post("/api/auth/reset-password", map[string]any{"token": resetToken, "newPassword": "the attacker's pick"}).
			RequireProblem(t, http.StatusBadRequest, "INVALID_TOKEN")
		if out.Token != nil || out.User.Email != email {
			t.Errorf("change-password = %+v", out)
		}
		if getSession(t, c1) == nil || getSession(t, c2) == nil {
			t.Error("a session ended without revokeOtherSessions")
		}
		waitEmail(t, a, email, "password_changed")
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password}).
			RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
		signIn(t, a.Client(), email, "second password")

		// With it: the other client is signed out; this one gets a new
		// session (a new cookie), and its old token is dead.
		old := sessionCookie(t, a, c1)
		r := c1.Post("/api/auth/change-password", map[string]any{
			"currentPassword": "second password", "newPassword": "third password", "revokeOtherSessions": true,
		}).RequireStatus(t, http.StatusOK)
		r.JSON(t, &out)
		if out.Token == nil || !strings.HasPrefix(*out.Token, "ses_") {
			t.Errorf("change-password token = %v, want a handle", out.Token)
		}
		if getSession(t, c2) != nil {
			t.Error("revokeOtherSessions left the other client signed in")
		}
		s := getSession(t, c1)
		if s == nil || s.Session.ID != *out.Token {
			t.Errorf("caller's session after revoke = %+v, want %v", s, *out.Token)
		}
		if k := sessionCookie(t, a, c1); k == old || k == "" {
			t.Error("the caller's cookie was not replaced")
		}
		o := a.Client()
		setSessionCookie(a, o, old)
		if getSession(t, o) != nil {
			t.Error("the caller's old token still works")
		}
		waitEmails(t, a, email, "password_changed", 2)
	})
}

func TestUpdateUser(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		c := a.Client()
		signUp(t, c, newEmail("up"), "Before")
		c2 := a.Client()
		signUp(t, c2, newEmail("up2"), "Other")
		c2.Post("/api/auth/update-user", map[string]any{"username": "taken"}).RequireStatus(t, http.StatusOK)

		r := c.Post("/api/auth/update-user", map[string]any{
			"name": "After", "image": "https://img.example.com/a.png", "username": "after", "locale": "es",
		}).RequireStatus(t, http.StatusOK)
		if strings.TrimSpace(string(r.Body)) != `{"status":true}` {
			t.Errorf("update-user = %s", r.Body)
		}
		u := getSession(t, c).User
		if u.Name != "After" || deref(u.Image) != "https://img.example.com/a.png" || deref(u.Username) != "after" || deref(u.Locale) != "es" {
			t.Errorf("after update = %+v", u)
		}
		// null clears the optional fields.
		c.Post("/api/auth/update-user", map[string]any{"image": nil, "username": nil, "locale": nil}).RequireStatus(t, http.StatusOK)
		u = getSession(t, c).User
		if u.Image != nil || u.Username != nil || u.Locale != nil || u.Name != "After" {
			t.Errorf("after clearing = %+v", u)
		}

		c.Post("/api/auth/update-user", map[string]any{"email": "new@example.com"}).RequireProblem(t, 400, "EMAIL_CAN_NOT_BE_UPDATED")
		c.Post("/api/auth/update-user", map[string]any{"active": false}).RequireProblem(t, 400, "FIELD_NOT_ALLOWED")
		c.Post("/api/auth/update-user", map[string]any{}).RequireProblem(t, 400, "NO_FIELDS_TO_UPDATE")
		c.Post("/api/auth/update-user", map[string]any{"username": "taken"}).RequireProblem(t, http.StatusConflict, "USERNAME_IS_ALREADY_TAKEN")
		p := c.Post("/api/auth/update-user", map[string]any{"username": "A!", "locale": "not a locale", "image": "javascript:alert(1)", "name": strings.Repeat("n", 101)}).
			RequireProblem(t, 400, "VALIDATION_ERROR")
		for _, f := range []string{"name", "username", "locale", "image"} {
			if !hasField(p, f) {
				t.Errorf("no field error at %s: %+v", f, p.Errors)
			}
		}
		c.Post("/api/auth/update-user", map[string]any{"name": 7}).RequireProblem(t, 400, "VALIDATION_ERROR")
		if u := getSession(t, c).User; u.Name != "After" {
			t.Errorf("a refused update changed the user: %+v", u)
		}
	})
}

func TestDeleteUser(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("del")
		c, other := a.Client(), a.Client()
		signUp(t, c, email, "Gone")
		signIn(t, other, email, password)

		c.Post("/api/auth/delete-user", map[string]any{"password": "not my password"}).RequireProblem(t, 400, "INVALID_PASSWORD")
		c.Post("/api/auth/delete-user", map[string]any{"password": 7}).RequireProblem(t, 400, "VALIDATION_ERROR")
		c.Post("/api/auth/delete-user", map[string]any{"password": password, "callbackURL": "https://evil.example"}).
			RequireProblem(t, 403, "INVALID_CALLBACK_URL")
		if getSession(t, c) == nil {
			t.Fatal("a refused delete-user ended the session")
		}

		r := c.Post("/api/auth/delete-user", map[string]any{"password": password}).RequireStatus(t, http.StatusOK)
		if strings.TrimSpace(string(r.Body)) != `{"success":true,"message":"User deleted"}` {
			t.Errorf("delete-user = %s", r.Body)
		}
		requireCleared(t, r)
		if getSession(t, c) != nil || getSession(t, other) != nil {
			t.Error("a session outlived its user")
		}
		a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password}).
			RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
		// The address is free again.
		signUp(t, a.Client(), email, "Back")
	})
}

func hasField(p testkit.Problem, location string) bool {
	_, ok := p.Field(location)
	return ok
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestOpenAPI_DocumentsTheRoutes(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		var doc struct {
			Paths map[string]map[string]struct {
				OperationID string   `json:"operationId"`
				Tags        []string `json:"tags"`
			} `json:"paths"`
		}
		a.Client().Get("/api/openapi.json").RequireStatus(t, http.StatusOK).JSON(t, &doc)
		for _, want := range []struct{ path, method, tag string }{
			{"/api/auth/sign-up/email", "post", "Auth"}, {"/api/auth/sign-in/email", "post", "Auth"},
			{"/api/auth/sign-out", "post", "Auth"}, {"/api/auth/get-session", "get", "Auth"},
			{"/api/auth/list-sessions", "get", "Auth"}, {"/api/auth/revoke-session", "post", "Auth"},
			{"/api/auth/revoke-sessions", "post", "Auth"}, {"/api/auth/revoke-other-sessions", "post", "Auth"},
			{"/api/auth/update-user", "post", "Auth"}, {"/api/auth/change-password", "post", "Auth"},
			{"/api/auth/delete-user", "post", "Auth"}, {"/api/auth/send-verification-email", "post", "Auth"},
			{"/api/auth/verify-email", "get", "Auth"}, {"/api/auth/request-password-reset", "post", "Auth"},
			{"/api/auth/forget-password", "post", "Auth"}, {"/api/auth/reset-password", "post", "Auth"},
			{"/api/auth/reset-password/{token}", "get", "Auth"}, {"/api/auth/reset-password/{token}", "post", "Auth"},
			{"/api/users", "get", "Users"}, {"/api/users", "post", "Users"}, {"/api/users/{id}", "get", "Users"},
			{"/api/users/{id}", "patch", "Users"}, {"/api/users/{id}", "delete", "Users"},
		} {
			op, ok := doc.Paths[want.path][want.method]
			if !ok || len(op.Tags) != 1 || op.Tags[0] != want.tag || op.OperationID == "" {
				t.Errorf("%s %s: %+v (present %v)", want.method, want.path, op, ok)
			}
		}
	})
}
