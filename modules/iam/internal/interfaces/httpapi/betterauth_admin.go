package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// tagAuthAdmin groups Better Auth's admin plugin routes.
const tagAuthAdmin = "Auth: admin (Better Auth)"

// betterAuthImpersonationReason is the reason recorded for an
// impersonation started through Better Auth's admin client, which sends
// none.
const betterAuthImpersonationReason = "started with Better Auth's admin client (impersonate-user)"

// Better Auth's admin plugin's answers (ADMIN_ERROR_CODES), for the
// operations a caller who is not a platform admin may not call, and for
// what the use cases refuse.
var betterAuthAdminMessages = map[string]string{
	"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS":            "You are not allowed to list users",
	"YOU_ARE_NOT_ALLOWED_TO_GET_USER":              "You are not allowed to get user",
	"YOU_ARE_NOT_ALLOWED_TO_BAN_USERS":             "You are not allowed to ban users",
	"YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS":     "You are not allowed to impersonate users",
	"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS":   "You are not allowed to list users sessions",
	"YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS": "You are not allowed to revoke users sessions",
	"YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE":     "You are not allowed to change users role",
	"YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS":          "You are not allowed to delete users",
}

var errSetNonExistentRole = kernel.Invalid("YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE",
	"You are not allowed to set a non-existent role value")

// betterAuthAdminProblem is the admin routes' web.ProblemRewriteKey: our
// refusals as Better Auth's admin plugin words them, then /api/auth's
// statuses.
func betterAuthAdminProblem(p *web.Problem) {
	set := func(status int, code, msg string) {
		p.Status, p.Code, p.Detail, p.Message = status, code, msg, msg
	}
	switch p.Code {
	case "iam.user_not_found":
		set(http.StatusNotFound, "USER_NOT_FOUND", "User not found")
	case "platform.cannot_deactivate_self":
		set(http.StatusBadRequest, "YOU_CANNOT_BAN_YOURSELF", "You cannot ban yourself")
	case "platform.cannot_delete_self":
		set(http.StatusBadRequest, "YOU_CANNOT_REMOVE_YOURSELF", "You cannot remove yourself")
	case "platform.cannot_impersonate_admin", "platform.cannot_impersonate_self":
		set(http.StatusForbidden, "YOU_CANNOT_IMPERSONATE_ADMINS", "You cannot impersonate admins")
	case "platform.not_impersonating":
		set(http.StatusBadRequest, "NOT_IMPERSONATING", "You are not impersonating anyone")
	case "SESSION_NOT_FOUND", "iam.unknown_session":
		p.Status = http.StatusNotFound
	}
	betterAuthProblem(p)
}

// betterAuthAdminGate lets platform admins acting as themselves through,
// and answers anyone else signed in with code, as Better Auth's admin
// plugin answers a user without the permission.
func betterAuthAdminGate(code string) func(context.Context) error {
	refusal := kernel.Forbidden(code, betterAuthAdminMessages[code])
	return func(ctx context.Context) error {
		p, err := kernel.RequireUser(ctx)
		if err != nil {
			return err
		}
		if !p.PlatformAdmin || !p.ImpersonatorID.IsZero() {
			return refusal
		}
		return nil
	}
}

// registerBetterAuthAdmin mounts /api/auth/admin: Better Auth's admin
// plugin, spoken over the platform administration use cases, so that an
// admin screen written with its adminClient works unchanged. Its "admin"
// role is the platform admin flag.
func (h *Handler) registerBetterAuthAdmin(api huma.API) {
	op := func(id, method, path, summary, refusal string, errs ...int) huma.Operation {
		o := huma.Operation{
			OperationID: "better-auth-admin-" + id, Method: method, Path: "/api/auth/admin" + path,
			Summary: summary, Tags: []string{tagAuthAdmin},
			Description: "Better Auth's admin plugin route, over Groundwork's platform administration (/api/v1/platform); " +
				"its admin role is the platform admin flag. Anyone else signed in gets 403 " + refusal + ".",
			Errors:   append([]int{http.StatusUnauthorized, http.StatusForbidden}, errs...),
			Metadata: map[string]any{web.ProblemRewriteKey: betterAuthAdminProblem},
		}
		o.Middlewares = huma.Middlewares{web.Gate(api, betterAuthAdminGate(refusal))}
		return o
	}
	huma.Register(api, op("list-users", http.MethodGet, "/list-users", "List users", "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS",
		http.StatusBadRequest), h.baListUsers)
	huma.Register(api, op("get-user", http.MethodGet, "/get-user", "Get a user", "YOU_ARE_NOT_ALLOWED_TO_GET_USER",
		http.StatusNotFound), h.baGetUser)
	huma.Register(api, op("ban-user", http.MethodPost, "/ban-user", "Ban a user", "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS",
		http.StatusBadRequest, http.StatusNotFound, http.StatusConflict), h.baBanUser)
	huma.Register(api, op("unban-user", http.MethodPost, "/unban-user", "Unban a user", "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS",
		http.StatusNotFound), h.baUnbanUser)
	huma.Register(api, op("impersonate-user", http.MethodPost, "/impersonate-user", "Impersonate a user",
		"YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS", http.StatusBadRequest, http.StatusNotFound), h.baImpersonate)
	huma.Register(api, op("list-user-sessions", http.MethodPost, "/list-user-sessions", "List a user's sessions",
		"YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS", http.StatusNotFound), h.baListUserSessions)
	huma.Register(api, op("revoke-user-session", http.MethodPost, "/revoke-user-session", "Revoke a session",
		"YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS", http.StatusNotFound), h.baRevokeUserSession)
	huma.Register(api, op("revoke-user-sessions", http.MethodPost, "/revoke-user-sessions", "Revoke every session of a user",
		"YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS", http.StatusNotFound), h.baRevokeUserSessions)
	huma.Register(api, op("set-role", http.MethodPost, "/set-role", "Set a user's role",
		"YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE", http.StatusBadRequest, http.StatusNotFound, http.StatusConflict), h.baSetRole)
	huma.Register(api, op("remove-user", http.MethodPost, "/remove-user", "Remove a user",
		"YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS", http.StatusBadRequest, http.StatusNotFound, http.StatusConflict), h.baRemoveUser)
	huma.Register(api, huma.Operation{
		OperationID: "better-auth-admin-stop-impersonating", Method: http.MethodPost, Path: "/api/auth/admin/stop-impersonating",
		Summary: "Stop impersonating", Tags: []string{tagAuthAdmin},
		Description: "Better Auth's stop-impersonating: POST /api/v1/platform/impersonation/stop under its name.",
		Errors:      []int{http.StatusBadRequest, http.StatusUnauthorized},
		Metadata:    map[string]any{web.ProblemRewriteKey: betterAuthAdminProblem},
	}, h.stopImpersonating)
}

// AdminAuthUser is a user as Better Auth's admin plugin shows one: its user,
// with the plugin's role and ban fields.
type AdminAuthUser struct {
	User
	Role       string  `json:"role" enum:"admin,user" doc:"admin for a platform admin, else user."`
	Banned     bool    `json:"banned" doc:"Whether the user is deactivated now."`
	BanReason  *string `json:"banReason" doc:"Why; null when not banned."`
	BanExpires *Time   `json:"banExpires" doc:"When the ban ends by itself; null when never or not banned."`
}

func (h *Handler) adminAuthUser(v application.UserView) AdminAuthUser {
	u := AdminAuthUser{User: userJSON(v), Role: "user"}
	if v.PlatformAdmin {
		u.Role = "admin"
	}
	now := h.clock.Now()
	if !v.Active && (v.DeactivatedUntil == nil || now.Before(*v.DeactivatedUntil)) {
		u.Banned, u.BanReason = true, &v.DeactivationReason
		if v.DeactivatedUntil != nil {
			u.BanExpires = &Time{*v.DeactivatedUntil}
		}
	}
	return u
}

type baUserBody struct {
	User AdminAuthUser `json:"user"`
}

func (h *Handler) baUserReply(v application.UserView, err error) (*web.Output[baUserBody], error) {
	return web.Reply(v, err, func(v application.UserView) baUserBody { return baUserBody{User: h.adminAuthUser(v)} })
}

type baSuccessOutput struct {
	Body struct {
		Success bool `json:"success"`
	}
}

func baSuccess(err error) (*baSuccessOutput, error) {
	if err != nil {
		return nil, err
	}
	out := &baSuccessOutput{}
	out.Body.Success = true
	return out, nil
}

// baActor is the acting platform admin and the user a body names (a
// malformed ID is 404 as an unknown one).
func baActor(ctx context.Context, userID string) (admin, user kernel.UserID, err error) {
	p, err := kernel.RequirePlatformAdmin(ctx)
	if err != nil {
		return kernel.UserID{}, kernel.UserID{}, err
	}
	user, err = kernel.ParseIDOr[kernel.UserKind](userID, application.ErrUserNotFound)
	return p.UserID, user, err
}

type baListUsersInput struct {
	SearchValue    string `query:"searchValue" maxLength:"254"`
	SearchField    string `query:"searchField" enum:"email,name"`
	SearchOperator string `query:"searchOperator" enum:"contains,starts_with,ends_with"`
	Limit          int    `query:"limit" minimum:"0" maximum:"1000"`
	Offset         int    `query:"offset" minimum:"0"`
	SortBy         string `query:"sortBy" enum:"id,email,name,createdAt,updatedAt"`
	SortDirection  string `query:"sortDirection" enum:"asc,desc"`
	FilterField    string `query:"filterField" enum:"id,email,name,role,banned,emailVerified"`
	FilterValue    string `query:"filterValue" maxLength:"254"`
	FilterOperator string `query:"filterOperator" enum:"eq,ne,contains,starts_with,ends_with"`
}

type baListUsersOutput struct {
	Body struct {
		Users  []AdminAuthUser `json:"users"`
		Total  int             `json:"total"`
		Limit  *int            `json:"limit,omitempty"`
		Offset *int            `json:"offset,omitempty"`
	}
}

var errBadFilter = kernel.Invalid("iam.invalid_filter", "This filter is not supported.",
	kernel.FieldError{Field: "query.filterOperator", Code: "unsupported", Message: "id, role, banned and emailVerified take eq or ne; email and name take eq, ne, contains, starts_with or ends_with."})

func (in *baListUsersInput) query() (application.UserQuery, error) {
	q := application.UserQuery{Limit: in.Limit, Offset: in.Offset, SortBy: in.SortBy, SortDesc: in.SortDirection == "desc"}
	if in.SearchValue != "" {
		q.Matches = append(q.Matches, application.TextMatch{
			Field: cmpOr(in.SearchField, "email"), Op: application.MatchOp(cmpOr(in.SearchOperator, "contains")), Value: in.SearchValue,
		})
	}
	if in.FilterField == "" && in.FilterValue == "" {
		return q, nil
	}
	field, op, v := cmpOr(in.FilterField, "email"), application.MatchOp(cmpOr(in.FilterOperator, "eq")), in.FilterValue
	flag := func(set func(b bool)) error {
		if op != application.MatchEqual && op != application.MatchNotEqual {
			return errBadFilter
		}
		set((v == "true") == (op == application.MatchEqual))
		return nil
	}
	var err error
	switch field {
	case "email", "name":
		q.Matches = append(q.Matches, application.TextMatch{Field: field, Op: op, Value: v})
	case "role":
		if (v != "admin" && v != "user") || (op != application.MatchEqual && op != application.MatchNotEqual) {
			return q, errBadFilter
		}
		admin := (v == "admin") == (op == application.MatchEqual)
		q.PlatformAdmin = &admin
	case "banned":
		err = flag(func(b bool) { active := !b; q.Active = &active })
	case "emailVerified":
		err = flag(func(b bool) { q.Verified = &b })
	case "id":
		if op != application.MatchEqual {
			return q, errBadFilter
		}
		id, perr := kernel.ParseID[kernel.UserKind](v)
		if perr != nil {
			q.IDs = []kernel.UserID{} // no user has it
		} else {
			q.IDs = []kernel.UserID{id}
		}
	}
	return q, err
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (h *Handler) baListUsers(ctx context.Context, in *baListUsersInput) (*baListUsersOutput, error) {
	q, err := in.query()
	if err != nil {
		return nil, err
	}
	users, total, err := h.svc.ListUsersPage(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &baListUsersOutput{}
	out.Body.Users = make([]AdminAuthUser, 0, len(users))
	for _, u := range users {
		out.Body.Users = append(out.Body.Users, h.adminAuthUser(u))
	}
	out.Body.Total = total
	if in.Limit > 0 {
		out.Body.Limit = &in.Limit
	}
	if in.Offset > 0 {
		out.Body.Offset = &in.Offset
	}
	return out, nil
}

type baGetUserInput struct {
	ID string `query:"id" maxLength:"100" doc:"The user's ID."`
}

func (h *Handler) baGetUser(ctx context.Context, in *baGetUserInput) (*web.Output[AdminAuthUser], error) {
	_, id, err := baActor(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.User(ctx, id)
	return web.Reply(u, err, h.adminAuthUser)
}

type baUserIDBody struct {
	_      struct{} `additionalProperties:"true"`
	UserID string   `json:"userId" maxLength:"100" doc:"The user's ID."`
}

type baBanInput struct {
	Body struct {
		_            struct{} `additionalProperties:"true"`
		UserID       string   `json:"userId" maxLength:"100"`
		BanReason    string   `json:"banReason,omitempty" maxLength:"500" doc:"Why; \"No reason\" when omitted, as Better Auth."`
		BanExpiresIn int64    `json:"banExpiresIn,omitempty" minimum:"0" maximum:"315360000" doc:"Seconds until the ban ends by itself; never when omitted."`
	}
}

func (h *Handler) baBanUser(ctx context.Context, in *baBanInput) (*web.Output[baUserBody], error) {
	admin, id, err := baActor(ctx, in.Body.UserID)
	if err != nil {
		return nil, err
	}
	reason := cmpOr(strings.TrimSpace(in.Body.BanReason), "No reason")
	var until *time.Time
	if in.Body.BanExpiresIn > 0 {
		t := h.clock.Now().Add(time.Duration(in.Body.BanExpiresIn) * time.Second)
		until = &t
	}
	return h.baUserReply(h.svc.DeactivateUser(ctx, admin, id, reason, until))
}

type baUserIDInput struct {
	Body baUserIDBody
}

func (h *Handler) baUnbanUser(ctx context.Context, in *baUserIDInput) (*web.Output[baUserBody], error) {
	admin, id, err := baActor(ctx, in.Body.UserID)
	if err != nil {
		return nil, err
	}
	return h.baUserReply(h.svc.ReactivateUser(ctx, admin, id))
}

type baImpersonateInput struct {
	clientMeta
	Body struct {
		_      struct{} `additionalProperties:"true"`
		UserID string   `json:"userId" maxLength:"100"`
		Reason string   `json:"reason,omitempty" maxLength:"500" doc:"Groundwork's: why (at least 5 characters); Better Auth's client sends none, and a fixed reason naming it is recorded."`
	}
}

func (h *Handler) baImpersonate(ctx context.Context, in *baImpersonateInput) (*impersonationOutput, error) {
	reason := cmpOr(in.Body.Reason, betterAuthImpersonationReason)
	in2 := &impersonateInput{PlatformUserID: PlatformUserID{ID: in.Body.UserID}, clientMeta: in.clientMeta}
	in2.Body.Reason = reason
	return h.impersonate(ctx, in2)
}

type baSessionsOutput struct {
	Body struct {
		Sessions []Session `json:"sessions"`
	}
}

func (h *Handler) baListUserSessions(ctx context.Context, in *baUserIDInput) (*baSessionsOutput, error) {
	_, id, err := baActor(ctx, in.Body.UserID)
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.User(ctx, id); err != nil {
		return nil, err
	}
	list, err := h.svc.ListSessions(ctx, id)
	if err != nil {
		return nil, err
	}
	out := &baSessionsOutput{}
	out.Body.Sessions = make([]Session, 0, len(list))
	for _, s := range list {
		out.Body.Sessions = append(out.Body.Sessions, sessionJSON(s))
	}
	return out, nil
}

type baRevokeSessionInput struct {
	Body struct {
		_            struct{} `additionalProperties:"true"`
		SessionToken string   `json:"sessionToken" maxLength:"100" doc:"The session's handle (its token field, the session ID)."`
	}
}

func (h *Handler) baRevokeUserSession(ctx context.Context, in *baRevokeSessionInput) (*baSuccessOutput, error) {
	id, err := kernel.ParseIDOr[kernel.SessionKind](in.Body.SessionToken, application.ErrUnknownSession)
	if err != nil {
		return nil, err
	}
	return baSuccess(h.svc.RevokeSessionByID(ctx, id))
}

func (h *Handler) baRevokeUserSessions(ctx context.Context, in *baUserIDInput) (*baSuccessOutput, error) {
	_, id, err := baActor(ctx, in.Body.UserID)
	if err != nil {
		return nil, err
	}
	return baSuccess(h.svc.RevokeUserSessions(ctx, id))
}

type baSetRoleInput struct {
	Body struct {
		_      struct{} `additionalProperties:"true"`
		UserID string   `json:"userId" maxLength:"100"`
		Role   any      `json:"role" doc:"admin or user, or a list of them: admin makes the user a platform admin."`
	}
}

// adminRole reads set-role's role: a string or a list of strings, of
// admin and user only.
func adminRole(raw any) (bool, error) {
	var roles []string
	switch v := raw.(type) {
	case string:
		roles = strings.Split(v, ",")
	case []any:
		for _, r := range v {
			s, ok := r.(string)
			if !ok {
				return false, kernel.Invalid("INVALID_ROLE_TYPE", "Invalid role type")
			}
			roles = append(roles, s)
		}
	default:
		return false, kernel.Invalid("INVALID_ROLE_TYPE", "Invalid role type")
	}
	admin := false
	for _, r := range roles {
		switch strings.TrimSpace(r) {
		case "admin":
			admin = true
		case "user":
		default:
			return false, errSetNonExistentRole
		}
	}
	return admin, nil
}

func (h *Handler) baSetRole(ctx context.Context, in *baSetRoleInput) (*web.Output[baUserBody], error) {
	admin, id, err := baActor(ctx, in.Body.UserID)
	if err != nil {
		return nil, err
	}
	makeAdmin, err := adminRole(in.Body.Role)
	if err != nil {
		return nil, err
	}
	return h.baUserReply(h.svc.SetPlatformAdmin(ctx, admin, id, makeAdmin))
}

func (h *Handler) baRemoveUser(ctx context.Context, in *baUserIDInput) (*baSuccessOutput, error) {
	admin, id, err := baActor(ctx, in.Body.UserID)
	if err != nil {
		return nil, err
	}
	return baSuccess(h.svc.DeleteUserAsAdmin(ctx, admin, id))
}
