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

var errInvalidCursor = kernel.Invalid("iam.invalid_cursor", "The cursor is not valid; list again from the first page.",
	kernel.FieldError{Field: "query.cursor", Code: "invalid", Message: "The cursor is not one this API returned."})

// The permissions /api/users checks.
const (
	PermUsersRead   = "users:read"
	PermUsersCreate = "users:create"
	PermUsersUpdate = "users:update"
	PermUsersDelete = "users:delete"
)

func (h *Handler) registerUsers(api huma.API) {
	op := func(id, method, path, perm, summary, desc string, errs ...int) huma.Operation {
		return web.PermissionOp(api, perm, id, method, path, tagUsers, summary, desc, errs...)
	}
	huma.Register(api, op("list-users", http.MethodGet, "/api/users", PermUsersRead, "List the organization's users",
		"The members of the active organization whose email or name contains search, a page at a time. Pass the nextCursor of one page as the cursor of the next.",
		http.StatusUnprocessableEntity), h.listUsers)
	huma.Register(api, op("get-user", http.MethodGet, "/api/users/{id}", PermUsersRead, "Get a user",
		"A member of the active organization; anyone else is 404.", http.StatusNotFound), h.getUser)
	createOp := op("create-user", http.MethodPost, "/api/users", PermUsersCreate, "Invite a user",
		"Sends the address an invitation to the active organization with the member role; the person joins when they accept it. "+
			"The answer is the same whether an account exists for the address or not, and no account is created or changed. "+
			"Needs members:invite too; invitations are limited per organization and per inviting user.",
		http.StatusConflict, http.StatusUnprocessableEntity, http.StatusTooManyRequests, http.StatusServiceUnavailable)
	createOp.DefaultStatus = http.StatusAccepted
	huma.Register(api, createOp, h.createUser)
	huma.Register(api, op("update-user-admin", http.MethodPatch, "/api/users/{id}", PermUsersUpdate, "Suspend or reinstate a user in the organization",
		"status suspended suspends the member in this organization only: the membership keeps its role and grants nothing until "+
			"status active reinstates it; the account, its sessions and its other organizations are untouched. Needs members:update too, "+
			"and, as every action on a member, every permission of their role. Account-wide fields (email, name, username, locale, image, "+
			"password, active) belong to the account's person, who changes them through /api/auth, or to a platform admin: "+
			"naming any of them is refused (403 iam.account_fields_personal).",
		http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity), h.updateUserAdmin)
	deleteOp := op("remove-user", http.MethodDelete, "/api/users/{id}", PermUsersDelete, "Remove a user from the organization",
		"Removes the member from the active organization only; the account stays.", http.StatusNotFound, http.StatusServiceUnavailable)
	deleteOp.DefaultStatus = http.StatusNoContent
	huma.Register(api, deleteOp, h.removeUser)
}

// caller returns who acts and in which organization; the gate has checked
// both exist.
func caller(ctx context.Context) (kernel.UserID, kernel.OrganizationID, error) {
	p, err := kernel.RequireUser(ctx)
	if err != nil {
		return kernel.UserID{}, kernel.OrganizationID{}, err
	}
	org, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return kernel.UserID{}, kernel.OrganizationID{}, kernel.ErrNoActiveOrganization
	}
	return p.UserID, org.OrganizationID, nil
}

type listUsersInput struct {
	Search string `query:"search" maxLength:"254" doc:"Case-insensitive part of the email or name."`
	Cursor string `query:"cursor" maxLength:"200" doc:"The nextCursor of the previous page; omit for the first."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size."`
}

func (h *Handler) listUsers(ctx context.Context, in *listUsersInput) (*web.CursorOutput[AdminUser], error) {
	_, org, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	after, err := decodeCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	users, next, err := h.svc.ListUsers(ctx, org, in.Search, after, in.Limit)
	return web.ReplyPage(users, web.EncodeCursor(next), err, adminUserJSON)
}

func decodeCursor(s string) (kernel.UserID, error) {
	id, ok := web.DecodeCursor[kernel.UserKind](s)
	if !ok {
		return kernel.UserID{}, errInvalidCursor
	}
	return id, nil
}

type userIDInput struct {
	ID string `path:"id" maxLength:"100" doc:"The user's ID (usr_…)."`
}

// target is the caller (caller's answers) and the user the path names: a
// malformed ID names no user, 404 as an unknown one.
func (in userIDInput) target(ctx context.Context) (actor kernel.UserID, org kernel.OrganizationID, user kernel.UserID, err error) {
	if actor, org, err = caller(ctx); err != nil {
		return kernel.UserID{}, kernel.OrganizationID{}, kernel.UserID{}, err
	}
	user, err = kernel.ParseIDOr[kernel.UserKind](in.ID, application.ErrUserNotFound)
	return actor, org, user, err
}

func (h *Handler) getUser(ctx context.Context, in *userIDInput) (*web.Output[AdminUser], error) {
	_, org, id, err := in.target(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.GetUser(ctx, org, id)
	return web.Reply(u, err, adminUserJSON)
}

type createUserInput struct {
	Body struct {
		Email string `json:"email" maxLength:"254" doc:"The address to invite."`
	}
}

// UserInvitation is the answer of POST /api/users.
type UserInvitation struct {
	ID        string    `json:"id" doc:"The invitation's ID (inv_…)."`
	Email     string    `json:"email" doc:"The invited address, normalized."`
	Status    string    `json:"status" enum:"pending" doc:"Always pending: the person joins when they accept."`
	ExpiresAt time.Time `json:"expiresAt" doc:"When the link stops working."`
}

func userInvitationJSON(inv application.Invitation) UserInvitation {
	return UserInvitation{ID: inv.ID, Email: inv.Email, Status: "pending", ExpiresAt: inv.ExpiresAt}
}

func (h *Handler) createUser(ctx context.Context, in *createUserInput) (*web.Output[UserInvitation], error) {
	_, org, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := h.svc.AddUser(ctx, org, in.Body.Email)
	return web.Reply(inv, err, userInvitationJSON)
}

type updateUserAdminInput struct {
	ID   string `path:"id" maxLength:"100" doc:"The user's ID (usr_…)."`
	Body struct {
		Status string `json:"status,omitempty" enum:"active,suspended" doc:"suspended suspends the membership in this organization; active reinstates it."`
		// The account's own fields: named only to be refused with a clear
		// answer rather than as unknown properties.
		Email    accountField `json:"email,omitempty"`
		Name     accountField `json:"name,omitempty"`
		Username accountField `json:"username,omitempty"`
		Locale   accountField `json:"locale,omitempty"`
		Image    accountField `json:"image,omitempty"`
		Password accountField `json:"password,omitempty"`
		Active   accountField `json:"active,omitempty"`
	}
}

// accountField is an account-wide field in an organization's request:
// present (with any value, null included) only to be refused.
type accountField struct{ present bool }

// UnmarshalJSON records that the field was sent.
func (f *accountField) UnmarshalJSON([]byte) error {
	f.present = true
	return nil
}

// Schema documents the field as refused, whatever its value.
func (accountField) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Description: "Refused (403 iam.account_fields_personal): the account's person changes it, or a platform admin."}
}

var errNoStatus = kernel.Invalid("iam.invalid_user", "Give the membership's status: active or suspended.",
	kernel.FieldError{Field: "body.status", Code: "required", Message: "is required"})

// updateUserAdmin suspends or reinstates a member, after hiding non-members
// as 404; account-wide fields are refused: an organization does not
// change accounts.
func (h *Handler) updateUserAdmin(ctx context.Context, in *updateUserAdminInput) (*web.Output[AdminUser], error) {
	_, org, id, err := userIDInput{ID: in.ID}.target(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.GetUser(ctx, org, id); err != nil {
		return nil, err
	}
	b := in.Body
	for _, f := range []accountField{b.Email, b.Name, b.Username, b.Locale, b.Image, b.Password, b.Active} {
		if f.present {
			return nil, application.ErrAccountFieldsPersonal
		}
	}
	if b.Status == "" {
		return nil, errNoStatus
	}
	u, err := h.svc.SuspendUser(ctx, org, id, b.Status == "suspended")
	return web.Reply(u, err, adminUserJSON)
}

func (h *Handler) removeUser(ctx context.Context, in *userIDInput) (*struct{}, error) {
	actor, org, id, err := in.target(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.RemoveUser(ctx, org, actor, id); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
