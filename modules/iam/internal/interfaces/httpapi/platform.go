package httpapi

import (
	"context"
	"net/http"

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
}

// PlatformUser is a user as platform administration shows it.
type PlatformUser struct {
	User
	PlatformAdmin bool  `json:"platformAdmin" doc:"Whether the user administers the whole platform."`
	LastLoginAt   *Time `json:"lastLoginAt" doc:"The last sign-in; null if never."`
}

func platformUserJSON(v application.UserView) PlatformUser {
	u := PlatformUser{User: userJSON(v), PlatformAdmin: v.PlatformAdmin}
	if v.LastLoginAt != nil {
		u.LastLoginAt = &Time{*v.LastLoginAt}
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
