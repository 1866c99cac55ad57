package notifications_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications"
	"github.com/groundworkhq/groundwork/testkit"
)

// endsWithin is how soon a stream must end once its session does: far
// under the periodic re-check (30 s), so only the news of the ended
// session can close it in time.
const endsWithin = 10 * time.Second

// cookieHeader is the Cookie header c sends to a.
func cookieHeader(t *testing.T, a *testkit.App, c *testkit.Client) string {
	t.Helper()
	u, _ := url.Parse(a.URL)
	var parts []string
	for _, ck := range c.Jar().Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	if len(parts) == 0 {
		t.Fatal("the client has no cookies")
	}
	return strings.Join(parts, "; ")
}

// requireEndWithin waits at most d for the server to end s, with no
// event on the way.
func (s *sseStream) requireEndWithin(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				return
			}
			if f.ID != "" {
				t.Fatalf("got event %+v, want the stream to end", f)
			}
		case <-deadline:
			t.Fatalf("the stream is still open after %s", d)
		}
	}
}

// TestStream_EndsWithItsSession, through the real session middleware: a
// stream ends as soon as its session is revoked or signed out — on the
// process that ended it and on another sharing the database — while the
// user's other sessions' streams go on.
func TestStream_EndsWithItsSession(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		b := testkit.Beside(t, a)
		acc := a.SignUp(t, testkit.NewEmail("streamer"), "Stella", false)
		other := a.Client()
		other.Post("/api/auth/sign-in/email", map[string]any{"email": acc.Email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)

		first := cookieHeader(t, a, acc.Client)
		onA := openStream(t, a.URL, kernel.UserID{}, "Cookie", first)
		onB := openStream(t, b.URL, kernel.UserID{}, "Cookie", first)
		kept := openStream(t, a.URL, kernel.UserID{}, "Cookie", cookieHeader(t, a, other))

		// The other session revokes this one: both of its streams end.
		other.Post("/api/auth/revoke-other-sessions", map[string]any{}).RequireStatus(t, http.StatusOK)
		onA.requireEndWithin(t, endsWithin)
		onB.requireEndWithin(t, endsWithin)
		// The surviving session's stream still delivers.
		n := notify(t, m, acc.ID, "still here")
		if ev := kept.next(t); ev.ID != n.ID.String() {
			t.Fatalf("the kept stream got %+v, want %s", ev, n.ID)
		}
		// Signing out ends it too.
		other.Post("/api/auth/sign-out", map[string]any{}).RequireStatus(t, http.StatusOK)
		kept.requireEndWithin(t, endsWithin)
	})
}
