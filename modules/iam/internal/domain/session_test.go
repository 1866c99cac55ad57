package domain_test

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

func newToken(t *testing.T) kernel.Token {
	t.Helper()
	tok, err := kernel.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestNewSession(t *testing.T) {
	t.Parallel()
	uid := kernel.NewID[kernel.UserKind]()
	tok := newToken(t)
	s := domain.NewSession(uid, tok, t0, "203.0.113.9", "Mozilla/5.0")
	if s.ID().IsZero() || s.UserID() != uid || s.Impersonated() || !s.ImpersonatorID().IsZero() {
		t.Errorf("session = %+v", s.Snapshot())
	}
	if s.TokenHash() != tok.Hash() || !s.MatchesToken(tok) || s.MatchesToken(newToken(t)) {
		t.Error("token hash does not match the token")
	}
	if !s.ExpiresAt().Equal(t0.Add(7*24*time.Hour)) || !s.CreatedAt().Equal(t0) || !s.UpdatedAt().Equal(t0) {
		t.Errorf("times: expires %v created %v updated %v", s.ExpiresAt(), s.CreatedAt(), s.UpdatedAt())
	}
	if s.IPAddress() != "203.0.113.9" || s.UserAgent() != "Mozilla/5.0" {
		t.Errorf("ip %q ua %q", s.IPAddress(), s.UserAgent())
	}
	r := domain.RehydrateSession(s.Snapshot())
	if !reflect.DeepEqual(r.Snapshot(), s.Snapshot()) {
		t.Errorf("round trip: %+v != %+v", r.Snapshot(), s.Snapshot())
	}
}

func TestSessionClientFieldsAreCleaned(t *testing.T) {
	t.Parallel()
	uid := kernel.NewID[kernel.UserKind]()
	tests := []struct {
		name           string
		ip, ua         string
		wantIP, wantUA string
	}{
		{"ipv6 max", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ua", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ua"},
		{"ip too long", strings.Repeat("1", 50), "", strings.Repeat("1", 45), ""},
		{"ua 512", "", strings.Repeat("u", 512), "", strings.Repeat("u", 512)},
		{"ua 513", "", strings.Repeat("u", 513), "", strings.Repeat("u", 512)},
		{"ua cut on a rune boundary", "", strings.Repeat("u", 511) + "é", "", strings.Repeat("u", 511)},
		{"control chars and bad UTF-8 dropped", " 10.0.0.1\x00 ", "Moz\x00illa\n/5\xff.0", "10.0.0.1", "Mozilla/5.0"},
	}
	for _, tt := range tests {
		s := domain.NewSession(uid, newToken(t), t0, tt.ip, tt.ua)
		if s.IPAddress() != tt.wantIP || s.UserAgent() != tt.wantUA {
			t.Errorf("%s: ip %q ua %q, want %q %q", tt.name, s.IPAddress(), s.UserAgent(), tt.wantIP, tt.wantUA)
		}
		if len(s.IPAddress()) > domain.MaxSessionIPLength || len(s.UserAgent()) > domain.MaxSessionUserAgentLength || !utf8.ValidString(s.UserAgent()) {
			t.Errorf("%s: limits broken", tt.name)
		}
	}
}

func TestSessionExpiryAndRefresh(t *testing.T) {
	t.Parallel()
	uid := kernel.NewID[kernel.UserKind]()
	end := t0.Add(domain.SessionTTL)
	day := t0.Add(domain.SessionRefreshAfter)
	tests := []struct {
		name         string
		at           time.Time
		expired      bool
		needsRefresh bool
	}{
		{"at creation", t0, false, false},
		{"just under a day", day.Add(-time.Nanosecond), false, false},
		{"a day", day, false, true},
		{"just before the end", end.Add(-time.Nanosecond), false, true},
		{"at the end", end, true, false},
		{"after the end", end.Add(time.Hour), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := domain.NewSession(uid, newToken(t), t0, "", "")
			if got := s.Expired(tt.at); got != tt.expired {
				t.Errorf("Expired = %v, want %v", got, tt.expired)
			}
			if got := s.NeedsRefresh(tt.at); got != tt.needsRefresh {
				t.Errorf("NeedsRefresh = %v, want %v", got, tt.needsRefresh)
			}
			refreshed := s.Refresh(tt.at)
			if refreshed == tt.expired {
				t.Errorf("Refresh = %v on a session expired=%v", refreshed, tt.expired)
			}
			wantEnd, wantUpdated := end, t0
			if refreshed {
				wantEnd, wantUpdated = tt.at.Add(domain.SessionTTL), tt.at
			}
			if !s.ExpiresAt().Equal(wantEnd) || !s.UpdatedAt().Equal(wantUpdated) {
				t.Errorf("after Refresh: expires %v updated %v, want %v %v", s.ExpiresAt(), s.UpdatedAt(), wantEnd, wantUpdated)
			}
		})
	}
}

func TestSessionSlides(t *testing.T) {
	t.Parallel()
	s := domain.NewSession(kernel.NewID[kernel.UserKind](), newToken(t), t0, "", "")
	// Used every six days, a session never expires.
	now := t0
	for range 10 {
		now = now.Add(6 * 24 * time.Hour)
		if s.Expired(now) || !s.NeedsRefresh(now) || !s.Refresh(now) {
			t.Fatalf("at %v: expired %v", now, s.Expired(now))
		}
	}
	if s.NeedsRefresh(now.Add(time.Hour)) {
		t.Error("needs a refresh an hour after one")
	}
}

func TestImpersonationSession(t *testing.T) {
	t.Parallel()
	uid, admin := kernel.NewID[kernel.UserKind](), kernel.NewID[kernel.UserKind]()
	const ttl = 45 * time.Minute // IMPERSONATION_MAX
	s := domain.NewImpersonationSession(uid, admin, newToken(t), t0, ttl, "", "")
	if !s.Impersonated() || s.ImpersonatorID() != admin || s.UserID() != uid {
		t.Errorf("session = %+v", s.Snapshot())
	}
	if !s.ExpiresAt().Equal(t0.Add(ttl)) {
		t.Errorf("ExpiresAt = %v", s.ExpiresAt())
	}
	at := t0.Add(ttl - time.Second)
	if s.NeedsRefresh(t0.Add(domain.SessionRefreshAfter)) || s.Refresh(at) || !s.ExpiresAt().Equal(t0.Add(ttl)) {
		t.Error("an impersonation session slid")
	}
	if !s.Expired(t0.Add(ttl)) {
		t.Error("not expired after ImpersonationTTL")
	}
}
