package domain

import (
	"strings"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// Profile limits.
const (
	MaxDisplayNameLength = 100                    // runes
	MaxImageURLLength    = kernel.MaxWebURLLength // bytes
)

// DisplayName is the name shown for a user. It may be empty: Better Auth's
// sign-up requires the name field but clients often send "", and refusing
// that would break them. The zero DisplayName is the empty name.
type DisplayName struct {
	s string
}

// ParseDisplayName trims s and checks it is valid UTF-8 of at most 100 runes
// without control, format (bidi, zero-width) or line-break characters (a
// name is one line of text; see kernel.HasUnsafeText). It returns an Invalid error with code
// "iam.invalid_name" and a field error on "name".
func ParseDisplayName(s string) (DisplayName, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return DisplayName{}, invalidField("name", "must be valid UTF-8 text")
	}
	if utf8.RuneCountInString(s) > MaxDisplayNameLength {
		return DisplayName{}, invalidField("name", "must be at most 100 characters")
	}
	if kernel.HasUnsafeText(s) {
		return DisplayName{}, invalidField("name", "must not contain control, invisible formatting or line-break characters")
	}
	return DisplayName{s: s}, nil
}

// String returns the name.
func (n DisplayName) String() string { return n.s }

// IsZero reports whether the name is empty.
func (n DisplayName) IsZero() bool { return n.s == "" }

// ImageURL is the absolute http or https URL of a user's picture. The zero
// ImageURL is "no picture".
type ImageURL struct {
	s string
}

// ParseImageURL trims s and checks that it is an absolute http(s) URL with a
// host, without user credentials, whitespace or control characters, of at
// most 2048 bytes. Empty input gives the zero ImageURL (unset) and no error.
// The URL is kept as given, not re-serialized. It returns an Invalid error
// with code "iam.invalid_image" and a field error on "image".
func ParseImageURL(s string) (ImageURL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ImageURL{}, nil
	}
	if problem := kernel.WebURLProblem(s); problem != "" {
		return ImageURL{}, invalidField("image", problem)
	}
	return ImageURL{s: s}, nil
}

// String returns the URL, or "" when unset.
func (i ImageURL) String() string { return i.s }

// IsZero reports whether no picture is set.
func (i ImageURL) IsZero() bool { return i.s == "" }
