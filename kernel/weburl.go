package kernel

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxWebURLLength is the most bytes a web URL a user or module stores
// (a picture, a logo) may hold.
const MaxWebURLLength = 2048

// WebURLProblem says what is wrong with s as the URL of something a page
// shows (an img src): "" when s is an absolute http or https URL with a
// host, no user name or password, no whitespace or control characters, of
// at most MaxWebURLLength bytes; otherwise the field error's message
// ("must be an absolute http or https URL", …). It keeps javascript: and
// data: out of every client's markup. s is taken as given: trim it first.
func WebURLProblem(s string) string {
	if len(s) > MaxWebURLLength {
		return "must be at most 2048 characters"
	}
	const bad = "must be an absolute http or https URL"
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return bad
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
		return bad
	}
	if u.User != nil {
		return "must not contain a user name or password"
	}
	return ""
}
