package httpapi

import (
	"context"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

func (h *Handler) registerMembers(api huma.API) {
	list := h.scopedOp(api, "list-members", http.MethodGet, "/api/organizations/{org}/members", tagMembers,
		"List members", "The organization's members with their profiles, a page at a time. Needs members:read.",
		http.StatusForbidden, http.StatusUnprocessableEntity)
	// The body is written as bytes (see appendJSON); document its real shape.
	list.Responses = map[string]*huma.Response{"200": {
		Description: "A page of members.",
		Content: map[string]*huma.MediaType{"application/json": {
			Schema: api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[membersPage](), true, "MembersPage"),
		}},
	}}
	huma.Register(api, list, h.listMembers)
	huma.Register(api, h.scopedOp(api, "get-member", http.MethodGet, "/api/organizations/{org}/members/{member}", tagMembers,
		"Get a member", "Needs members:read.", http.StatusForbidden), h.getMember)
	huma.Register(api, h.scopedOp(api, "update-member", http.MethodPatch, "/api/organizations/{org}/members/{member}", tagMembers,
		"Change a member's role or suspend them",
		"Needs members:update and every permission of the member's current and new role. "+
			"status suspended suspends the membership in this organization only: it keeps its role and grants nothing until "+
			"status active reinstates it; the account is untouched. "+
			"Leaving the organization without an active owner is refused (409 tenancy.last_owner), and so is suspending yourself "+
			"(409 tenancy.cannot_suspend_self).",
		http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity), h.updateMember)
	remove := h.scopedOp(api, "remove-member", http.MethodDelete, "/api/organizations/{org}/members/{member}", tagMembers,
		"Remove a member",
		"Needs members:remove and every permission of the member's role. Removing the last owner is refused (409 tenancy.last_owner).",
		http.StatusForbidden, http.StatusConflict)
	remove.DefaultStatus = http.StatusNoContent
	huma.Register(api, remove, h.removeMember)
	leave := h.scopedOp(api, "leave-organization", http.MethodPost, "/api/organizations/{org}/leave", tagMembers,
		"Leave the organization", "The last owner cannot leave (409 tenancy.last_owner): transfer ownership or delete the organization.",
		http.StatusConflict)
	leave.Middlewares = huma.Middlewares{h.scoped(api, true)} // a suspended member may still leave
	leave.DefaultStatus = http.StatusNoContent
	huma.Register(api, leave, h.leave)
	huma.Register(api, h.scopedOp(api, "transfer-ownership", http.MethodPost, "/api/organizations/{org}/transfer", tagMembers,
		"Transfer ownership", "Makes another member an owner; you become an admin. Owners only.",
		http.StatusForbidden, http.StatusUnprocessableEntity), h.transfer)
}

var errInvalidCursor = kernel.Invalid("tenancy.invalid_cursor", "The cursor is not valid; list again from the first page.",
	kernel.FieldError{Field: "query.cursor", Code: "invalid", Message: "The cursor is not one this API returned."})

type listMembersInput struct {
	OrgPath
	Cursor string `query:"cursor" maxLength:"200" doc:"The nextCursor of the previous page; omit for the first."`
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"50" doc:"Page size."`
}

// membersPage is the list's body. Every organization-scoped page of a
// front end lists members, so it is encoded by hand (appendJSON), byte for
// byte as encoding/json would (tested).
type membersPage struct {
	Items      []Member `json:"items" doc:"Ordered by membership ID (join order)."`
	NextCursor string   `json:"nextCursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
}

func (p *membersPage) appendJSON(b []byte) []byte {
	b = append(b, `{"items":[`...)
	for i := range p.Items {
		if i > 0 {
			b = append(b, ',')
		}
		b = p.Items[i].appendJSON(b)
	}
	b = append(b, ']')
	if p.NextCursor != "" {
		b = append(b, `,"nextCursor":`...)
		b = web.AppendJSONString(b, p.NextCursor)
	}
	return append(b, '}')
}

func (m *Member) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = web.AppendJSONString(b, m.ID)
	b = append(b, `,"organizationId":`...)
	b = web.AppendJSONString(b, m.OrganizationID)
	b = append(b, `,"userId":`...)
	b = web.AppendJSONString(b, m.UserID)
	b = append(b, `,"role":`...)
	b = web.AppendJSONString(b, m.Role)
	b = append(b, `,"createdAt":`...)
	b = web.AppendJSONTime(b, m.CreatedAt)
	b = append(b, `,"status":`...)
	b = web.AppendJSONString(b, m.Status)
	if m.SuspendedAt != nil {
		b = append(b, `,"suspendedAt":`...)
		b = web.AppendJSONTime(b, *m.SuspendedAt)
	}
	b = append(b, `,"user":{"id":`...)
	b = web.AppendJSONString(b, m.User.ID)
	b = append(b, `,"email":`...)
	b = web.AppendJSONString(b, m.User.Email)
	b = append(b, `,"name":`...)
	b = web.AppendJSONString(b, m.User.Name)
	if m.User.Image != "" {
		b = append(b, `,"image":`...)
		b = web.AppendJSONString(b, m.User.Image)
	}
	return append(b, "}}"...)
}

type listMembersOutput struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

func (h *Handler) listMembers(ctx context.Context, in *listMembersInput) (*listMembersOutput, error) {
	after, ok := web.DecodeCursor[domain.MembershipKind](in.Cursor)
	if !ok {
		return nil, errInvalidCursor
	}
	a := actor(ctx)
	page, err := h.svc.ListMembers(ctx, a, after, in.Limit)
	if err != nil {
		return nil, err
	}
	// The page comes from the use case's cache when the members version
	// has not moved; encoding it by hand costs microseconds.
	body := membersPage{Items: make([]Member, len(page.Members))}
	for i, m := range page.Members {
		body.Items[i] = memberJSON(m)
	}
	body.NextCursor = web.EncodeCursor(page.Next)
	b := body.appendJSON(make([]byte, 0, 64+300*len(body.Items)))
	return &listMembersOutput{ContentType: "application/json", Body: b}, nil
}

// MemberPath names a member of the organization.
type MemberPath struct {
	OrgPath
	Member string `path:"member" maxLength:"100" doc:"The membership ID (mem_…) or the member's user ID (usr_…)."`
}

func (p MemberPath) ref() (application.MemberRef, error) { return application.ParseMemberRef(p.Member) }

func (h *Handler) getMember(ctx context.Context, in *MemberPath) (*web.Output[Member], error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	v, err := h.svc.Member(ctx, actor(ctx), ref)
	return web.Reply(v, err, memberJSON)
}

type updateMemberInput struct {
	MemberPath
	Body struct {
		Role   string `json:"role,omitempty" maxLength:"100" doc:"owner, admin, member or a custom role's name; omit to keep the role."`
		Status string `json:"status,omitempty" enum:"active,suspended" doc:"suspended suspends the membership (it keeps its role and grants nothing), active reinstates it; omit to keep the state."`
	}
}

var errNothingToUpdate = kernel.Invalid("tenancy.nothing_to_update", "Give a role, a status or both.",
	kernel.FieldError{Field: "body", Code: "required", Message: "needs role or status"})

func (h *Handler) updateMember(ctx context.Context, in *updateMemberInput) (*web.Output[Member], error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	c := application.MemberChange{Role: in.Body.Role}
	if in.Body.Status != "" {
		suspended := in.Body.Status == statusSuspended
		c.Suspended = &suspended
	}
	if c.Role == "" && c.Suspended == nil {
		return nil, errNothingToUpdate
	}
	v, err := h.svc.UpdateMember(ctx, actor(ctx), ref, c)
	return web.Reply(v, bodyErr(err), memberJSON)
}

func (h *Handler) removeMember(ctx context.Context, in *MemberPath) (*struct{}, error) {
	ref, err := in.ref()
	if err != nil {
		return nil, err
	}
	return nil, h.svc.RemoveMember(ctx, actor(ctx), ref)
}

func (h *Handler) leave(ctx context.Context, _ *OrgPath) (*emptyOutput, error) {
	a := actor(ctx)
	if err := h.svc.Leave(ctx, a); err != nil {
		return nil, err
	}
	out := &emptyOutput{}
	if cur, ok := kernel.OrganizationFrom(ctx); ok && cur.OrganizationID == a.Org.OrganizationID {
		out.SetCookie = []http.Cookie{h.activeCookie(kernel.OrganizationID{})}
	}
	return out, nil
}

type transferInput struct {
	OrgPath
	Body struct {
		MemberID string `json:"memberId" maxLength:"100" doc:"The new owner: a membership ID (mem_…) or user ID (usr_…) of a member."`
	}
}

func (h *Handler) transfer(ctx context.Context, in *transferInput) (*web.Output[Member], error) {
	ref, err := application.ParseMemberRef(in.Body.MemberID)
	if err != nil {
		return nil, err
	}
	v, err := h.svc.TransferOwnership(ctx, actor(ctx), ref)
	return web.Reply(v, bodyErr(err), memberJSON)
}
