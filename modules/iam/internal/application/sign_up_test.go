package application_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

func TestSignUp(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, iss, err := b.svc.SignUp(ctx, application.SignUpInput{
		Email: " Ana@Example.COM ", Password: goodPassword, Name: "Ana Silva", Username: "Ana_S",
		Locale: "pt-br", CallbackURL: "/welcome?x=1", Meta: meta,
	})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "ana@example.com" || u.Name != "Ana Silva" || u.Username != "ana_s" || u.Locale != "pt-BR" ||
		u.EmailVerified || !u.Active || u.LastLoginAt == nil || !u.CreatedAt.Equal(t0) {
		t.Errorf("user = %+v", u)
	}
	if iss == nil || iss.Token.IsZero() || iss.User.ID != u.ID || iss.Session.UserID != u.ID ||
		iss.Session.IPAddress != meta.IP || iss.Session.UserAgent != meta.UserAgent ||
		!iss.Session.ExpiresAt.Equal(t0.Add(domain.SessionTTL)) {
		t.Fatalf("issued = %+v", iss)
	}
	// The session works, and the stored password is an argon2id hash of it.
	if a, err := b.svc.Authenticate(ctx, iss.Token.String()); err != nil || a.User.ID != u.ID {
		t.Errorf("Authenticate = %+v, %v", a, err)
	}
	stored := b.user(t, u.ID)
	if ok, _, err := b.hasher.h.Verify(ctx, goodPassword, stored.PasswordHash); !ok || err != nil {
		t.Errorf("stored hash does not verify: %v", err)
	}
	if got := eventNames(b.events()); !slices.Equal(got, []string{"user.created", "user.signed_in"}) {
		t.Errorf("events = %v", got)
	}
	created := b.events()[0].(application.UserCreated)
	if created.UserID != u.ID || created.Email != "ana@example.com" || created.Locale != "pt-BR" || !created.ByAdmin.IsZero() {
		t.Errorf("UserCreated = %+v", created)
	}
	mail := b.lastEmail(t, "verify")
	link, _ := url.Parse(mail.URL)
	if mail.To != "ana@example.com" || link.Scheme != "https" || link.Host != "app.example.com" ||
		link.Path != "/api/auth/verify-email" || link.Query().Get("callbackURL") != "/welcome?x=1" ||
		!strings.HasPrefix(link.RawQuery, "token=") {
		t.Errorf("verification email = %+v", mail)
	}
	if _, ok := kernel.ParseToken(tokenOf(t, mail.URL)); !ok {
		t.Errorf("link token %q is not a token", tokenOf(t, mail.URL))
	}
}

func TestSignUpWithoutCallbackURL(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.signUp(t, "ana@example.com")
	link := b.lastEmail(t, "verify").URL
	// The link always lands on a page: the first trusted front-end origin.
	if !strings.HasSuffix(link, "&callbackURL="+url.QueryEscape("https://web.example.com/")) ||
		!strings.HasPrefix(link, "https://app.example.com/api/auth/verify-email?token=") {
		t.Errorf("link = %s", link)
	}
}

func TestSignUpRequiringVerificationCreatesNoSession(t *testing.T) {
	t.Parallel()
	b := setup(t, requireVerification)
	u, iss := b.signUp(t, "ana@example.com")
	if iss != nil || b.sessionCount() != 0 || u.LastLoginAt != nil {
		t.Errorf("issued = %+v, sessions = %d, user = %+v", iss, b.sessionCount(), u)
	}
	if got := eventNames(b.events()); !slices.Equal(got, []string{"user.created"}) {
		t.Errorf("events = %v", got)
	}
	b.lastEmail(t, "verify")
}

func TestSignUpRefusals(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("p", domain.MaxPasswordLength+1)
	tests := []struct {
		name       string
		in         application.SignUpInput
		kind       kernel.ErrorKind
		code       string
		wantFields []string
	}{
		{"short password", application.SignUpInput{Email: "new@example.com", Password: "short"},
			kernel.KindInvalid, "PASSWORD_TOO_SHORT", []string{"password"}},
		{"long password", application.SignUpInput{Email: "new@example.com", Password: long},
			kernel.KindInvalid, "PASSWORD_TOO_LONG", []string{"password"}},
		{"bad email", application.SignUpInput{Email: "not-an-email", Password: goodPassword},
			kernel.KindInvalid, "iam.invalid_user", []string{"email"}},
		{"every field bad", application.SignUpInput{Email: "x@", Password: "short", Username: "a!", Locale: "english",
			Image: "ftp://x", CallbackURL: "https://evil.com/"},
			kernel.KindInvalid, "iam.invalid_user", []string{"email", "username", "locale", "image", "password", "callbackURL"}},
		{"untrusted callback", application.SignUpInput{Email: "new@example.com", Password: goodPassword, CallbackURL: "https://evil.com/"},
			kernel.KindInvalid, "INVALID_CALLBACK_URL", []string{"callbackURL"}},
		{"protocol-relative callback", application.SignUpInput{Email: "new@example.com", Password: goodPassword, CallbackURL: "//evil.com"},
			kernel.KindInvalid, "INVALID_CALLBACK_URL", []string{"callbackURL"}},
		{"taken email, other case", application.SignUpInput{Email: "ANA@example.com", Password: goodPassword},
			kernel.KindConflict, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.seedUser(t, "ana@example.com", goodPassword, nil)
			check := b.unchanged(t)
			tt.in.Meta = meta
			_, _, err := b.svc.SignUp(context.Background(), tt.in)
			e := wantCode(t, err, tt.kind, tt.code)
			if got := fieldNames(e); !slices.Equal(got, tt.wantFields) {
				t.Errorf("fields = %v, want %v", got, tt.wantFields)
			}
			check()
			if n := b.hasher.hash.Load(); n != 0 {
				t.Errorf("%d hashes computed for a refused sign-up", n)
			}
		})
	}
}

func TestSignUpPasswordErrorsUseBetterAuthMessages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, _, err := b.svc.SignUp(context.Background(), application.SignUpInput{Email: "a@example.com", Password: "1234567"})
	if e := kernel.AsError(err); e == nil || e.Detail != "Password too short" {
		t.Errorf("err = %v", err)
	}
}

func TestSignUpRollsBackWhenTheEmailCannotBeQueued(t *testing.T) {
	t.Parallel()
	b := setup(t)
	check := b.unchanged(t)
	b.w.failEmails = errQueueDown
	_, _, err := b.svc.SignUp(context.Background(), application.SignUpInput{Email: "a@example.com", Password: goodPassword})
	if err == nil || !strings.Contains(err.Error(), "queue down") {
		t.Fatalf("err = %v", err)
	}
	check()
}

func TestSignUpRateLimitedPerIP(t *testing.T) {
	t.Parallel()
	b := setup(t, withLimits(application.Limits{SignUpPerIP: application.Limit{Attempts: 2, Window: time.Hour}}))
	ctx := context.Background()
	signUp := func(email string, m application.Meta) error {
		_, _, err := b.svc.SignUp(ctx, application.SignUpInput{Email: email, Password: goodPassword, Meta: m})
		return err
	}
	for i, email := range []string{"a@example.com", "b@example.com"} {
		if err := signUp(email, meta); err != nil {
			t.Fatalf("sign-up %d: %v", i, err)
		}
	}
	b.clock.Advance(10 * time.Minute)
	e := wantCode(t, signUp("c@example.com", meta), kernel.KindRateLimited, "TOO_MANY_REQUESTS")
	if e.RetryAfterSeconds != 50*60 || e.Detail != "Too many requests. Please try again later." {
		t.Errorf("err = %+v", e)
	}
	// Another address is not limited, nor a request whose IP is unknown.
	if err := signUp("d@example.com", application.Meta{IP: "198.51.100.1"}); err != nil {
		t.Errorf("other IP: %v", err)
	}
	for _, email := range []string{"e@example.com", "f@example.com", "g@example.com"} {
		if err := signUp(email, application.Meta{}); err != nil {
			t.Errorf("no IP: %v", err)
		}
	}
	b.clock.Advance(50 * time.Minute)
	if err := signUp("c@example.com", meta); err != nil {
		t.Errorf("after the window: %v", err)
	}
	if !slices.Contains(b.w.limitKeys, "signup:ip:203.0.113.7") {
		t.Errorf("keys = %v", b.w.limitKeys)
	}
}
