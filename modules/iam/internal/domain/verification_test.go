package domain_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

func TestVerificationPurpose(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    domain.VerificationPurpose
		name string
		ttl  time.Duration
	}{
		{domain.PurposeEmailVerification, "email_verification", 24 * time.Hour},
		{domain.PurposePasswordReset, "password_reset", time.Hour},
		{domain.PurposeSetPassword, "set_password", 72 * time.Hour},
	}
	for _, tt := range tests {
		got, err := domain.ParseVerificationPurpose(tt.name)
		if err != nil || got != tt.p || got.String() != tt.name || got.TTL() != tt.ttl || got.IsZero() {
			t.Errorf("ParseVerificationPurpose(%q) = %v, %v (ttl %v)", tt.name, got, err, got.TTL())
		}
	}
	for _, in := range []string{"", "EMAIL_VERIFICATION", "email-verification", "reset", strings.Repeat("x", 100)} {
		got, err := domain.ParseVerificationPurpose(in)
		if kernel.CodeOf(err) != "iam.invalid_verification_purpose" || !got.IsZero() {
			t.Errorf("ParseVerificationPurpose(%q) = %v, %v", in, got, err)
		}
	}
	if (domain.VerificationPurpose{}).TTL() != 0 {
		t.Error("zero purpose has a TTL")
	}
}

func newVerification(t *testing.T, p domain.VerificationPurpose) (*domain.VerificationToken, kernel.Token) {
	t.Helper()
	tok := newToken(t)
	v, err := domain.NewVerificationToken(p, kernel.NewID[kernel.UserKind](), domain.MustParseEmail("a@b.co"), tok, t0)
	if err != nil {
		t.Fatal(err)
	}
	return v, tok
}

func TestVerificationTokenSingleUse(t *testing.T) {
	t.Parallel()
	for _, p := range []domain.VerificationPurpose{domain.PurposeEmailVerification, domain.PurposePasswordReset, domain.PurposeSetPassword} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			v, tok := newVerification(t, p)
			if !strings.HasPrefix(v.ID().String(), "vtk_") || v.Purpose() != p || !v.MatchesToken(tok) || v.MatchesToken(newToken(t)) {
				t.Errorf("token = %+v", v.Snapshot())
			}
			if !v.ExpiresAt().Equal(t0.Add(p.TTL())) || !v.CreatedAt().Equal(t0) {
				t.Errorf("expires %v created %v", v.ExpiresAt(), v.CreatedAt())
			}
			if _, used := v.UsedAt(); used {
				t.Error("new token is used")
			}
			first := t0.Add(time.Minute)
			if err := v.Use(first); err != nil {
				t.Fatalf("first Use: %v", err)
			}
			err := v.Use(t0.Add(2 * time.Minute))
			if !errors.Is(err, domain.ErrInvalidToken) {
				t.Errorf("second Use = %v, want ErrInvalidToken", err)
			}
			if at, used := v.UsedAt(); !used || !at.Equal(first) {
				t.Errorf("UsedAt = %v, %v; want %v", at, used, first)
			}
		})
	}
}

func TestVerificationTokenExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		at   time.Duration // after the end
		ok   bool
	}{
		{"just before the end", -time.Nanosecond, true},
		{"at the end", 0, false},
		{"after the end", time.Hour, false},
	}
	for _, tt := range tests {
		v, _ := newVerification(t, domain.PurposePasswordReset)
		at := v.ExpiresAt().Add(tt.at)
		if v.Expired(at) == tt.ok {
			t.Errorf("%s: Expired = %v", tt.name, v.Expired(at))
		}
		err := v.Use(at)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, domain.ErrInvalidToken)) {
			t.Errorf("%s: Use = %v", tt.name, err)
		}
		if _, used := v.UsedAt(); used != tt.ok {
			t.Errorf("%s: used = %v", tt.name, used)
		}
	}
}

func TestErrInvalidToken(t *testing.T) {
	t.Parallel()
	e := kernel.AsError(domain.ErrInvalidToken)
	if e.Kind != kernel.KindInvalid || e.Code != "INVALID_TOKEN" || e.Detail != "Invalid token" {
		t.Errorf("ErrInvalidToken = %+v", e)
	}
}

func TestVerificationTokenBinding(t *testing.T) {
	t.Parallel()
	v, _ := newVerification(t, domain.PurposeEmailVerification)
	if !v.IssuedFor(domain.MustParseEmail("A@B.CO")) || v.IssuedFor(domain.MustParseEmail("other@b.co")) {
		t.Error("IssuedFor")
	}
	uid, email, tok := kernel.NewID[kernel.UserKind](), domain.MustParseEmail("a@b.co"), newToken(t)
	bad := []struct {
		name string
		p    domain.VerificationPurpose
		uid  kernel.UserID
		e    domain.Email
	}{
		{"no purpose", domain.VerificationPurpose{}, uid, email},
		{"no user", domain.PurposePasswordReset, kernel.UserID{}, email},
		{"no email", domain.PurposePasswordReset, uid, domain.Email{}},
	}
	for _, tt := range bad {
		if v, err := domain.NewVerificationToken(tt.p, tt.uid, tt.e, tok, t0); v != nil || kernel.KindOf(err) != kernel.KindInternal {
			t.Errorf("%s: %v, %v", tt.name, v, err)
		}
	}
}

func TestVerificationTokenSnapshotRoundTrip(t *testing.T) {
	t.Parallel()
	v, _ := newVerification(t, domain.PurposeSetPassword)
	if err := v.Use(t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	s := v.Snapshot()
	r := domain.RehydrateVerificationToken(s)
	if !reflect.DeepEqual(r.Snapshot(), s) || r.UserID() != v.UserID() || r.Email() != v.Email() || r.TokenHash() != v.TokenHash() {
		t.Errorf("round trip: %+v != %+v", r.Snapshot(), s)
	}
	*s.UsedAt = time.Time{}
	if at, _ := r.UsedAt(); !at.Equal(t0.Add(time.Minute)) {
		t.Error("rehydrated token aliases the snapshot")
	}
	if err := r.Use(t0.Add(2 * time.Minute)); !errors.Is(err, domain.ErrInvalidToken) {
		t.Errorf("a used token rehydrated is usable: %v", err)
	}
}
