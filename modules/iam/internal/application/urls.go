package application

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// origin is a URL's scheme, host and port with the default port made
// explicit, the unit browsers trust by.
type origin struct {
	scheme, host string
	port         int
}

// originOf returns u's origin; false unless u is an absolute http(s) URL
// with a host and a valid port.
func originOf(u *url.URL) (origin, bool) {
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Opaque != "" || u.Hostname() == "" {
		return origin{}, false
	}
	port := 443
	if scheme == "http" {
		port = 80
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return origin{}, false
		}
		port = n
	}
	return origin{scheme: scheme, host: strings.ToLower(u.Hostname()), port: port}, true
}

// trustedOrigins computes the origins TrustedURL accepts: ServerURL's and
// the configured front-end origins (malformed entries are skipped).
func trustedOrigins(cfg Config) []origin {
	var out []origin
	if cfg.ServerURL != nil {
		if o, ok := originOf(cfg.ServerURL); ok {
			out = append(out, o)
		}
	}
	for _, s := range cfg.TrustedOrigins {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil {
			continue
		}
		if o, ok := originOf(u); ok {
			out = append(out, o)
		}
	}
	return out
}

// TrustedURL reports whether u may be used as a redirect or callback: a
// relative path ("/dashboard", not "//host") or an absolute URL on
// ServerURL's origin or a trusted origin.
//
// It implements TrustedURL. It is strict on purpose: anything a
// browser might read differently from net/url (backslashes, which WHATWG
// parsers treat as slashes; tabs and line breaks, which they strip; user
// info) is refused rather than interpreted.
func (s *Service) TrustedURL(raw string) bool {
	if raw == "" || len(raw) > 2048 {
		return false
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c == 0x7f || c == '\\' {
			return false
		}
	}
	if raw[0] == '/' {
		// A path on this site; "//host" would be a network-path reference.
		if len(raw) > 1 && raw[1] == '/' {
			return false
		}
		u, err := url.Parse(raw)
		return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil {
		return false
	}
	o, ok := originOf(u)
	if !ok {
		return false
	}
	for _, t := range s.origins {
		if t == o {
			return true
		}
	}
	return false
}

// serverLink returns ServerURL joined with path ("/api/auth/…").
func (s *Service) serverLink(path string) string {
	base := ""
	if s.cfg.ServerURL != nil {
		base = strings.TrimRight(s.cfg.ServerURL.String(), "/")
	}
	return base + path
}

// verifyEmailURL is the link in a verification email: a GET on
// /api/auth/verify-email, which redirects to callbackURL when given.
func (s *Service) verifyEmailURL(t kernel.Token, callbackURL string) string {
	if callbackURL == "" {
		// Opened in a browser, the link always lands on a page: the front
		// end's home (the first WEB_ORIGINS), or the server's. As Better
		// Auth's links do ("/" by default).
		callbackURL = "/"
		if len(s.cfg.TrustedOrigins) > 0 {
			callbackURL = strings.TrimRight(s.cfg.TrustedOrigins[0], "/") + "/"
		}
	}
	return s.serverLink("/api/auth/verify-email") + "?token=" + t.String() + "&callbackURL=" + url.QueryEscape(callbackURL)
}

// passwordLinkURL is the link in a reset or set-password email. With a
// (trusted) redirectTo it leads straight to the front end with ?token=
// added to the query it already has, a relative redirectTo being resolved
// against ServerURL (an email needs an absolute link); otherwise to
// /api/auth/reset-password/<token> on the server.
func (s *Service) passwordLinkURL(t kernel.Token, redirectTo string) string {
	if redirectTo == "" {
		return s.serverLink("/api/auth/reset-password/" + t.String())
	}
	u, err := url.Parse(redirectTo)
	if err != nil { // TrustedURL has parsed it already
		return s.serverLink("/api/auth/reset-password/" + t.String())
	}
	if !u.IsAbs() && s.cfg.ServerURL != nil {
		u = s.cfg.ServerURL.ResolveReference(u)
	}
	q := u.Query()
	q.Set("token", t.String())
	u.RawQuery = q.Encode()
	return u.String()
}
