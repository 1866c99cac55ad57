// Package httpapi is the HTTP surface of tenancy: /api/organizations and
// everything under it, /api/invitations, /api/permissions, and the
// organization-context middleware every request passes through after
// session hydration.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

const (
	tagOrganizations = "Organizations"
	tagMembers       = "Members"
	tagInvitations   = "Invitations"
	tagRoles         = "Roles"
)

// ActiveCookieName is the cookie naming the caller's active organization.
// It holds only the organization's ID: the membership behind it is read
// again on every request.
const ActiveCookieName = "groundwork.active_organization"

// noActiveOrganization is the cookie's value after the user cleared their
// active organization: none, and no falling back to the most recent one.
const noActiveOrganization = "none"

// activeCookieMaxAge is a year: the choice outlives sessions, as users
// expect of "the organization I was last in".
const activeCookieMaxAge = 365 * 24 * 60 * 60

// Options configure a Handler.
type Options struct {
	// Secure marks cookies Secure (SERVER_URL is https).
	Secure bool
}

// Handler serves tenancy's routes.
type Handler struct {
	svc    *application.Service
	secure bool
}

// New returns a Handler over the use cases.
func New(svc *application.Service, o Options) *Handler {
	return &Handler{svc: svc, secure: o.Secure}
}

// Register mounts the routes on r.
func (h *Handler) Register(r *web.Router) {
	api := r.API()
	h.registerOrganizations(api)
	h.registerMembers(api)
	h.registerInvitations(api)
	h.registerRoles(api)
	r.Handle("GET /invitations/{token}", http.HandlerFunc(h.invitationPage))
	r.Handle("POST /invitations/{token}", http.HandlerFunc(h.invitationForm))
}

func (h *Handler) activeCookie(org kernel.OrganizationID) http.Cookie {
	c := http.Cookie{
		Name: ActiveCookieName, Value: org.String(), Path: "/",
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode, MaxAge: activeCookieMaxAge,
	}
	if org.IsZero() {
		c.Value, c.MaxAge = "", -1
	}
	return c
}

// OrganizationContext is the organization-context middleware. For a
// signed-in request it reads the active-organization cookie, re-checks the
// membership (one query) and puts the organization, the caller's role and
// its grants in the kernel context. Without the cookie it picks the
// organization the user used most recently, if any, and sets the cookie;
// the value "none" (the user cleared their choice) means none. A cookie
// naming an organization the user does not (or no longer) belong to gives
// no organization and is cleared. Anonymous requests and /api/auth
// pass untouched, as does a request whose context already carries an
// organization.
func (h *Handler) OrganizationContext(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, ok := kernel.PrincipalFrom(ctx)
		if !ok || strings.HasPrefix(r.URL.Path, "/api/auth/") {
			next.ServeHTTP(w, r)
			return
		}
		if _, ok := kernel.OrganizationFrom(ctx); ok {
			next.ServeHTTP(w, r)
			return
		}
		var (
			org    kernel.OrganizationID
			cookie = false
		)
		if c, err := r.Cookie(ActiveCookieName); err == nil && c.Value == noActiveOrganization {
			next.ServeHTTP(w, r) // chosen: no organization
			return
		} else if err == nil && c.Value != "" {
			cookie = true
			if org, err = kernel.ParseID[kernel.OrganizationKind](c.Value); err != nil {
				h.clearActive(w)
				next.ServeHTTP(w, r)
				return
			}
		} else {
			id, found, err := h.svc.DefaultOrganization(ctx, p.UserID)
			if err != nil {
				web.WriteProblem(w, r, err)
				return
			}
			if !found {
				next.ServeHTTP(w, r)
				return
			}
			org = id
		}
		act, err := h.svc.ActorIn(ctx, org, p.UserID)
		switch {
		case err == nil && !act.Suspended:
		case err == nil || kernel.KindOf(err) == kernel.KindNotFound:
			// Not a member, or suspended: no active organization.
			if cookie {
				h.clearActive(w)
			}
			next.ServeHTTP(w, r)
			return
		case ctx.Err() != nil:
			return
		default:
			web.WriteProblem(w, r, err)
			return
		}
		if !cookie {
			c := h.activeCookie(org)
			http.SetCookie(w, &c)
		}
		web.AddLogAttrs(ctx, slog.String("organization_id", org.String()))
		ctx = context.WithValue(kernel.WithOrganization(ctx, act.Org), activeKey{}, act)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// noneCookie records that the user chose no active organization.
func (h *Handler) noneCookie() http.Cookie {
	c := h.activeCookie(kernel.OrganizationID{})
	c.Value, c.MaxAge = noActiveOrganization, activeCookieMaxAge
	return c
}

func (h *Handler) clearActive(w http.ResponseWriter) {
	c := h.activeCookie(kernel.OrganizationID{})
	http.SetCookie(w, &c)
}

type actorKey struct{}

// activeKey carries the Actor the organization-context middleware read for
// the active organization, members version included.
type activeKey struct{}

// scoped is the middleware of every /api/organizations/{org}/… operation:
// 401 without a user; 404 unless the caller is a member of the
// organization {org} names (an ID or a slug), so another organization's
// existence is never revealed; 403 tenancy.membership_suspended for a
// suspended member, unless whileSuspended. It puts the application.Actor —
// the membership read in this request — in the context for the handler.
func (h *Handler) scoped(api huma.API, whileSuspended bool) func(huma.Context, func(huma.Context)) {
	return func(hctx huma.Context, next func(huma.Context)) {
		ctx := hctx.Context()
		p, err := kernel.RequireUser(ctx)
		if err != nil {
			web.WriteError(api, hctx, err)
			return
		}
		ref := hctx.Param("org")
		a, ok := ctx.Value(activeKey{}).(application.Actor)
		if cur, isOrg := kernel.OrganizationFrom(ctx); !ok || !isOrg || cur.OrganizationID != a.Org.OrganizationID ||
			a.UserID != p.UserID || a.Org.OrganizationID.String() != ref {
			// Not the active organization the middleware just checked (or
			// another middleware set the organization since): check this one.
			org, err := h.svc.ResolveOrganization(ctx, ref)
			if err == nil {
				a, err = h.svc.ActorIn(ctx, org, p.UserID)
			}
			if err != nil {
				web.WriteError(api, hctx, err)
				return
			}
		}
		if a.Suspended && !whileSuspended {
			web.WriteError(api, hctx, application.ErrMembershipSuspended)
			return
		}
		next(huma.WithValue(hctx, actorKey{}, a))
	}
}

// actor returns the Actor scoped put in ctx.
func actor(ctx context.Context) application.Actor {
	a, _ := ctx.Value(actorKey{}).(application.Actor)
	return a
}

// bodyErr puts a use case's field errors under "body.".
func bodyErr(err error) error { return web.BodyFields(err) }

// queryErr puts them under "query.".
func queryErr(err error) error { return web.FieldsIn("query.", err) }

// scopedOp is web.Op for /api/organizations/{org}/…: the caller's
// membership is checked first (401 when signed out, 404 when not a member,
// 403 when suspended).
func (h *Handler) scopedOp(api huma.API, id, method, path, tag, summary, desc string, errs ...int) huma.Operation {
	o := web.Op(id, method, path, tag, summary, desc,
		append([]int{http.StatusUnauthorized, http.StatusNotFound, http.StatusForbidden}, errs...)...)
	o.Middlewares = huma.Middlewares{h.scoped(api, false)}
	return o
}

// OrgPath is the path parameter every scoped input embeds.
type OrgPath struct {
	Org string `path:"org" maxLength:"100" doc:"The organization's ID (org_…) or slug."`
}
