package iam_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/testkit"
)

// waitFor bounds every wait for background work (emails are jobs).
const waitFor = 30 * time.Second

const password = "correct horse battery"

var emailSeq atomic.Int64

// newEmail returns an address no other test uses.
func newEmail(prefix string) string {
	return fmt.Sprintf("%s%d@example.com", prefix, emailSeq.Add(1))
}

// userJSON is the user object of /api/auth.
type userJSON struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"emailVerified"`
	Name          string    `json:"name"`
	Image         *string   `json:"image"`
	CreatedAt     time.Time `json:"createdAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	Username      *string   `json:"username"`
	Locale        *string   `json:"locale"`
	Active        bool      `json:"active"`
}

// sessionJSON is the session object of /api/auth.
type sessionJSON struct {
	ID        string    `json:"id"`
	UserID    string    `json:"userId"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	IPAddress *string   `json:"ipAddress"`
	UserAgent *string   `json:"userAgent"`
}

type tokenUser struct {
	Token *string  `json:"token"`
	User  userJSON `json:"user"`
}

type sessionUser struct {
	Session sessionJSON `json:"session"`
	User    userJSON    `json:"user"`
}

// signUp creates an account through the API on client c (which is then
// signed in, unless verification is required) and returns the answer.
func signUp(t *testing.T, c *testkit.Client, email, name string) tokenUser {
	t.Helper()
	var out tokenUser
	c.Post("/api/auth/sign-up/email", map[string]any{"email": email, "password": password, "name": name}).
		RequireStatus(t, http.StatusOK).JSON(t, &out)
	return out
}

// signIn signs c in and returns the answer.
func signIn(t *testing.T, c *testkit.Client, email, pw string) tokenUser {
	t.Helper()
	var out tokenUser
	c.Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": pw}).
		RequireStatus(t, http.StatusOK).JSON(t, &out)
	return out
}

// getSession returns the session c is signed in with, or nil.
func getSession(t *testing.T, c *testkit.Client) *sessionUser {
	t.Helper()
	r := c.Get("/api/auth/get-session").RequireStatus(t, http.StatusOK)
	var out *sessionUser
	r.JSON(t, &out)
	return out
}

// sessionCookie returns the session cookie c's jar holds for the app.
func sessionCookie(t *testing.T, a *testkit.App, c *testkit.Client) string {
	t.Helper()
	u, _ := url.Parse(a.URL)
	for _, ck := range c.Jar().Cookies(u) {
		if ck.Name == iam.SessionCookieName {
			return ck.Value
		}
	}
	return ""
}

// setSessionCookie puts value in c's jar as the session cookie.
func setSessionCookie(a *testkit.App, c *testkit.Client, value string) {
	u, _ := url.Parse(a.URL)
	c.Jar().SetCookies(u, []*http.Cookie{{Name: iam.SessionCookieName, Value: value, Path: "/"}})
}

// responseCookie returns the Set-Cookie of r for the session cookie.
func responseCookie(r *testkit.Response) (*http.Cookie, bool) {
	for _, ck := range r.Cookies() {
		if ck.Name == iam.SessionCookieName {
			return ck, true
		}
	}
	return nil, false
}

// requireCleared fails unless r clears the session cookie.
func requireCleared(t *testing.T, r *testkit.Response) {
	t.Helper()
	ck, ok := responseCookie(r)
	if !ok || ck.Value != "" || ck.MaxAge >= 0 {
		t.Fatalf("%s %s: session cookie not cleared: %v (Set-Cookie %q)", r.Request.Method, r.Request.URL.Path, ck, r.Header.Values("Set-Cookie"))
	}
}

// message is an email read back from the file mailbox.
type message = testkit.Email

// readMailbox returns the emails the file provider wrote, oldest first.
func readMailbox(t *testing.T, a *testkit.App) []message { return a.Mailbox(t) }

// waitEmails waits for n emails of template to the address.
func waitEmails(t *testing.T, a *testkit.App, to, template string, n int) []message {
	t.Helper()
	return a.WaitEmails(t, to, template, n)
}

// waitEmail waits for the first email of template to the address.
func waitEmail(t *testing.T, a *testkit.App, to, template string) message {
	t.Helper()
	return a.WaitEmail(t, to, template)
}

// pathOf returns the path and query of an absolute link on the app.
func pathOf(t *testing.T, a *testkit.App, link string) string {
	t.Helper()
	if !strings.HasPrefix(link, a.URL) {
		t.Fatalf("link %q is not on the server %s", link, a.URL)
	}
	return strings.TrimPrefix(link, a.URL)
}
