package domain

import (
	"net/mail"
	"strings"
)

// MaxEmailLength is the longest address accepted (RFC 5321 with RFC 3696's
// erratum).
const MaxEmailLength = 254

// Email is an invitee's address, trimmed and lower-cased. Its check is
// deliberately simple: the invitation is only accepted by a signed-in user
// whose verified iam email matches, which is the real proof.
type Email struct {
	s string
}

// ParseEmail trims and lower-cases s and checks it is a bare ASCII address
// "local@host.tld" of at most 254 characters. It returns an Invalid error
// with code "tenancy.invalid_email" and a field error on "email".
func ParseEmail(s string) (Email, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Email{}, invalidField("email", "must not be empty")
	}
	if len(s) > MaxEmailLength {
		return Email{}, invalidField("email", "must be at most 254 characters")
	}
	s, ascii := asciiLower(s)
	if !ascii {
		return Email{}, invalidField("email", "must contain only ASCII characters")
	}
	local, host, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(host, "@") || !strings.Contains(host, ".") ||
		strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") || strings.Contains(host, "..") {
		return Email{}, invalidField("email", "must be an email address like name@example.com")
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Name != "" || a.Address != s {
		return Email{}, invalidField("email", "must be an email address like name@example.com")
	}
	return Email{s: s}, nil
}

// String returns the normalized address.
func (e Email) String() string { return e.s }

// IsZero reports whether e is the zero Email.
func (e Email) IsZero() bool { return e.s == "" }

// Matches reports whether other is the same address, ignoring case and
// surrounding space.
func (e Email) Matches(other string) bool {
	o, ascii := asciiLower(strings.TrimSpace(other))
	return ascii && e.s != "" && o == e.s
}
