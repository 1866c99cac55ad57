package application_test

import (
	"context"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

func TestVerifyEmail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, _ := b.signUp(t, "ana@example.com")
	tok := tokenOf(t, b.lastEmail(t, "verify").URL)
	b.clock.Advance(time.Hour)
	before := len(b.events())

	v, err := b.svc.VerifyEmail(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if !v.EmailVerified || v.ID != u.ID || !b.user(t, u.ID).EmailVerified {
		t.Errorf("view = %+v", v)
	}
	if evs := b.events()[before:]; len(evs) != 1 || evs[0] != (application.UserEmailVerified{UserID: u.ID}) {
		t.Errorf("events = %+v", evs)
	}
	// Single use.
	check := b.unchanged(t)
	_, err = b.svc.VerifyEmail(ctx, tok)
	e := wantCode(t, err, kernel.KindInvalid, "INVALID_TOKEN")
	if e.Detail != "Invalid token" {
		t.Errorf("detail = %q", e.Detail)
	}
	check()
}

func TestVerifyEmailRefusals(t *testing.T) {
	t.Parallel()
	unknown, _ := kernel.NewToken()
	tests := []struct {
		name  string
		token func(t *testing.T, b *bundle) string
	}{
		{"malformed", func(*testing.T, *bundle) string { return "not-a-token" }},
		{"unknown", func(*testing.T, *bundle) string { return unknown.String() }},
		{"expired", func(t *testing.T, b *bundle) string {
			b.clock.Advance(24 * time.Hour)
			return tokenOf(t, b.lastEmail(t, "verify").URL)
		}},
		{"a reset token", func(t *testing.T, b *bundle) string {
			if err := b.svc.RequestPasswordReset(context.Background(), "ana@example.com", "", meta); err != nil {
				t.Fatal(err)
			}
			return tokenOf(t, b.lastEmail(t, "reset").URL)
		}},
		{"sent to a former address", func(t *testing.T, b *bundle) string {
			id := b.findUser(t, "ana@example.com")
			b.editUser(t, id, func(s *domain.UserSnapshot) { s.Email = "ana.new@example.com" })
			return tokenOf(t, b.lastEmail(t, "verify").URL)
		}},
		{"lost a race to another use", func(t *testing.T, b *bundle) string {
			b.w.beforeMarkUsed = func() {
				b.w.mu.Lock()
				defer b.w.mu.Unlock()
				for id, tk := range b.w.tokens {
					now := b.clock.Now()
					tk.UsedAt = &now
					b.w.tokens[id] = tk
				}
			}
			return tokenOf(t, b.lastEmail(t, "verify").URL)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.signUp(t, "ana@example.com")
			tok := tt.token(t, b)
			check := b.unchanged(t)
			_, err := b.svc.VerifyEmail(context.Background(), tok)
			wantCode(t, err, kernel.KindInvalid, "INVALID_TOKEN")
			check()
			if id := b.findUserOr(t, "ana@example.com", "ana.new@example.com"); b.user(t, id).EmailVerified {
				t.Error("email verified")
			}
		})
	}
}

func TestVerifyEmailTwiceWithTwoLinks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.signUp(t, "ana@example.com")
	first := tokenOf(t, b.lastEmail(t, "verify").URL)
	if err := b.svc.SendVerificationEmail(ctx, "ana@example.com", "", meta); err != nil {
		t.Fatal(err)
	}
	second := tokenOf(t, b.lastEmail(t, "verify").URL)
	if first == second {
		t.Fatal("same token twice")
	}
	// The older link still works; the newer then changes nothing.
	if _, err := b.svc.VerifyEmail(ctx, first); err != nil {
		t.Fatal(err)
	}
	n := len(b.events())
	if v, err := b.svc.VerifyEmail(ctx, second); err != nil || !v.EmailVerified || len(b.events()) != n {
		t.Errorf("second link: %+v, %v, events %v", v, err, eventNames(b.events()[n:]))
	}
}

func TestSendVerificationEmail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, _ := b.signUp(t, "ana@example.com")
	n := len(b.emails())
	if err := b.svc.SendVerificationEmail(ctx, "ANA@example.com", "https://web.example.com/done", meta); err != nil {
		t.Fatal(err)
	}
	m := b.lastEmail(t, "verify")
	link, _ := url.Parse(m.URL)
	if len(b.emails()) != n+1 || m.User != u.ID || link.Query().Get("callbackURL") != "https://web.example.com/done" {
		t.Errorf("email = %+v", m)
	}

	// Unknown, verified or deactivated: the same nil answer, and no email.
	b.seedUser(t, "verified@example.com", goodPassword, nil)
	b.editUser(t, b.findUser(t, "verified@example.com"), func(s *domain.UserSnapshot) { s.EmailVerified = true })
	b.seedUser(t, "off@example.com", goodPassword, nil)
	b.editUser(t, b.findUser(t, "off@example.com"), func(s *domain.UserSnapshot) { s.Active = false })
	check := b.unchanged(t)
	for _, email := range []string{"nobody@example.com", "verified@example.com", "off@example.com"} {
		if err := b.svc.SendVerificationEmail(ctx, email, "", meta); err != nil {
			t.Errorf("%s: %v", email, err)
		}
	}
	check()

	wantCode(t, b.svc.SendVerificationEmail(ctx, "nope", "", meta), kernel.KindInvalid, "INVALID_EMAIL")
	e := wantCode(t, b.svc.SendVerificationEmail(ctx, "ana@example.com", "https://evil.com", meta), kernel.KindInvalid, "INVALID_CALLBACK_URL")
	if got := fieldNames(e); !slices.Equal(got, []string{"callbackURL"}) {
		t.Errorf("fields = %v", got)
	}
}

func TestSendVerificationEmailRateLimits(t *testing.T) {
	t.Parallel()
	b := setup(t, withLimits(application.Limits{
		VerificationPerIP:  application.Limit{Attempts: 4, Window: time.Hour},
		VerificationPerEml: application.Limit{Attempts: 2, Window: time.Hour},
	}))
	ctx := context.Background()
	send := func(email string) error { return b.svc.SendVerificationEmail(ctx, email, "", meta) }
	// The per-email limit is keyed by the normalized address, and counts
	// for addresses without an account too.
	for _, email := range []string{"ghost@example.com", "GHOST@example.com "} {
		if err := send(email); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, send("ghost@example.com"), kernel.KindRateLimited, "TOO_MANY_REQUESTS")
	if err := send("other@example.com"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, send("third@example.com"), kernel.KindRateLimited, "TOO_MANY_REQUESTS") // 5th from the IP
	if !slices.Contains(b.w.limitKeys, "verify:email:ghost@example.com") || !slices.Contains(b.w.limitKeys, "verify:ip:203.0.113.7") {
		t.Errorf("keys = %v", b.w.limitKeys)
	}
}

// findUserOr returns the ID of the user with one of the emails.
func (b *bundle) findUserOr(t *testing.T, emails ...string) kernel.UserID {
	t.Helper()
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	for id, s := range b.w.users {
		if slices.Contains(emails, s.Email) {
			return id
		}
	}
	t.Fatalf("none of %v", emails)
	return kernel.UserID{}
}
