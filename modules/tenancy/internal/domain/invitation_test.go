package domain_test

import (
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

var hashA, hashB = sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))

func newInvitation(t *testing.T) *domain.Invitation {
	t.Helper()
	inv, err := domain.NewInvitation(domain.NewInvitationParams{
		OrganizationID: kernel.NewID[kernel.OrganizationKind](), Email: " Bea@Example.com ", Role: "member",
		InviterID: kernel.NewID[kernel.UserKind](), TokenHash: hashA, Now: t0,
	})
	if err != nil {
		t.Fatalf("NewInvitation: %v", err)
	}
	return inv
}

func TestNewInvitation(t *testing.T) {
	t.Parallel()
	inv := newInvitation(t)
	if inv.Email().String() != "bea@example.com" || inv.Status() != domain.InvitationPending || inv.Role() != "member" ||
		!inv.ExpiresAt().Equal(t0.Add(7*24*time.Hour)) || inv.TokenHash() != hashA || !strings.HasPrefix(inv.ID().String(), "inv_") {
		t.Errorf("invitation = %+v", inv.Snapshot())
	}
	base := domain.NewInvitationParams{
		OrganizationID: kernel.NewID[kernel.OrganizationKind](), Email: "x@y.io", Role: "member",
		InviterID: kernel.NewID[kernel.UserKind](), TokenHash: hashA, Now: t0,
	}
	tests := []struct {
		name   string
		mod    func(*domain.NewInvitationParams)
		fields []string
	}{
		{"bad email", func(p *domain.NewInvitationParams) { p.Email = "nope" }, []string{"email"}},
		{"bad role", func(p *domain.NewInvitationParams) { p.Role = "A" }, []string{"role"}},
		{"owner role", func(p *domain.NewInvitationParams) { p.Role = "owner" }, []string{"role"}},
		{"both", func(p *domain.NewInvitationParams) { p.Email, p.Role = "", "" }, []string{"email", "role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := base
			tt.mod(&p)
			_, err := domain.NewInvitation(p)
			wantErr(t, err, kernel.KindInvalid, "tenancy.invalid_invitation")
			for _, f := range tt.fields {
				wantField(t, err, f)
			}
		})
	}
	for name, mod := range map[string]func(*domain.NewInvitationParams){
		"zero org":     func(p *domain.NewInvitationParams) { p.OrganizationID = kernel.OrganizationID{} },
		"zero inviter": func(p *domain.NewInvitationParams) { p.InviterID = kernel.UserID{} },
		"zero hash":    func(p *domain.NewInvitationParams) { p.TokenHash = [32]byte{} },
	} {
		p := base
		mod(&p)
		if _, err := domain.NewInvitation(p); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestInvitationStateMachine(t *testing.T) {
	t.Parallel()
	expiry := t0.Add(domain.InvitationTTL)
	const email = "bea@example.com"
	type step func(*domain.Invitation) error
	accept := func(at time.Time, e string) step { return func(i *domain.Invitation) error { return i.Accept(at, e) } }
	decline := func(at time.Time) step { return func(i *domain.Invitation) error { return i.Decline(at) } }
	revoke := func(at time.Time) step { return func(i *domain.Invitation) error { return i.Revoke(at) } }
	resend := func(at time.Time) step { return func(i *domain.Invitation) error { return i.Resend(hashB, at) } }
	expire := func(at time.Time) step {
		return func(i *domain.Invitation) error { i.Expire(at); return nil }
	}
	const gone, mismatch = "tenancy.invitation_gone", "tenancy.invitation_email_mismatch"
	tests := []struct {
		name   string
		setup  []step
		act    step
		code   string
		status domain.InvitationStatus
	}{
		{"accept", nil, accept(t0, email), "", domain.InvitationAccepted},
		{"accept case-insensitive", nil, accept(t0, " BEA@Example.COM "), "", domain.InvitationAccepted},
		{"accept one instant before expiry", nil, accept(expiry.Add(-time.Nanosecond), email), "", domain.InvitationAccepted},
		{"accept at expiry", nil, accept(expiry, email), gone, domain.InvitationPending},
		{"accept after expiry", nil, accept(expiry.Add(time.Hour), email), gone, domain.InvitationPending},
		{"accept other email", nil, accept(t0, "eve@example.com"), mismatch, domain.InvitationPending},
		{"accept expired with other email is gone first", nil, accept(expiry, "eve@example.com"), gone, domain.InvitationPending},
		{"accept twice", []step{accept(t0, email)}, accept(t0, email), gone, domain.InvitationAccepted},
		{"accept declined", []step{decline(t0)}, accept(t0, email), gone, domain.InvitationDeclined},
		{"accept revoked", []step{revoke(t0)}, accept(t0, email), gone, domain.InvitationRevoked},
		{"accept marked expired", []step{expire(expiry)}, accept(t0, email), gone, domain.InvitationExpired},
		{"decline", nil, decline(t0), "", domain.InvitationDeclined},
		{"decline at expiry", nil, decline(expiry), gone, domain.InvitationPending},
		{"decline accepted", []step{accept(t0, email)}, decline(t0), gone, domain.InvitationAccepted},
		{"revoke", nil, revoke(t0), "", domain.InvitationRevoked},
		{"revoke twice", []step{revoke(t0)}, revoke(t0), gone, domain.InvitationRevoked},
		{"revoke accepted", []step{accept(t0, email)}, revoke(t0), gone, domain.InvitationAccepted},
		{"resend pending", nil, resend(t0.Add(time.Hour)), "", domain.InvitationPending},
		{"resend past expiry reopens", nil, resend(expiry.Add(time.Hour)), "", domain.InvitationPending},
		{"resend revoked", []step{revoke(t0)}, resend(t0), gone, domain.InvitationRevoked},
		{"resend accepted", []step{accept(t0, email)}, resend(t0), gone, domain.InvitationAccepted},
		{"resend marked expired", []step{expire(expiry)}, resend(expiry), gone, domain.InvitationExpired},
		{"accept after resend past old expiry", []step{resend(expiry)}, accept(expiry.Add(time.Hour), email), "", domain.InvitationAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := newInvitation(t)
			for _, s := range tt.setup {
				if err := s(inv); err != nil {
					t.Fatalf("setup: %v", err)
				}
			}
			err := tt.act(inv)
			if kernel.CodeOf(err) != tt.code || (tt.code == "" && err != nil) {
				t.Fatalf("err = %v, want %q", err, tt.code)
			}
			switch tt.code {
			case gone:
				wantErr(t, err, kernel.KindGone, gone)
			case mismatch:
				wantErr(t, err, kernel.KindForbidden, mismatch)
			}
			if inv.Status() != tt.status {
				t.Errorf("status = %v, want %v", inv.Status(), tt.status)
			}
		})
	}
}

func TestInvitationResendResetsExpiryAndHash(t *testing.T) {
	t.Parallel()
	inv := newInvitation(t)
	t1 := t0.Add(3 * 24 * time.Hour)
	if err := inv.Resend(hashB, t1); err != nil {
		t.Fatal(err)
	}
	if inv.TokenHash() != hashB || !inv.ExpiresAt().Equal(t1.Add(domain.InvitationTTL)) || !inv.UpdatedAt().Equal(t1) {
		t.Errorf("after resend: %+v", inv.Snapshot())
	}
	if err := inv.Resend([32]byte{}, t1); err == nil || kernel.AsError(err) != nil {
		t.Errorf("zero hash: %v", err)
	}
}

func TestInvitationStatusAtAndExpire(t *testing.T) {
	t.Parallel()
	inv := newInvitation(t)
	expiry := inv.ExpiresAt()
	tests := []struct {
		at   time.Time
		want domain.InvitationStatus
	}{
		{t0, domain.InvitationPending},
		{expiry.Add(-time.Nanosecond), domain.InvitationPending},
		{expiry, domain.InvitationExpired},
		{expiry.Add(time.Second), domain.InvitationExpired},
	}
	for _, tt := range tests {
		if got := inv.StatusAt(tt.at); got != tt.want {
			t.Errorf("StatusAt(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
	if inv.Expire(expiry.Add(-time.Nanosecond)) {
		t.Error("Expire before expiry changed it")
	}
	if !inv.Expire(expiry) || inv.Status() != domain.InvitationExpired || inv.Expire(expiry) {
		t.Errorf("Expire at expiry: status %v", inv.Status())
	}
}

func TestParseInvitationStatus(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"pending", "accepted", "declined", "revoked", "expired"} {
		st, err := domain.ParseInvitationStatus(s)
		if err != nil || st.String() != s {
			t.Errorf("ParseInvitationStatus(%q) = %v, %v", s, st, err)
		}
	}
	for _, s := range []string{"", "Pending", "open"} {
		if _, err := domain.ParseInvitationStatus(s); kernel.CodeOf(err) != "tenancy.invalid_status" {
			t.Errorf("ParseInvitationStatus(%q) err = %v", s, err)
		}
	}
	if !(domain.InvitationStatus{}).IsZero() {
		t.Error("zero status not zero")
	}
}

func TestInvitationRehydrate(t *testing.T) {
	t.Parallel()
	inv := newInvitation(t)
	if back := domain.RehydrateInvitation(inv.Snapshot()); back.Snapshot() != inv.Snapshot() {
		t.Errorf("rehydrate = %+v", back.Snapshot())
	}
	if !errors.Is(inv.Accept(t0, "x@y.io"), domain.ErrInvitationEmailMismatch) {
		t.Error("mismatch sentinel")
	}
}
