package domain

import (
	"slices"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// Slug limits.
const (
	MinSlugLength = 3
	MaxSlugLength = 48
)

// reservedSlugs are refused because they would collide with routes or read
// as official.
var reservedSlugs = []string{"active", "admin", "api", "new", "settings", "www"}

// Slug is an organization's URL name: 3–48 characters of a-z, 0-9 and
// hyphens, with no leading, trailing or doubled hyphen. The zero Slug is
// "none".
type Slug struct {
	s string
}

// ParseSlug trims and lower-cases s and checks it. It returns an Invalid
// error with code "tenancy.invalid_slug" and a field error on "slug" when s
// is too short or long, holds another character, misplaces a hyphen or is
// reserved (api, admin, www, new, settings).
func ParseSlug(s string) (Slug, error) {
	s, ascii := kernel.LowerASCII(strings.TrimSpace(s))
	switch {
	case !ascii:
		return Slug{}, invalidField("slug", "must contain only a-z, 0-9 and hyphens")
	case len(s) < MinSlugLength || len(s) > MaxSlugLength:
		return Slug{}, invalidField("slug", "must be 3 to 48 characters")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return Slug{}, invalidField("slug", "must contain only a-z, 0-9 and hyphens")
		}
	}
	if s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return Slug{}, invalidField("slug", "must not start or end with a hyphen or hold two in a row")
	}
	if slices.Contains(reservedSlugs, s) {
		return Slug{}, invalidField("slug", "is reserved")
	}
	return Slug{s: s}, nil
}

// MustParseSlug is ParseSlug that panics; for tests and examples.
func MustParseSlug(s string) Slug {
	v, err := ParseSlug(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the slug.
func (s Slug) String() string { return s.s }

// IsZero reports whether s is the zero Slug.
func (s Slug) IsZero() bool { return s.s == "" }

// SlugFrom derives a slug from an organization name: ASCII letters and
// digits lower-cased, every other run of characters one hyphen, trimmed to
// MaxSlugLength. The result may still be invalid (a name of only non-ASCII
// letters gives ""), so it goes through ParseSlug like a typed one.
func SlugFrom(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(name) {
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(r)
		default:
			hyphen = true
		}
		if b.Len() >= MaxSlugLength {
			break
		}
	}
	return strings.TrimRight(b.String()[:min(b.Len(), MaxSlugLength)], "-")
}
