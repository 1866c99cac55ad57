// Package httpapi is the HTTP surface of iam: the Better Auth–compatible
// /api/auth (huma operations, plus plain handlers for the two GET links that
// redirect), the tenant-scoped /api/users, and the session hydration
// middleware every request passes through.
package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

const (
	tagAuth  = "Auth"
	tagUsers = "Users"
)

// UserFunc returns a user by ID, for answers that show the caller's user
// when the use case returned none.
type UserFunc func(ctx context.Context, id kernel.UserID) (application.UserView, error)

// Options configure a Handler.
type Options struct {
	// Secure marks cookies Secure (SERVER_URL is https).
	Secure bool
	// Clock computes cookie lifetimes; nil is the system clock.
	Clock kernel.Clock
	// User looks a user up by ID.
	User UserFunc
	// CookiePrefix prefixes the cookies' names (AUTH_COOKIE_PREFIX);
	// empty is DefaultCookiePrefix.
	CookiePrefix string
}

// Handler serves iam's routes.
type Handler struct {
	svc    *application.Service
	secure bool
	clock  kernel.Clock
	user   UserFunc

	sessionCookieName, dontRememberCookieName string
	adminCookieName                           string
}

// New returns a Handler over the use cases.
func New(svc *application.Service, o Options) *Handler {
	if o.Clock == nil {
		o.Clock = kernel.SystemClock{}
	}
	prefix := o.CookiePrefix
	if prefix == "" {
		prefix = DefaultCookiePrefix
	}
	return &Handler{
		svc: svc, secure: o.Secure, clock: o.Clock, user: o.User,
		sessionCookieName: prefix + sessionCookieSuffix, dontRememberCookieName: prefix + dontRememberCookieSuffix,
		adminCookieName: prefix + adminCookieSuffix,
	}
}

// Register mounts /api/auth and /api/users on r. Hydrate must run before
// them (Router.Use).
func (h *Handler) Register(r *web.Router) {
	h.registerAuth(r)
	h.registerUsers(r.API())
	h.registerImpersonationStop(r.API())
	h.registerBetterAuthAdmin(r.API())
}

type sessionKey struct{}

// tokenKey carries the session cookie's raw value, for sign-out.
type tokenKey struct{}

// adminTokenKey carries the admin_session cookie's raw value: the platform
// admin's own session, set aside while they impersonate someone.
type adminTokenKey struct{}

// Hydrate is the session hydration middleware. A request with a live
// session cookie gets the kernel principal (and the session, for
// get-session) in its context and user_id on its logger; when this request
// slid the session's expiry, the cookie is sent again with the new Max-Age.
// A request without the cookie is passed on untouched, without a database
// round trip. A malformed, unknown or expired cookie, or a deactivated
// user's, makes the request anonymous and clears the cookie: never a 500.
// Only a failure to read the session (the database is down) is an error
// response.
func (h *Handler) Hydrate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(h.sessionCookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		a, err := h.svc.Authenticate(ctx, c.Value)
		switch {
		case err == nil:
		case kernel.KindOf(err) == kernel.KindUnauthenticated:
			for _, c := range h.clearCookies() {
				http.SetCookie(w, &c)
			}
			next.ServeHTTP(w, r)
			return
		case ctx.Err() != nil:
			return // the client went away
		default:
			web.WriteProblem(w, r, err)
			return
		}
		if a.Refreshed {
			sc := h.sessionCookie(c.Value, a.Session.ExpiresAt, h.remembered(r))
			http.SetCookie(w, &sc)
		}
		ctx = kernel.WithPrincipal(ctx, kernel.Principal{
			UserID:         a.User.ID,
			SessionID:      a.Session.ID,
			PlatformAdmin:  a.User.PlatformAdmin,
			ImpersonatorID: a.Session.ImpersonatedBy,
		})
		ctx = context.WithValue(ctx, sessionKey{}, a)
		token := c.Value
		ctx = context.WithValue(ctx, tokenKey{}, token)
		if ac, err := r.Cookie(h.adminCookieName); err == nil && ac.Value != "" {
			ctx = context.WithValue(ctx, adminTokenKey{}, ac.Value)
		}
		ctx = kernel.WithSessionRecheck(ctx, func(ctx context.Context) bool {
			_, err := h.svc.Authenticate(ctx, token)
			// Only a definite "no" ends the session's streams; a database
			// hiccup does not.
			return kernel.KindOf(err) != kernel.KindUnauthenticated
		})
		web.AddLogAttrs(ctx, slog.String("user_id", a.User.ID.String()))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// currentSession returns the session Hydrate resolved for this request.
func currentSession(ctx context.Context) (*application.Authenticated, bool) {
	a, ok := ctx.Value(sessionKey{}).(*application.Authenticated)
	return a, ok && a != nil
}

// clientMeta is embedded in the inputs of use cases that record or limit
// by the client: huma resolves it from the request. The address is the TCP
// peer's; X-Forwarded-For is not trusted, since any client can send it.
type clientMeta struct {
	meta application.Meta
}

// Resolve reads the client's address and User-Agent.
func (c *clientMeta) Resolve(hctx huma.Context) []error {
	c.meta = application.Meta{IP: remoteIP(hctx.RemoteAddr()), UserAgent: hctx.Header("User-Agent")}
	return nil
}

func remoteIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
