package domain

import (
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// MaxLogoURLLength is the most bytes a logo URL may hold.
const MaxLogoURLLength = kernel.MaxWebURLLength

// LogoURL is the absolute http or https URL of an organization's logo. The
// zero LogoURL is "no logo". Clients never set it: the storage module's
// upload does, with the URL of the image it validated and re-encoded.
// Checking it here still keeps anything but a web address (javascript:,
// data:) out of the img src every client renders it into.
type LogoURL struct {
	s string
}

// ParseLogoURL trims s and checks that it is an absolute http(s) URL with a
// host, without user credentials, whitespace or control characters, of at
// most MaxLogoURLLength bytes; it is kept as given, not re-serialized.
// Empty input gives the zero LogoURL and no error. It returns an Invalid
// error with code "tenancy.invalid_logo" and a field error on "logo".
func ParseLogoURL(s string) (LogoURL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return LogoURL{}, nil
	}
	if problem := kernel.WebURLProblem(s); problem != "" {
		return LogoURL{}, invalidField("logo", problem)
	}
	return LogoURL{s: s}, nil
}

// String returns the URL, or "" when there is no logo.
func (l LogoURL) String() string { return l.s }

// IsZero reports whether there is no logo.
func (l LogoURL) IsZero() bool { return l.s == "" }
