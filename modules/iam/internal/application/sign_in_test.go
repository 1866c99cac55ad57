package application_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application/password"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	seeded := b.seedUser(t, "ana@example.com", goodPassword, nil)
	b.clock.Advance(time.Hour)

	first := b.signIn(t, "  ANA@Example.com ", goodPassword)
	second := b.signIn(t, "ana@example.com", goodPassword)
	if first.User.ID != seeded.ID() || first.Session.ID == second.Session.ID || first.Token == second.Token {
		t.Errorf("sessions not distinct: %+v %+v", first.Session, second.Session)
	}
	if first.User.LastLoginAt == nil || !first.User.LastLoginAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("last login = %v", first.User.LastLoginAt)
	}
	if got := b.user(t, seeded.ID()); got.LastLoginAt == nil || !got.UpdatedAt.Equal(t0) {
		t.Errorf("stored user = %+v (a sign-in must not touch UpdatedAt)", got)
	}
	for _, iss := range []*application.Issued{first, second} {
		a, err := b.svc.Authenticate(ctx, iss.Token.String())
		if err != nil || a.Session.ID != iss.Session.ID {
			t.Errorf("Authenticate = %+v, %v", a, err)
		}
	}
	evs := b.events()
	if got := eventNames(evs); !slices.Equal(got, []string{"user.signed_in", "user.signed_in"}) {
		t.Fatalf("events = %v", got)
	}
	if e := evs[0].(application.UserSignedIn); e.UserID != seeded.ID() || e.SessionID != first.Session.ID ||
		e.IP != meta.IP || e.UserAgent != meta.UserAgent {
		t.Errorf("event = %+v", e)
	}
	if c := b.hasher.counts(); c != [3]int32{0, 2, 0} {
		t.Errorf("hasher calls (hash, verify, dummy) = %v", c)
	}
}

// TestSignInDoesNotEnumerate checks that an unknown email, a wrong
// password, an account without a password and a deactivated account give
// the same answer after the same work: one argon2id computation.
func TestSignInDoesNotEnumerate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		email, pw  string
		prepare    func(t *testing.T, b *bundle)
		wantCounts [3]int32 // hash, verify, dummy
	}{
		{"unknown email", "nobody@example.com", goodPassword, nil, [3]int32{0, 0, 1}},
		{"wrong password", "ana@example.com", "wrong password!", nil, [3]int32{0, 1, 0}},
		{"no password set", "nopw@example.com", goodPassword, func(t *testing.T, b *bundle) {
			b.seedUser(t, "nopw@example.com", "", nil)
		}, [3]int32{0, 0, 1}},
		{"deactivated, wrong password", "ana@example.com", "wrong password!", func(t *testing.T, b *bundle) {
			u := b.findUser(t, "ana@example.com")
			b.editUser(t, u, func(s *domain.UserSnapshot) { s.Active = false })
		}, [3]int32{0, 1, 0}},
	}
	var first *kernel.Error
	for _, tc := range cases {
		b := setup(t)
		b.seedUser(t, "ana@example.com", goodPassword, nil)
		if tc.prepare != nil {
			tc.prepare(t, b)
		}
		check := b.unchanged(t)
		_, err := b.svc.SignIn(context.Background(), application.SignInInput{Email: tc.email, Password: tc.pw, Meta: meta})
		e := wantCode(t, err, kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
		if e.Detail != "Invalid email or password" {
			t.Errorf("%s: detail = %q", tc.name, e.Detail)
		}
		if first == nil {
			first = e
		} else if e.Error() != first.Error() || len(e.Fields) != 0 {
			t.Errorf("%s: %q differs from %q", tc.name, e.Error(), first.Error())
		}
		if c := b.hasher.counts(); c != tc.wantCounts {
			t.Errorf("%s: hasher calls = %v, want %v", tc.name, c, tc.wantCounts)
		}
		check()
	}
}

// TestSignInRefusesABannedUser: a deactivated user who gives the right
// password is told so (403 BANNED_USER, Better Auth's admin plugin's
// answer), after the same work as a wrong password, and gets no session;
// once a deactivation's end has passed they sign in again.
func TestSignInRefusesABannedUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.seedUser(t, "ana@example.com", goodPassword, nil)
	end := b.clock.Now().Add(time.Hour)
	b.editUser(t, u.ID(), func(s *domain.UserSnapshot) { s.Active, s.DeactivationReason, s.DeactivatedUntil = false, "spam", &end })
	_, err := b.svc.SignIn(context.Background(), application.SignInInput{Email: "ana@example.com", Password: goodPassword, Meta: meta})
	wantCode(t, err, kernel.KindForbidden, "BANNED_USER")
	if c := b.hasher.counts(); c != [3]int32{0, 1, 0} || b.sessionCount() != 0 {
		t.Errorf("hasher calls %v, sessions %d", c, b.sessionCount())
	}
	b.clock.Advance(time.Hour)
	if _, err := b.svc.SignIn(context.Background(), application.SignInInput{Email: "ana@example.com", Password: goodPassword, Meta: meta}); err != nil {
		t.Errorf("after the end: %v", err)
	}
}

func TestSignInRequiringVerification(t *testing.T) {
	t.Parallel()
	b := setup(t, requireVerification)
	ctx := context.Background()
	u, _ := b.signUp(t, "ana@example.com")
	mails := len(b.emails())

	_, err := b.svc.SignIn(ctx, application.SignInInput{Email: "ana@example.com", Password: "wrong password!"})
	wantCode(t, err, kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
	_, err = b.svc.SignIn(ctx, application.SignInInput{Email: "ana@example.com", Password: goodPassword})
	e := wantCode(t, err, kernel.KindForbidden, "EMAIL_NOT_VERIFIED")
	if e.Detail != "Email not verified" {
		t.Errorf("detail = %q", e.Detail)
	}
	if len(b.emails()) != mails || b.sessionCount() != 0 {
		t.Errorf("emails %d → %d, sessions %d", mails, len(b.emails()), b.sessionCount())
	}
	b.editUser(t, u.ID, func(s *domain.UserSnapshot) { s.EmailVerified = true })
	b.signIn(t, "ana@example.com", goodPassword)
}

func TestSignInMalformedEmail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.SignIn(context.Background(), application.SignInInput{Email: "nope", Password: goodPassword})
	wantCode(t, err, kernel.KindInvalid, "INVALID_EMAIL")
}

func TestSignInRehashesOnNewParameters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	old := cheap
	old.Iterations = 2
	u := b.seedUser(t, "ana@example.com", goodPassword, password.New(old, 1))
	before := b.user(t, u.ID()).PasswordHash
	if !strings.Contains(before, "t=2") {
		t.Fatalf("seed hash = %s", before)
	}
	b.signIn(t, "ana@example.com", goodPassword)
	after := b.user(t, u.ID()).PasswordHash
	if after == before || !strings.Contains(after, "t=1") {
		t.Errorf("hash not rehashed: %s", after)
	}
	if ok, rehash, err := b.hasher.h.Verify(ctx, goodPassword, after); !ok || rehash || err != nil {
		t.Errorf("new hash: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if n := b.hasher.hash.Load(); n != 1 {
		t.Errorf("hashes = %d", n)
	}
	// Current parameters: no more rehashing.
	b.signIn(t, "ana@example.com", goodPassword)
	if n := b.hasher.hash.Load(); n != 1 || b.user(t, u.ID()).PasswordHash != after {
		t.Errorf("rehashed again (%d hashes)", n)
	}
}

func TestSignInRateLimits(t *testing.T) {
	t.Parallel()
	b := setup(t, withLimits(application.Limits{
		SignInPerIP:            application.Limit{Attempts: 6, Window: time.Minute},
		SignInPerEmail:         application.Limit{Attempts: 2, Window: 15 * time.Minute},
		SignInPerEmailAnywhere: application.Limit{Attempts: 3, Window: 15 * time.Minute},
	}))
	ctx := context.Background()
	b.seedUser(t, "ana@example.com", goodPassword, nil)
	b.seedUser(t, "bo@example.com", goodPassword, nil)
	signIn := func(email, pw string, from application.Meta) error {
		_, err := b.svc.SignIn(ctx, application.SignInInput{Email: email, Password: pw, Meta: from})
		return err
	}
	other := application.Meta{IP: "198.51.100.9"}
	// Successes do not count against the address: only failures do.
	for range 3 {
		if err := signIn("Ana@Example.com", goodPassword, meta); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, signIn("ana@example.com", "wrong password!", meta), kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
	wantCode(t, signIn("ana@example.com", "wrong password?", meta), kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
	// Two failures from this network lock the address here, even with the
	// right password, before any password work...
	verifies := b.hasher.verify.Load()
	e := wantCode(t, signIn("ana@example.com", goodPassword, meta), kernel.KindRateLimited, "TOO_MANY_REQUESTS")
	if e.RetryAfterSeconds != 15*60 || b.hasher.verify.Load() != verifies {
		t.Errorf("retry after %d, verifies %d → %d", e.RetryAfterSeconds, verifies, b.hasher.verify.Load())
	}
	// ...but not from another network: the person signs in from home.
	if err := signIn("ana@example.com", goodPassword, other); err != nil {
		t.Errorf("the right password from another network: %v", err)
	}
	// Failures from everywhere lock the address everywhere (the looser
	// limit): two here, one there (a refusal is no failure).
	wantCode(t, signIn("ana@example.com", "wrong password!", other), kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
	wantCode(t, signIn("ana@example.com", goodPassword, application.Meta{IP: "192.0.2.200"}), kernel.KindRateLimited, "TOO_MANY_REQUESTS")
	// Unknown emails count too, so the limit cannot tell them apart.
	for range 2 {
		wantCode(t, signIn("ghost@example.com", goodPassword, other), kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
	}
	wantCode(t, signIn("ghost@example.com", goodPassword, other), kernel.KindRateLimited, "TOO_MANY_REQUESTS")
	// Every attempt counts against the IP: six from meta so far (three
	// successes, two failures, the refusal); the next is refused for every
	// address.
	wantCode(t, signIn("bo@example.com", goodPassword, meta), kernel.KindRateLimited, "TOO_MANY_REQUESTS")
	b.clock.Advance(time.Minute)
	if err := signIn("bo@example.com", goodPassword, meta); err != nil {
		t.Errorf("after the IP window: %v", err)
	}
	// The address's window ends.
	b.clock.Advance(15 * time.Minute)
	if err := signIn("ana@example.com", goodPassword, meta); err != nil {
		t.Errorf("after the address's window: %v", err)
	}
	for _, key := range []string{"signin:ip:203.0.113.7", "signin:email:ana@example.com|203.0.113.7", "signin:email:ana@example.com", "signin:email:ghost@example.com"} {
		if !slices.Contains(b.w.limitKeys, key) {
			t.Errorf("key %q not counted; keys = %v", key, b.w.limitKeys)
		}
	}
}

// TestSignInRateLimitsIPv6: an IPv6 client is counted by its /64, so
// hopping between the addresses of one subscriber's network does not
// escape the per-IP limit.
func TestSignInRateLimitsIPv6(t *testing.T) {
	t.Parallel()
	b := setup(t, withLimits(application.Limits{
		SignInPerIP:    application.Limit{Attempts: 3, Window: time.Minute},
		SignInPerEmail: application.Limit{Attempts: 100, Window: time.Minute},
	}))
	ctx := context.Background()
	b.seedUser(t, "ana@example.com", goodPassword, nil)
	from := func(ip string) error {
		_, err := b.svc.SignIn(ctx, application.SignInInput{Email: "ana@example.com", Password: "wrong password!", Meta: application.Meta{IP: ip}})
		return err
	}
	for i := range 3 {
		wantCode(t, from(fmt.Sprintf("2001:db8:7:9::%x", i+1)), kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
	}
	wantCode(t, from("2001:db8:7:9:ffff::1"), kernel.KindRateLimited, "TOO_MANY_REQUESTS")
	// Another /64 is another client.
	wantCode(t, from("2001:db8:7:a::1"), kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
	if !slices.Contains(b.w.limitKeys, "signin:ip:2001:db8:7:9::/64") {
		t.Errorf("keys = %v", b.w.limitKeys)
	}
}

// TestSignInLosesRaces: a change that lands between the password check and
// the transaction wins; the sign-in is refused and leaves nothing behind.
func TestSignInLosesRaces(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		edit func(s *domain.UserSnapshot)
		code string
	}{
		"deactivation":    {func(s *domain.UserSnapshot) { s.Active = false }, "BANNED_USER"},
		"password change": {func(s *domain.UserSnapshot) { s.PasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3aGFzaA" }, "INVALID_EMAIL_OR_PASSWORD"},
	} {
		edit := tc.edit
		t.Run(name, func(t *testing.T) {
			b := setup(t)
			u := b.seedUser(t, "ana@example.com", goodPassword, nil)
			hook := &deactivatingHasher{countingHasher: b.hasher, then: func() { b.editUser(t, u.ID(), edit) }}
			svc := application.NewService(b.cfg, application.Deps{
				UoW: fakeUoW{b.w}, Users: fakeUsers{b.w}, Sessions: fakeSessions{b.w}, Tokens: fakeTokens{b.w},
				Limiter: fakeLimiter{b.w}, Hasher: hook, Emails: fakeEmails{b.w}, Members: fakeMembers{b.w},
				Events: fakePublisher{b.w}, Clock: b.clock, Logger: slog.New(slog.DiscardHandler),
			})
			_, err := svc.SignIn(context.Background(), application.SignInInput{Email: "ana@example.com", Password: goodPassword})
			if kernel.CodeOf(err) != tc.code {
				t.Errorf("err = %v, want %s", err, tc.code)
			}
			if b.sessionCount() != 0 || len(b.events()) != 0 {
				t.Errorf("sessions %d, events %v", b.sessionCount(), b.events())
			}
		})
	}
}

// deactivatingHasher runs then after a successful Verify.
type deactivatingHasher struct {
	*countingHasher
	then func()
}

func (d *deactivatingHasher) Verify(ctx context.Context, pw, phc string) (bool, bool, error) {
	ok, re, err := d.countingHasher.Verify(ctx, pw, phc)
	if ok {
		d.then()
	}
	return ok, re, err
}
