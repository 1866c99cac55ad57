package kernel

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log/slog"
)

// TokenBytes is the size of a Token's secret: 256 random bits.
const TokenBytes = 32

// tokenTextLength is the length of a Token's text: base64url without padding.
const tokenTextLength = 43

// Token is a single-use or bearer secret: 256 bits from crypto/rand,
// handed to the user once (in a cookie or a link) and stored only as its
// SHA-256 Hash. Session cookies, email verification, password reset and
// invitation links carry one; every module uses this one. The zero Token is
// "none".
//
// String reveals the secret, as the cookie and link writers need; call it
// explicitly. The fmt verbs (%v, %s, %#v …) and log/slog print "[REDACTED]"
// instead, so a Token logged by mistake leaks nothing.
type Token struct {
	b [TokenBytes]byte
}

// NewToken returns a fresh random Token. It returns an error only if the
// system's random source fails.
func NewToken() (Token, error) {
	var t Token
	if _, err := rand.Read(t.b[:]); err != nil {
		return Token{}, fmt.Errorf("new token: %w", err)
	}
	return t, nil
}

// ParseToken reads the text form of a Token: exactly 43 characters of the
// base64url alphabet, canonical (no stray bits in the last character). It
// reports false for anything else and, as the input may be a credential,
// never echoes it in an error.
func ParseToken(s string) (Token, bool) {
	if len(s) != tokenTextLength {
		return Token{}, false
	}
	// base64's decoder skips '\r' and '\n'; check the alphabet first so a
	// token with a line break inside is refused, not silently shortened.
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return Token{}, false
		}
	}
	var t Token
	n, err := base64.RawURLEncoding.Strict().Decode(t.b[:], []byte(s))
	if err != nil || n != TokenBytes {
		return Token{}, false
	}
	return t, true
}

// String returns the token's secret text: 43 characters of base64url without
// padding.
func (t Token) String() string { return base64.RawURLEncoding.EncodeToString(t.b[:]) }

// Format implements fmt.Formatter so that no fmt verb prints the secret.
func (t Token) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte("[REDACTED]")) }

// LogValue keeps log/slog from printing the secret.
func (t Token) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// IsZero reports whether t is the zero Token.
func (t Token) IsZero() bool { return t.b == [TokenBytes]byte{} }

// Hash returns the SHA-256 of the token's bytes: what is stored and looked up.
func (t Token) Hash() [32]byte { return sha256.Sum256(t.b[:]) }

// HashString parses s as a Token and returns its Hash; false when s is not
// a well-formed token (then nothing needs looking up).
func HashString(s string) ([32]byte, bool) {
	t, ok := ParseToken(s)
	if !ok {
		return [32]byte{}, false
	}
	return t.Hash(), true
}

// HashesEqual compares two token hashes in constant time.
func HashesEqual(a, b [32]byte) bool {
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}
