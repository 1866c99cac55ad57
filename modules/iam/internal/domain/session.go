package domain

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// Session lifetimes (DESIGN.md §4).
const (
	// SessionTTL is how long a session lives after it was created or last
	// refreshed: a sliding expiry.
	SessionTTL = 7 * 24 * time.Hour
	// SessionRefreshAfter is how old the last refresh must be before a
	// request slides the expiry again, so an active session costs at most
	// one write a day.
	SessionRefreshAfter = 24 * time.Hour
)

// Limits on what a session records about the client.
const (
	MaxSessionIPLength        = 45  // the longest textual IPv6 address
	MaxSessionUserAgentLength = 512 // bytes
)

// Session is a signed-in browser: a secret token, held in a cookie and
// stored here only as its SHA-256 hash, with a sliding expiry.
type Session struct {
	id             kernel.SessionID
	userID         kernel.UserID
	tokenHash      [32]byte
	expiresAt      time.Time
	createdAt      time.Time
	updatedAt      time.Time
	ipAddress      string
	userAgent      string
	impersonatorID kernel.UserID
}

// NewSession opens a session for userID with the given token, expiring
// SessionTTL after now. ip and userAgent are what the client sent; they are
// cleaned (invalid UTF-8 and control characters dropped) and cut to
// MaxSessionIPLength and MaxSessionUserAgentLength.
func NewSession(userID kernel.UserID, token kernel.Token, now time.Time, ip, userAgent string) *Session {
	return &Session{
		id:        kernel.NewID[kernel.SessionKind](),
		userID:    userID,
		tokenHash: token.Hash(),
		expiresAt: now.Add(SessionTTL),
		createdAt: now,
		updatedAt: now,
		ipAddress: clean(ip, MaxSessionIPLength),
		userAgent: clean(userAgent, MaxSessionUserAgentLength),
	}
}

// NewImpersonationSession opens a session in which the platform admin
// impersonator acts as userID. It expires ttl after now and is never
// refreshed.
func NewImpersonationSession(userID, impersonator kernel.UserID, token kernel.Token, now time.Time, ttl time.Duration, ip, userAgent string) *Session {
	s := NewSession(userID, token, now, ip, userAgent)
	s.impersonatorID = impersonator
	s.expiresAt = now.Add(ttl)
	return s
}

// clean drops invalid UTF-8 and control characters (PostgreSQL refuses NUL
// in text) and cuts s to at most max bytes on a rune boundary.
func clean(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// SessionSnapshot is every field of a Session in plain form, for
// repositories and RehydrateSession.
type SessionSnapshot struct {
	ID             kernel.SessionID
	UserID         kernel.UserID
	TokenHash      [32]byte
	ExpiresAt      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
	IPAddress      string
	UserAgent      string
	ImpersonatorID kernel.UserID // zero unless impersonated
}

// RehydrateSession rebuilds a Session from stored state without validating
// it; only repositories call it.
func RehydrateSession(s SessionSnapshot) *Session {
	return &Session{
		id:             s.ID,
		userID:         s.UserID,
		tokenHash:      s.TokenHash,
		expiresAt:      s.ExpiresAt,
		createdAt:      s.CreatedAt,
		updatedAt:      s.UpdatedAt,
		ipAddress:      s.IPAddress,
		userAgent:      s.UserAgent,
		impersonatorID: s.ImpersonatorID,
	}
}

// Snapshot returns the session's state.
func (s *Session) Snapshot() SessionSnapshot {
	return SessionSnapshot{
		ID:             s.id,
		UserID:         s.userID,
		TokenHash:      s.tokenHash,
		ExpiresAt:      s.expiresAt,
		CreatedAt:      s.createdAt,
		UpdatedAt:      s.updatedAt,
		IPAddress:      s.ipAddress,
		UserAgent:      s.userAgent,
		ImpersonatorID: s.impersonatorID,
	}
}

// ID returns the session's ID: a handle that is not a credential.
func (s *Session) ID() kernel.SessionID { return s.id }

// UserID returns the signed-in user.
func (s *Session) UserID() kernel.UserID { return s.userID }

// TokenHash returns the SHA-256 of the session token.
func (s *Session) TokenHash() [32]byte { return s.tokenHash }

// ExpiresAt returns when the session stops working.
func (s *Session) ExpiresAt() time.Time { return s.expiresAt }

// CreatedAt returns when the session was opened (the sign-in).
func (s *Session) CreatedAt() time.Time { return s.createdAt }

// UpdatedAt returns when the session was last refreshed.
func (s *Session) UpdatedAt() time.Time { return s.updatedAt }

// IPAddress returns the client address recorded at sign-in.
func (s *Session) IPAddress() string { return s.ipAddress }

// UserAgent returns the client's User-Agent recorded at sign-in.
func (s *Session) UserAgent() string { return s.userAgent }

// ImpersonatorID returns the platform admin acting as the user; zero when
// the user signed in themselves.
func (s *Session) ImpersonatorID() kernel.UserID { return s.impersonatorID }

// Impersonated reports whether a platform admin opened this session.
func (s *Session) Impersonated() bool { return !s.impersonatorID.IsZero() }

// MatchesToken reports, in constant time, whether t is this session's token.
func (s *Session) MatchesToken(t kernel.Token) bool { return kernel.HashesEqual(s.tokenHash, t.Hash()) }

// Expired reports whether the session no longer works at now: from
// ExpiresAt on.
func (s *Session) Expired(now time.Time) bool { return !now.Before(s.expiresAt) }

// NeedsRefresh reports whether a request at now should slide the expiry: the
// session is live, not impersonated, and its last refresh is at least
// SessionRefreshAfter old.
func (s *Session) NeedsRefresh(now time.Time) bool {
	return !s.Expired(now) && !s.Impersonated() && now.Sub(s.updatedAt) >= SessionRefreshAfter
}

// Refresh slides the expiry to now+SessionTTL and reports whether it did. An
// expired session stays expired and an impersonation session keeps its fixed
// end; for those Refresh changes nothing and reports false.
func (s *Session) Refresh(now time.Time) bool {
	if s.Expired(now) || s.Impersonated() {
		return false
	}
	s.expiresAt = now.Add(SessionTTL)
	s.updatedAt = now
	return true
}
