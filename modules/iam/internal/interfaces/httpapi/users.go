package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
)

// The answers of the /api/users gate.
var (
	// ErrNoActiveOrganization: the caller has no active organization, so
	// there is no set of users to administer. 403 rather than 404: nothing
	// is hidden, the caller must pick an organization first.
	ErrNoActiveOrganization = kernel.Forbidden("iam.no_active_organization", "Choose an active organization first.")
	errInvalidCursor        = kernel.Invalid("iam.invalid_cursor", "The cursor is not valid; list again from the first page.",
		kernel.FieldError{Field: "query.cursor", Code: "invalid", Message: "The cursor is not one this API returned."})
)

// errForbidden is the answer to a caller whose role lacks permission.
func errForbidden(permission string) *kernel.Error {
	return kernel.Forbidden("iam.forbidden", "You need the "+permission+" permission in this organization.")
}

// The permissions /api/users checks.
const (
	PermUsersRead   = "users:read"
	PermUsersCreate = "users:create"
	PermUsersUpdate = "users:update"
	PermUsersDelete = "users:delete"
)

func (h *Handler) registerUsers(api huma.API) {
	op := func(id, method, path, perm, summary, desc string, errs ...int) huma.Operation {
		return huma.Operation{
			OperationID: id, Method: method, Path: path, Summary: summary,
			Description: desc + " Needs the " + perm + " permission in the active organization.",
			Tags:        []string{tagUsers}, Middlewares: huma.Middlewares{gate(api, perm)},
			Errors: append([]int{http.StatusUnauthorized, http.StatusForbidden}, errs...),
		}
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
	huma.Register(api, op("update-user-admin", http.MethodPatch, "/api/users/{id}", PermUsersUpdate, "Update a user",
		"Refused (403 iam.account_fields_personal): an account's name, username, locale, image and active state belong to its person, "+
			"who changes them through /api/auth, or to a platform admin. An organization removes a member or changes their role instead.",
		http.StatusNotFound), h.updateUserAdmin)
	deleteOp := op("remove-user", http.MethodDelete, "/api/users/{id}", PermUsersDelete, "Remove a user from the organization",
		"Removes the member from the active organization only; the account stays.", http.StatusNotFound, http.StatusServiceUnavailable)
	deleteOp.DefaultStatus = http.StatusNoContent
	huma.Register(api, deleteOp, h.removeUser)
}

// gate answers 401 without a signed-in user, 403 without an active
// organization or without permission in it — before huma reads any input.
func gate(api huma.API, permission string) func(huma.Context, func(huma.Context)) {
	return func(hctx huma.Context, next func(huma.Context)) {
		ctx := hctx.Context()
		if _, ok := kernel.PrincipalFrom(ctx); !ok {
			writeErr(api, hctx, application.ErrUnauthorized)
			return
		}
		org, ok := kernel.OrganizationFrom(ctx)
		if !ok {
			writeErr(api, hctx, ErrNoActiveOrganization)
			return
		}
		if !org.Grants.Allows(permission) {
			writeErr(api, hctx, errForbidden(permission))
			return
		}
		next(hctx)
	}
}

// caller returns who acts and in which organization; the gate has checked
// both exist.
func caller(ctx context.Context) (kernel.UserID, kernel.OrganizationID, error) {
	p, err := RequireUser(ctx)
	if err != nil {
		return kernel.UserID{}, kernel.OrganizationID{}, err
	}
	org, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return kernel.UserID{}, kernel.OrganizationID{}, ErrNoActiveOrganization
	}
	return p.UserID, org.OrganizationID, nil
}

type listUsersInput struct {
	Search string `query:"search" maxLength:"254" doc:"Case-insensitive part of the email or name."`
	Cursor string `query:"cursor" maxLength:"200" doc:"The nextCursor of the previous page; omit for the first."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size."`
}

type listUsersOutput struct {
	Body struct {
		Items      []AdminUser `json:"items" doc:"Ordered by ID (creation order)."`
		NextCursor string      `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
	}
}

func (h *Handler) listUsers(ctx context.Context, in *listUsersInput) (*listUsersOutput, error) {
	_, org, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	after, err := decodeCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	users, next, err := h.svc.ListUsers(ctx, org, in.Search, after, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listUsersOutput{}
	out.Body.Items = make([]AdminUser, 0, len(users))
	for _, u := range users {
		out.Body.Items = append(out.Body.Items, adminUserJSON(u))
	}
	if !next.IsZero() {
		out.Body.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(next.String()))
	}
	return out, nil
}

func decodeCursor(s string) (kernel.UserID, error) {
	if s == "" {
		return kernel.UserID{}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return kernel.UserID{}, errInvalidCursor
	}
	id, err := kernel.ParseID[kernel.UserKind](string(raw))
	if err != nil {
		return kernel.UserID{}, errInvalidCursor
	}
	return id, nil
}

type userIDInput struct {
	ID string `path:"id" maxLength:"100" doc:"The user's ID (usr_…)."`
}

// id parses the path ID; a malformed one names no user: 404, as an unknown
// one or another organization's.
func (in userIDInput) id() (kernel.UserID, error) {
	id, err := kernel.ParseID[kernel.UserKind](in.ID)
	if err != nil {
		return kernel.UserID{}, application.ErrUserNotFound
	}
	return id, nil
}

type adminUserOutput struct {
	Body AdminUser
}

func (h *Handler) getUser(ctx context.Context, in *userIDInput) (*adminUserOutput, error) {
	_, org, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := in.id()
	if err != nil {
		return nil, err
	}
	u, err := h.svc.GetUser(ctx, org, id)
	if err != nil {
		return nil, err
	}
	return &adminUserOutput{Body: adminUserJSON(u)}, nil
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

type invitationOutput struct {
	Body UserInvitation
}

func (h *Handler) createUser(ctx context.Context, in *createUserInput) (*invitationOutput, error) {
	_, org, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := h.svc.AddUser(ctx, org, in.Body.Email)
	if err != nil {
		return nil, err
	}
	return &invitationOutput{Body: UserInvitation{ID: inv.ID, Email: inv.Email, Status: "pending", ExpiresAt: inv.ExpiresAt}}, nil
}

type updateUserAdminInput struct {
	ID string `path:"id" maxLength:"100" doc:"The user's ID (usr_…)."`
}

// updateUserAdmin refuses, after hiding non-members as 404: an
// organization does not change accounts.
func (h *Handler) updateUserAdmin(ctx context.Context, in *updateUserAdminInput) (*struct{}, error) {
	_, org, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := userIDInput{ID: in.ID}.id()
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.GetUser(ctx, org, id); err != nil {
		return nil, err
	}
	return nil, application.ErrAccountFieldsPersonal
}

func (h *Handler) removeUser(ctx context.Context, in *userIDInput) (*struct{}, error) {
	actor, org, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	id, err := in.id()
	if err != nil {
		return nil, err
	}
	if err := h.svc.RemoveUser(ctx, org, actor, id); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}
