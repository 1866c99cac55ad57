package kernel

import (
	"errors"
	"net/mail"
	"strings"
)

// Limits on an email address (RFC 5321 §4.5.3.1, with RFC 3696's erratum:
// a forward-path holds at most 254 characters of address).
const (
	MaxEmailLength     = 254
	MaxEmailLocalPart  = 64
	maxDomainLabelSize = 63
)

// Email is a validated, normalized email address: the one grammar every
// module accepts, so an address that can be invited can sign up and the
// other way round. The zero Email is "no address".
//
// ParseEmail lower-cases the whole address, the local part included, as
// Better Auth does: RFC 5321 lets a server treat "Ana@x.com" and "ana@x.com"
// as different mailboxes, but no mainstream provider does, and two accounts
// differing only in case would be a phishing gift.
type Email struct {
	s string
}

// EmailError is ParseEmail's refusal; Reason completes "email …" in a
// field error ("must not be empty").
type EmailError struct {
	Reason string
}

func (e *EmailError) Error() string { return "invalid email address: " + e.Reason }

// ParseEmail trims s, lower-cases it and checks that it is a bare address
// (no display name, no angle brackets, no comments) of at most 254
// characters: an unquoted dot-atom local part of at most 64 ASCII
// characters, exactly one "@", and a host name of letters, digits and
// hyphens in dot-separated labels of at most 63 characters. A single-label
// host such as "localhost" is accepted (RFC 5321 allows it and self-hosted
// installs use it); an all-numeric top-level label, an address literal
// ("[1.2.3.4]") and non-ASCII characters are not (internationalized
// domains must be given in their xn-- form). It returns an *EmailError.
func ParseEmail(s string) (Email, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return Email{}, &EmailError{"must not be empty"}
	case len(s) > MaxEmailLength:
		return Email{}, &EmailError{"must be at most 254 characters"}
	}
	s, ascii := LowerASCII(s)
	if !ascii {
		return Email{}, &EmailError{"must contain only ASCII characters (write an international domain in its xn-- form)"}
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return Email{}, &EmailError{"must be an email address like name@example.com"}
	}
	if len(local) > MaxEmailLocalPart {
		return Email{}, &EmailError{"the part before @ must be at most 64 characters"}
	}
	if !IsDotAtom(local) || !validHostname(domain) { // local is lower-cased above
		return Email{}, &EmailError{"must be an email address like name@example.com"}
	}
	// The grammar is a strict subset of RFC 5322's addr-spec; net/mail
	// agreeing keeps it honest, and refuses anything it would read as a
	// display name.
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return Email{}, &EmailError{"must be an email address like name@example.com"}
	}
	return Email{s: s}, nil
}

// ParseEmailFor is ParseEmail answering as module's value objects do: an
// Invalid error with code "<module>.invalid_email" and a field error on
// "email" (InvalidField).
func ParseEmailFor(module, s string) (Email, error) {
	e, err := ParseEmail(s)
	if ee := (*EmailError)(nil); errors.As(err, &ee) {
		return Email{}, InvalidField(module, "email", ee.Reason)
	}
	return e, err
}

// RehydrateEmail returns stored as an Email without checking it: for
// rebuilding domain objects from what a repository stored, which
// ParseEmail made.
func RehydrateEmail(stored string) Email { return Email{s: stored} }

// String returns the normalized address, or "" for the zero Email.
func (e Email) String() string { return e.s }

// IsZero reports whether e is the zero Email.
func (e Email) IsZero() bool { return e.s == "" }

// Domain returns the part after the "@" ("example.com").
func (e Email) Domain() string {
	_, d, _ := strings.Cut(e.s, "@")
	return d
}

// Matches reports whether other is the same address, ignoring case and
// surrounding space.
func (e Email) Matches(other string) bool {
	o, ascii := LowerASCII(strings.TrimSpace(other))
	return ascii && e.s != "" && o == e.s
}

// IsDotAtom reports whether s is an RFC 5322 dot-atom-text: ASCII atext
// (letters, digits and !#$%&'*+-/=?^_`{|}~) in dot-separated runs, with no
// quoted strings, spaces, or leading, trailing or doubled dots. An email's
// local part is one; so are the host and key of a Message-ID.
func IsDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHostname reports whether s is a lower-case host name: labels of
// 1–63 letters, digits and hyphens, not starting or ending with a hyphen,
// and a last label that is not all digits (so "1.2.3.4" is not a host name).
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	for _, l := range labels {
		if l == "" || len(l) > maxDomainLabelSize || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}
