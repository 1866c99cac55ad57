package application_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

func TestRequestPasswordReset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		redirectTo string
		want       func(t *testing.T, link *url.URL, tok string)
	}{
		{"", func(t *testing.T, link *url.URL, tok string) {
			if link.String() != "https://app.example.com/api/auth/reset-password/"+tok {
				t.Errorf("link = %s", link)
			}
		}},
		{"https://web.example.com/reset?lang=pt#top", func(t *testing.T, link *url.URL, tok string) {
			q := link.Query()
			if link.Host != "web.example.com" || link.Path != "/reset" || q.Get("lang") != "pt" || q.Get("token") != tok || link.Fragment != "top" {
				t.Errorf("link = %s", link)
			}
		}},
		{"/reset", func(t *testing.T, link *url.URL, tok string) {
			if link.String() != "https://app.example.com/reset?token="+tok {
				t.Errorf("link = %s", link)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.redirectTo, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			u := b.seedUser(t, "ana@example.com", goodPassword, nil)
			if err := b.svc.RequestPasswordReset(context.Background(), "Ana@Example.com", tt.redirectTo, meta); err != nil {
				t.Fatal(err)
			}
			m := b.lastEmail(t, "reset")
			if m.User != u.ID() || m.To != "ana@example.com" {
				t.Errorf("email = %+v", m)
			}
			link, err := url.Parse(m.URL)
			if err != nil {
				t.Fatal(err)
			}
			tok := tokenOf(t, m.URL)
			if _, ok := kernel.ParseToken(tok); !ok {
				t.Fatalf("token %q", tok)
			}
			tt.want(t, link, tok)
		})
	}
}

func TestRequestPasswordResetDoesNotEnumerate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.seedUser(t, "off@example.com", goodPassword, nil)
	b.editUser(t, b.findUser(t, "off@example.com"), func(s *domain.UserSnapshot) { s.Active = false })
	check := b.unchanged(t)
	for _, email := range []string{"nobody@example.com", "off@example.com"} {
		if err := b.svc.RequestPasswordReset(ctx, email, "", meta); err != nil {
			t.Errorf("%s: %v", email, err)
		}
	}
	check()
}

func TestRequestPasswordResetRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t, withLimits(application.Limits{ResetPerEmail: application.Limit{Attempts: 1, Window: time.Hour}}))
	ctx := context.Background()
	b.seedUser(t, "ana@example.com", goodPassword, nil)
	e := wantCode(t, b.svc.RequestPasswordReset(ctx, "ana@example.com", "https://evil.com/reset", meta), kernel.KindInvalid, "INVALID_REDIRECT_URL")
	if got := fieldNames(e); !slices.Equal(got, []string{"redirectTo"}) || e.Detail != "Invalid redirectURL" {
		t.Errorf("err = %+v", e)
	}
	wantCode(t, b.svc.RequestPasswordReset(ctx, "not an email", "", meta), kernel.KindInvalid, "INVALID_EMAIL")
	if err := b.svc.RequestPasswordReset(ctx, "ana@example.com", "", meta); err != nil {
		t.Fatal(err)
	}
	wantCode(t, b.svc.RequestPasswordReset(ctx, " ANA@example.com", "", meta), kernel.KindRateLimited, "TOO_MANY_REQUESTS")
	if !slices.Contains(b.w.limitKeys, "reset:email:ana@example.com") || !slices.Contains(b.w.limitKeys, "reset:ip:203.0.113.7") {
		t.Errorf("keys = %v", b.w.limitKeys)
	}
	if len(b.emails()) != 1 {
		t.Errorf("emails = %+v", b.emails())
	}
}

func TestResetPassword(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, s1 := b.signUp(t, "ana@example.com")
	s2 := b.signIn(t, "ana@example.com", goodPassword)
	if err := b.svc.RequestPasswordReset(ctx, "ana@example.com", "", meta); err != nil {
		t.Fatal(err)
	}
	tok := tokenOf(t, b.lastEmail(t, "reset").URL)
	before := len(b.events())
	b.clock.Advance(30 * time.Minute)

	if err := b.svc.ResetPassword(ctx, tok, otherPassword); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*application.Issued{s1, s2} {
		if _, err := b.svc.Authenticate(ctx, s.Token.String()); err == nil {
			t.Error("a session survived the reset")
		}
	}
	// The link proved the mailbox: the email is verified too.
	if !b.user(t, u.ID).EmailVerified {
		t.Error("email not verified by the reset")
	}
	evs := b.events()[before:]
	if got := eventNames(evs); !slices.Equal(got, []string{"session.revoked", "user.password_reset", "user.email_verified"}) {
		t.Fatalf("events = %v", got)
	}
	if !equalRevoked(evs[0], application.SessionRevoked{UserID: u.ID, Reason: "password_reset",
		SessionIDs: []kernel.SessionID{s1.Session.ID, s2.Session.ID}}) {
		t.Errorf("revoked = %+v", evs[0])
	}
	if m := b.lastEmail(t, "password_changed"); m.User != u.ID {
		t.Errorf("email = %+v", m)
	}
	b.signIn(t, "ana@example.com", otherPassword)

	// Single use.
	check := b.unchanged(t)
	hashes := b.hasher.hash.Load()
	wantCode(t, b.svc.ResetPassword(ctx, tok, "yet another password"), kernel.KindInvalid, "INVALID_TOKEN")
	check()
	if b.hasher.hash.Load() != hashes {
		t.Error("a spent token cost a hash")
	}
}

func TestResetPasswordRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(t *testing.T, b *bundle, tok string) string
		pw      string
		code    string
	}{
		{"expired", func(t *testing.T, b *bundle, tok string) string {
			b.clock.Advance(time.Hour)
			return tok
		}, otherPassword, "INVALID_TOKEN"},
		{"malformed", func(*testing.T, *bundle, string) string { return "abc" }, otherPassword, "INVALID_TOKEN"},
		{"superseded by a newer link", func(t *testing.T, b *bundle, tok string) string {
			if err := b.svc.RequestPasswordReset(context.Background(), "ana@example.com", "", application.Meta{}); err != nil {
				t.Fatal(err)
			}
			return tok
		}, otherPassword, "INVALID_TOKEN"},
		{"a verification token", func(t *testing.T, b *bundle, _ string) string {
			return tokenOf(t, b.lastEmail(t, "verify").URL)
		}, otherPassword, "INVALID_TOKEN"},
		{"sent to a former address", func(t *testing.T, b *bundle, tok string) string {
			b.editUser(t, b.findUser(t, "ana@example.com"), func(s *domain.UserSnapshot) { s.Email = "new@example.com" })
			return tok
		}, otherPassword, "INVALID_TOKEN"},
		{"too short", func(_ *testing.T, _ *bundle, tok string) string { return tok }, "short", "PASSWORD_TOO_SHORT"},
		{"too long", func(_ *testing.T, _ *bundle, tok string) string { return tok }, strings.Repeat("x", 129), "PASSWORD_TOO_LONG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ctx := context.Background()
			b.signUp(t, "ana@example.com")
			if err := b.svc.RequestPasswordReset(ctx, "ana@example.com", "", application.Meta{}); err != nil {
				t.Fatal(err)
			}
			tok := tt.prepare(t, b, tokenOf(t, b.lastEmail(t, "reset").URL))
			check := b.unchanged(t)
			hashes := b.hasher.hash.Load()
			wantCode(t, b.svc.ResetPassword(ctx, tok, tt.pw), kernel.KindInvalid, tt.code)
			check()
			if b.hasher.hash.Load() != hashes {
				t.Error("a refused reset cost a hash")
			}
		})
	}
}

func TestResetPasswordConcurrentUsesOneWins(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.seedUser(t, "ana@example.com", goodPassword, nil)
	if err := b.svc.RequestPasswordReset(ctx, "ana@example.com", "", meta); err != nil {
		t.Fatal(err)
	}
	tok := tokenOf(t, b.lastEmail(t, "reset").URL)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = b.svc.ResetPassword(ctx, tok, otherPassword) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if kernel.CodeOf(err) != "INVALID_TOKEN" {
			t.Errorf("err = %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d resets succeeded", ok)
	}
	resets := 0
	for _, name := range eventNames(b.events()) {
		if name == "user.password_reset" {
			resets++
		}
	}
	if resets != 1 {
		t.Errorf("%d password_reset events", resets)
	}
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, s1 := b.signUp(t, "ana@example.com")
	s2 := b.signIn(t, "ana@example.com", goodPassword)

	check := b.unchanged(t)
	e := wantCode(t, b.svc.DeleteUser(ctx, u.ID, "wrong password!", t0), kernel.KindInvalid, "INVALID_PASSWORD")
	if e.Detail != "Invalid password" {
		t.Errorf("detail = %q", e.Detail)
	}
	check()

	before := len(b.events())
	if err := b.svc.DeleteUser(ctx, u.ID, goodPassword, t0); err != nil {
		t.Fatal(err)
	}
	b.w.mu.Lock()
	_, exists := b.w.users[u.ID]
	tokens := len(b.w.tokens)
	b.w.mu.Unlock()
	if exists || tokens != 0 || b.sessionCount() != 0 {
		t.Errorf("left behind: user %v, tokens %d, sessions %d", exists, tokens, b.sessionCount())
	}
	if _, err := b.svc.Authenticate(ctx, s1.Token.String()); err == nil {
		t.Error("session of a deleted user authenticates")
	}
	evs := b.events()[before:]
	if got := eventNames(evs); !slices.Equal(got, []string{"session.revoked", "user.deleted"}) {
		t.Fatalf("events = %v", got)
	}
	if !equalRevoked(evs[0], application.SessionRevoked{UserID: u.ID, Reason: "deleted",
		SessionIDs: []kernel.SessionID{s1.Session.ID, s2.Session.ID}}) || evs[1] != (application.UserDeleted{UserID: u.ID}) {
		t.Errorf("events = %+v", evs)
	}
	// The email is free again.
	b.signUp(t, "ana@example.com")
}

func TestDeleteUserWithoutPassword(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.seedUser(t, "ana@example.com", "", nil)
	wantCode(t, b.svc.DeleteUser(context.Background(), u.ID(), "anything at all", t0), kernel.KindInvalid, "CREDENTIAL_ACCOUNT_NOT_FOUND")
}
