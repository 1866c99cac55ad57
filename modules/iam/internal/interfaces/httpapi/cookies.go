package httpapi

import (
	"net/http"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// DefaultCookiePrefix is the cookies' prefix unless AUTH_COOKIE_PREFIX
// says otherwise ("better-auth" keeps a Better Auth deployment's names).
const DefaultCookiePrefix = "groundwork"

// SessionCookieName is the default name of the cookie that carries the
// session token: the raw 256-bit token, which the server stores only as
// its SHA-256 hash. It is <prefix>.session_token.
const SessionCookieName = DefaultCookiePrefix + sessionCookieSuffix

const (
	sessionCookieSuffix = ".session_token"
	// dontRememberCookieSuffix names the cookie that marks a browser whose
	// user signed in with rememberMe false, as Better Auth's dont_remember
	// does: its session cookie is then a browser-session cookie (no
	// Max-Age), also when a request slides the session's expiry.
	dontRememberCookieSuffix = ".dont_remember"
	// adminCookieSuffix names the cookie that keeps a platform admin's own
	// session token while they impersonate someone, as Better Auth's
	// admin_session does; the stop puts it back.
	adminCookieSuffix = ".admin_session"
)

// sessionCookie is the cookie for token, living until expires unless the
// user asked not to be remembered. Max-Age is relative, so the browser's
// clock does not matter.
func (h *Handler) sessionCookie(token string, expires time.Time, remember bool) http.Cookie {
	c := h.baseCookie(h.sessionCookieName, token)
	if remember {
		c.MaxAge = max(1, int(expires.Sub(h.clock.Now()).Seconds()))
	}
	return c
}

// issueCookies are the cookies a new session sets: the token, and the
// dont_remember marker set or cleared.
func (h *Handler) issueCookies(token kernel.Token, expires time.Time, remember bool) []http.Cookie {
	marker := h.baseCookie(h.dontRememberCookieName, "true")
	if remember {
		marker.Value, marker.MaxAge = "", -1
	}
	return []http.Cookie{h.sessionCookie(token.String(), expires, remember), marker}
}

// clearCookies delete the session cookie and the dont_remember marker.
func (h *Handler) clearCookies() []http.Cookie {
	s, m := h.baseCookie(h.sessionCookieName, ""), h.baseCookie(h.dontRememberCookieName, "")
	s.MaxAge, m.MaxAge = -1, -1 // sent as Max-Age=0
	return []http.Cookie{s, m}
}

// impersonationCookies are the cookies of a started impersonation: the
// impersonation session's, and the admin's own token kept aside until
// adminExpires.
func (h *Handler) impersonationCookies(token kernel.Token, expires time.Time, adminToken string, adminExpires time.Time) []http.Cookie {
	admin := h.baseCookie(h.adminCookieName, adminToken)
	admin.MaxAge = max(1, int(adminExpires.Sub(h.clock.Now()).Seconds()))
	return []http.Cookie{h.sessionCookie(token.String(), expires, true), admin}
}

// restoreCookies are the cookies of a stopped impersonation: the admin's
// session back, the kept copy deleted.
func (h *Handler) restoreCookies(adminToken string, adminExpires time.Time, remember bool) []http.Cookie {
	admin := h.baseCookie(h.adminCookieName, "")
	admin.MaxAge = -1
	return []http.Cookie{h.sessionCookie(adminToken, adminExpires, remember), admin}
}

func (h *Handler) baseCookie(name, value string) http.Cookie {
	return http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		Secure:   h.secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// remembered reports whether r's browser did not ask to be forgotten.
func (h *Handler) remembered(r *http.Request) bool {
	_, err := r.Cookie(h.dontRememberCookieName)
	return err != nil
}
