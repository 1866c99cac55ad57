package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
)

// invitationTokenBytes is the size of an InvitationToken's secret.
const invitationTokenBytes = 32

// InvitationToken is the secret in an invitation link: 256 bits from
// crypto/rand, sent once by email and stored only as its SHA-256 Hash.
// String reveals it; the fmt verbs and log/slog print "[REDACTED]".
type InvitationToken struct {
	b [invitationTokenBytes]byte
}

// NewInvitationToken returns a fresh random token; it fails only if the
// system's random source does.
func NewInvitationToken() (InvitationToken, error) {
	var t InvitationToken
	if _, err := rand.Read(t.b[:]); err != nil {
		return InvitationToken{}, fmt.Errorf("new invitation token: %w", err)
	}
	return t, nil
}

// ParseInvitationToken reads a token's text form (43 characters of
// canonical base64url); false for anything else.
func ParseInvitationToken(s string) (InvitationToken, bool) {
	if len(s) != 43 {
		return InvitationToken{}, false
	}
	var t InvitationToken
	n, err := base64.RawURLEncoding.Strict().Decode(t.b[:], []byte(s))
	if err != nil || n != invitationTokenBytes {
		return InvitationToken{}, false
	}
	return t, true
}

// String returns the secret text for the invitation link.
func (t InvitationToken) String() string { return base64.RawURLEncoding.EncodeToString(t.b[:]) }

// Format implements fmt.Formatter so that no fmt verb prints the secret.
func (t InvitationToken) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("[REDACTED]")) }

// LogValue keeps log/slog from printing the secret.
func (t InvitationToken) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// Hash returns the SHA-256 of the token: what is stored and looked up.
func (t InvitationToken) Hash() [32]byte { return sha256.Sum256(t.b[:]) }
