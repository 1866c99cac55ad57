package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// tagPlatformUsers groups iam's platform administration operations.
const tagPlatformUsers = "Platform: users"

// RegisterAdmin mounts iam's platform administration on a: platform
// admins, users across organizations, impersonation.
func (h *Handler) RegisterAdmin(a *web.Admin) {
	api := a.API()
	huma.Register(api, web.Op("list-platform-admins", http.MethodGet, "/admins", tagPlatformUsers,
		"List the platform admins", "Every user with the platform admin flag, by ID."), h.listPlatformAdmins)
	huma.Register(api, web.Op("promote-platform-admin", http.MethodPost, "/admins", tagPlatformUsers,
		"Make a user a platform admin",
		"Names the user by userId or by email (one of them). Promoting an admin again changes nothing. A deactivated user cannot be promoted (422 platform.user_deactivated).",
		http.StatusNotFound, http.StatusUnprocessableEntity), h.promotePlatformAdmin)
	huma.Register(api, web.Op("demote-platform-admin", http.MethodDelete, "/admins", tagPlatformUsers,
		"End a user's platform administration",
		"Names the user by userId or email, in the body or the query. The last platform admin can never be removed (409 platform.last_admin), also when two requests race.",
		http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity), h.demotePlatformAdmin)
	h.registerPlatformUsers(api)
	huma.Register(api, web.Op("impersonate-user", http.MethodPost, "/users/{id}/impersonate", tagPlatformUsers,
		"Act as a user",
		"Opens a session in which you act as the user, for at most IMPERSONATION_MAX (default 1 h), never refreshed; your own session "+
			"is kept aside in the admin_session cookie and restored by POST /api/v1/platform/impersonation/stop. A reason of at least 5 characters "+
			"is required and recorded. Never another platform admin, a deactivated user or yourself (422). While impersonating you cannot "+
			"change the user's password or sessions, delete the account, or reach /api/v1/platform; every audit entry names you as the impersonator.",
		http.StatusNotFound, http.StatusUnprocessableEntity), h.impersonate)
}

// registerPlatformUsers mounts users across organizations.
func (h *Handler) registerPlatformUsers(api huma.API) {
	huma.Register(api, web.Op("list-platform-users", http.MethodGet, "/users", tagPlatformUsers,
		"List and search users",
		"Every user, newest first, a page at a time (pass nextCursor as cursor). Filters narrow: search (email or name), emailPrefix, name, "+
			"verified, active (may sign in now), platformAdmin, createdFrom (inclusive) and createdTo (exclusive).",
		http.StatusUnprocessableEntity), h.listPlatformUsers)
	huma.Register(api, web.Op("get-platform-user", http.MethodGet, "/users/{id}", tagPlatformUsers,
		"Get a user", "The account with the organizations it belongs to and its active sessions.", http.StatusNotFound), h.getPlatformUser)
	huma.Register(api, web.Op("deactivate-user", http.MethodPost, "/users/{id}/deactivate", tagPlatformUsers,
		"Deactivate a user",
		"Ends every session at once; sign-in then answers 403 BANNED_USER (Better Auth's admin plugin's answer) until until, if given, "+
			"or until reactivated. A reason of at least 5 characters is required. Not yourself, nor the last platform admin (409 platform.last_admin).",
		http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity), h.deactivateUser)
	huma.Register(api, web.Op("reactivate-user", http.MethodPost, "/users/{id}/reactivate", tagPlatformUsers,
		"Reactivate a user", "Lets a deactivated user sign in again.", http.StatusNotFound), h.reactivateUser)
	revoke := web.Op("revoke-platform-user-sessions", http.MethodDelete, "/users/{id}/sessions", tagPlatformUsers,
		"End every session of a user", "", http.StatusNotFound)
	revoke.DefaultStatus = http.StatusNoContent
	huma.Register(api, revoke, h.revokePlatformUserSessions)
	revokeOne := web.Op("revoke-platform-user-session", http.MethodDelete, "/users/{id}/sessions/{sessionId}", tagPlatformUsers,
		"End one session of a user", "", http.StatusNotFound)
	revokeOne.DefaultStatus = http.StatusNoContent
	huma.Register(api, revokeOne, h.revokePlatformUserSession)
	huma.Register(api, web.Op("mark-user-email-verified", http.MethodPost, "/users/{id}/verify-email", tagPlatformUsers,
		"Mark a user's email verified", "", http.StatusNotFound), h.markEmailVerified)
	reset := web.Op("send-user-password-reset", http.MethodPost, "/users/{id}/password-reset", tagPlatformUsers,
		"Send a user a password reset link", "Earlier links stop working; the email is sent by a job.", http.StatusNotFound)
	reset.DefaultStatus = http.StatusAccepted
	huma.Register(api, reset, h.sendPasswordReset)
	del := web.Op("delete-platform-user", http.MethodDelete, "/users/{id}", tagPlatformUsers,
		"Delete a user",
		"The same clean-up as the user's own deletion: sessions, tokens, memberships and notifications go; the audit log keeps the ID. "+
			"Not yourself (422), nor the last platform admin (409).",
		http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
	del.DefaultStatus = http.StatusNoContent
	huma.Register(api, del, h.deletePlatformUser)
}

var errInvalidFilter = func(field, msg string) error {
	return kernel.Invalid("iam.invalid_filter", "A filter is not valid.", kernel.FieldError{Field: field, Code: "invalid", Message: msg})
}

type listPlatformUsersInput struct {
	Search        string    `query:"search" maxLength:"254" doc:"Case-insensitive part of the email or name."`
	EmailPrefix   string    `query:"emailPrefix" maxLength:"254" doc:"The start of the email."`
	Name          string    `query:"name" maxLength:"200" doc:"Case-insensitive part of the name."`
	Verified      string    `query:"verified" enum:"true,false" doc:"Only users whose email is (not) verified."`
	Active        string    `query:"active" enum:"true,false" doc:"Only users who may (not) sign in now."`
	PlatformAdmin string    `query:"platformAdmin" enum:"true,false" doc:"Only (non-)platform admins."`
	CreatedFrom   time.Time `query:"createdFrom" doc:"Only users created at or after this time (RFC 3339)."`
	CreatedTo     time.Time `query:"createdTo" doc:"Only users created before this time (RFC 3339)."`
	Cursor        string    `query:"cursor" maxLength:"200" doc:"The nextCursor of the previous page; omit for the first."`
	Limit         int       `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size."`
}

// optBool reads an enum true/false query parameter; "" is unset.
func optBool(s string) *bool {
	if s == "" {
		return nil
	}
	b := s == "true"
	return &b
}

func (h *Handler) listPlatformUsers(ctx context.Context, in *listPlatformUsersInput) (*web.CursorOutput[PlatformUser], error) {
	after, err := decodeCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	if !in.CreatedFrom.IsZero() && !in.CreatedTo.IsZero() && !in.CreatedFrom.Before(in.CreatedTo) {
		return nil, errInvalidFilter("query.createdTo", "Must be after createdFrom.")
	}
	users, next, err := h.svc.ListPlatformUsers(ctx, application.PlatformUserQuery{
		Search: in.Search, EmailPrefix: in.EmailPrefix, Name: in.Name,
		Verified: optBool(in.Verified), Active: optBool(in.Active), PlatformAdmin: optBool(in.PlatformAdmin),
		CreatedFrom: in.CreatedFrom, CreatedTo: in.CreatedTo, After: after, Limit: in.Limit,
	})
	return web.ReplyPage(users, web.EncodeCursor(next), err, platformUserJSON)
}

// PlatformUserID names a user in a platform route's path. It is exported
// because huma reads the parameters of an embedded struct only when it is.
type PlatformUserID struct {
	ID string `path:"id" maxLength:"100" doc:"The user's ID (usr_…)."`
}

// user is the user the path names: a malformed ID is 404 as an unknown
// one. It also returns the acting admin.
func (in PlatformUserID) user(ctx context.Context) (admin, user kernel.UserID, err error) {
	p, err := kernel.RequirePlatformAdmin(ctx)
	if err != nil {
		return kernel.UserID{}, kernel.UserID{}, err
	}
	user, err = kernel.ParseIDOr[kernel.UserKind](in.ID, application.ErrUserNotFound)
	return p.UserID, user, err
}

// PlatformUserDetail is one user in platform administration.
type PlatformUserDetail struct {
	PlatformUser
	Organizations []PlatformUserOrganization `json:"organizations" doc:"The organizations the user belongs to."`
	Sessions      []Session                  `json:"sessions" doc:"The user's active sessions, impersonations included."`
}

// PlatformUserOrganization is an organization a user belongs to.
type PlatformUserOrganization struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Slug   string `json:"slug"`
	Role   string `json:"role"`
	Status string `json:"status" enum:"active,suspended"`
}

func platformUserDetailJSON(d application.PlatformUserDetail) PlatformUserDetail {
	out := PlatformUserDetail{PlatformUser: platformUserJSON(d.UserView),
		Organizations: make([]PlatformUserOrganization, 0, len(d.Organizations)), Sessions: make([]Session, 0, len(d.Sessions))}
	for _, o := range d.Organizations {
		status := "active"
		if o.Suspended {
			status = "suspended"
		}
		out.Organizations = append(out.Organizations, PlatformUserOrganization{ID: o.ID.String(), Name: o.Name, Slug: o.Slug, Role: o.Role, Status: status})
	}
	for _, s := range d.Sessions {
		out.Sessions = append(out.Sessions, sessionJSON(s))
	}
	return out
}

func (h *Handler) getPlatformUser(ctx context.Context, in *PlatformUserID) (*web.Output[PlatformUserDetail], error) {
	_, id, err := in.user(ctx)
	if err != nil {
		return nil, err
	}
	d, err := h.svc.PlatformUser(ctx, id)
	return web.Reply(d, err, platformUserDetailJSON)
}

type deactivateInput struct {
	PlatformUserID
	Body struct {
		Reason string     `json:"reason,omitempty" maxLength:"500" doc:"Why, at least 5 characters (required); recorded in the audit log."`
		Until  *time.Time `json:"until,omitempty" doc:"When the deactivation ends by itself (RFC 3339, in the future); omit for until reactivated."`
	}
}

func (h *Handler) deactivateUser(ctx context.Context, in *deactivateInput) (*web.Output[PlatformUser], error) {
	admin, id, err := in.user(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.DeactivateUser(ctx, admin, id, in.Body.Reason, in.Body.Until)
	return web.Reply(u, web.BodyFields(err), platformUserJSON)
}

func (h *Handler) reactivateUser(ctx context.Context, in *PlatformUserID) (*web.Output[PlatformUser], error) {
	admin, id, err := in.user(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.ReactivateUser(ctx, admin, id)
	return web.Reply(u, err, platformUserJSON)
}

func (h *Handler) revokePlatformUserSessions(ctx context.Context, in *PlatformUserID) (*struct{}, error) {
	_, id, err := in.user(ctx)
	if err != nil {
		return nil, err
	}
	return nil, h.svc.RevokeUserSessions(ctx, id)
}

type platformUserSessionInput struct {
	PlatformUserID
	SessionID string `path:"sessionId" maxLength:"100" doc:"The session's ID (ses_…)."`
}

func (h *Handler) revokePlatformUserSession(ctx context.Context, in *platformUserSessionInput) (*struct{}, error) {
	_, id, err := in.user(ctx)
	if err != nil {
		return nil, err
	}
	sid, err := kernel.ParseIDOr[kernel.SessionKind](in.SessionID, application.ErrUnknownSession)
	if err != nil {
		return nil, err
	}
	return nil, h.svc.RevokeUserSession(ctx, id, sid)
}

func (h *Handler) markEmailVerified(ctx context.Context, in *PlatformUserID) (*web.Output[PlatformUser], error) {
	admin, id, err := in.user(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.MarkEmailVerified(ctx, admin, id)
	return web.Reply(u, err, platformUserJSON)
}

func (h *Handler) sendPasswordReset(ctx context.Context, in *PlatformUserID) (*struct{}, error) {
	admin, id, err := in.user(ctx)
	if err != nil {
		return nil, err
	}
	return nil, h.svc.SendPasswordReset(ctx, admin, id)
}

func (h *Handler) deletePlatformUser(ctx context.Context, in *PlatformUserID) (*struct{}, error) {
	admin, id, err := in.user(ctx)
	if err != nil {
		return nil, err
	}
	return nil, h.svc.DeleteUserAsAdmin(ctx, admin, id)
}

type impersonateInput struct {
	PlatformUserID
	clientMeta
	Body struct {
		Reason string `json:"reason,omitempty" maxLength:"500" doc:"Why, at least 5 characters (required); recorded with the start."`
	}
}

// impersonationOutput is what starting and stopping answer: the session
// now in the cookie and its user, as get-session shows them.
type impersonationOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      impersonationBody
}

type impersonationBody struct {
	Session Session `json:"session"`
	User    User    `json:"user"`
}

func (h *Handler) impersonate(ctx context.Context, in *impersonateInput) (*impersonationOutput, error) {
	admin, id, err := in.user(ctx)
	if err != nil {
		return nil, err
	}
	own, ok := currentSession(ctx)
	token, _ := ctx.Value(tokenKey{}).(string)
	if !ok || token == "" {
		return nil, kernel.ErrUnauthenticated // an admin without a cookie session (a test principal)
	}
	imp, err := h.svc.StartImpersonation(ctx, admin, id, in.Body.Reason, in.meta)
	if err != nil {
		return nil, web.BodyFields(err)
	}
	return &impersonationOutput{
		SetCookie: h.impersonationCookies(imp.Token, imp.Session.ExpiresAt, token, own.Session.ExpiresAt),
		Body:      impersonationBody{Session: sessionJSON(imp.Session), User: userJSON(imp.User)},
	}, nil
}

type stopImpersonatingInput struct {
	Cookie string `header:"Cookie" doc:"The session cookie and the admin_session cookie the start set."`
}

// stopImpersonating ends the impersonation and puts the admin's own
// session back in the cookie. It works also once the impersonation has
// expired, as long as the admin's own session lives.
func (h *Handler) stopImpersonating(ctx context.Context, in *stopImpersonatingInput) (*impersonationOutput, error) {
	cookies, _ := http.ParseCookie(in.Cookie)
	var current, adminToken string
	remember := true
	for _, c := range cookies {
		switch c.Name {
		case h.sessionCookieName:
			current = c.Value
		case h.adminCookieName:
			adminToken = c.Value
		case h.dontRememberCookieName:
			remember = false
		}
	}
	if current == "" && adminToken == "" {
		return nil, kernel.ErrUnauthenticated
	}
	admin, err := h.svc.StopImpersonation(ctx, current, adminToken)
	if err != nil {
		return nil, err
	}
	return &impersonationOutput{
		SetCookie: h.restoreCookies(adminToken, admin.Session.ExpiresAt, remember),
		Body:      impersonationBody{Session: sessionJSON(admin.Session), User: userJSON(admin.User)},
	}, nil
}

// registerImpersonationStop mounts POST /api/v1/platform/impersonation/stop
// outside the admin gate: the one platform route an impersonated session
// reaches.
func (h *Handler) registerImpersonationStop(api huma.API) {
	huma.Register(api, web.Op("stop-impersonating", http.MethodPost, web.AdminPrefix+"/impersonation/stop", tagPlatformUsers,
		"Stop impersonating",
		"Ends the impersonation (also one that has expired) and puts your own session back in the cookie: the answer is that session. "+
			"422 platform.not_impersonating when there is nothing to stop; 401 when your own session has ended meanwhile.",
		http.StatusUnauthorized, http.StatusUnprocessableEntity), h.stopImpersonating)
}

// PlatformUser is a user as platform administration shows it.
type PlatformUser struct {
	User
	PlatformAdmin      bool    `json:"platformAdmin" doc:"Whether the user administers the whole platform."`
	LastLoginAt        *Time   `json:"lastLoginAt" doc:"The last sign-in; null if never."`
	DeactivationReason *string `json:"deactivationReason" doc:"Why a platform admin deactivated the user; null while active."`
	DeactivatedUntil   *Time   `json:"deactivatedUntil" doc:"When the deactivation ends by itself; null while active or until reactivated."`
}

func platformUserJSON(v application.UserView) PlatformUser {
	u := PlatformUser{User: userJSON(v), PlatformAdmin: v.PlatformAdmin}
	if v.LastLoginAt != nil {
		u.LastLoginAt = &Time{*v.LastLoginAt}
	}
	if !v.Active {
		u.DeactivationReason = &v.DeactivationReason
	}
	if v.DeactivatedUntil != nil {
		u.DeactivatedUntil = &Time{*v.DeactivatedUntil}
	}
	return u
}

func (h *Handler) listPlatformAdmins(ctx context.Context, _ *struct{}) (*web.ItemsOutput[PlatformUser], error) {
	admins, err := h.svc.PlatformAdmins(ctx)
	return web.ReplyItems(admins, err, platformUserJSON)
}

// userRef names a user by ID or by email.
type userRef struct {
	UserID string `json:"userId,omitempty" maxLength:"100" doc:"The user's ID (usr_…); or give email."`
	Email  string `json:"email,omitempty" maxLength:"254" doc:"The user's email address; or give userId."`
}

var errUserRef = kernel.Invalid("iam.invalid_user_ref", "Name the user by userId or by email, not both.",
	kernel.FieldError{Field: "body.userId", Code: "required", Message: "Give exactly one of userId and email."})

// resolve returns the user ref names: 404 iam.user_not_found for nobody.
func (h *Handler) resolve(ctx context.Context, ref userRef) (kernel.UserID, error) {
	switch {
	case (ref.UserID == "") == (ref.Email == ""):
		return kernel.UserID{}, errUserRef
	case ref.UserID != "":
		return kernel.ParseIDOr[kernel.UserKind](ref.UserID, application.ErrUserNotFound)
	}
	u, err := h.svc.UserByEmail(ctx, ref.Email)
	return u.ID, err
}

type promoteInput struct {
	Body userRef
}

func (h *Handler) promotePlatformAdmin(ctx context.Context, in *promoteInput) (*web.Output[PlatformUser], error) {
	return h.setPlatformAdmin(ctx, in.Body, true)
}

type demoteInput struct {
	UserID string   `query:"userId" maxLength:"100" doc:"The user's ID, when not in the body."`
	Email  string   `query:"email" maxLength:"254" doc:"The user's email, when not in the body."`
	Body   *userRef `required:"false"`
}

func (h *Handler) demotePlatformAdmin(ctx context.Context, in *demoteInput) (*web.Output[PlatformUser], error) {
	ref := userRef{UserID: in.UserID, Email: in.Email}
	if in.Body != nil && (in.Body.UserID != "" || in.Body.Email != "") {
		if ref != (userRef{}) {
			return nil, errUserRef
		}
		ref = *in.Body
	}
	return h.setPlatformAdmin(ctx, ref, false)
}

func (h *Handler) setPlatformAdmin(ctx context.Context, ref userRef, admin bool) (*web.Output[PlatformUser], error) {
	p, err := kernel.RequirePlatformAdmin(ctx)
	if err != nil {
		return nil, err
	}
	id, err := h.resolve(ctx, ref)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.SetPlatformAdmin(ctx, p.UserID, id, admin)
	return web.Reply(u, err, platformUserJSON)
}
