package httpapi

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// tagPlatformOrganizations groups tenancy's platform administration
// operations.
const tagPlatformOrganizations = "Platform: organizations"

// RegisterAdmin mounts tenancy's platform administration on a: every
// organization of the installation, read, deleted or handed to a member.
// The Admin's gate answers 401 and 403 before any of these runs.
func (h *Handler) RegisterAdmin(a *web.Admin) {
	api := a.API()
	list := web.Op("list-platform-organizations", http.MethodGet, "/organizations", tagPlatformOrganizations,
		"List all organizations",
		"Every organization of the installation with its member count, newest first, a page at a time: pass the nextCursor "+
			"of one page as the cursor of the next; organizations created meanwhile never make a page repeat or skip one. "+
			"search matches part of the name or the slug, ignoring case. A filter out of range or contradicting another "+
			"(minMembers above maxMembers, createdFrom after createdTo) is 422 tenancy.invalid_filter, a cursor this API did "+
			"not hand out 422 tenancy.invalid_cursor; the field errors name the parameter.",
		http.StatusUnprocessableEntity)
	list.Metadata = map[string]any{web.ProblemRewriteKey: listProblem}
	huma.Register(api, list, h.listAllOrganizations)
	huma.Register(api, web.Op("get-platform-organization", http.MethodGet, "/organizations/{id}", tagPlatformOrganizations,
		"Get any organization",
		"An organization with its members (the first 1000 to join, with their profiles) and its pending invitations. "+
			"An unknown or malformed ID is 404 tenancy.organization_not_found.",
		http.StatusNotFound), h.getAnyOrganization)
	del := web.Op("delete-platform-organization", http.MethodDelete, "/organizations/{id}", tagPlatformOrganizations,
		"Delete any organization",
		"Deletes the organization with its memberships, roles and invitations, as its owner can, without the slug "+
			"confirmation; organization.deleted names you as the actor, in the organization's audit log. "+
			"An unknown or malformed ID is 404 tenancy.organization_not_found.",
		http.StatusNotFound)
	del.DefaultStatus = http.StatusNoContent
	huma.Register(api, del, h.deleteAnyOrganization)
	huma.Register(api, web.Op("transfer-platform-organization", http.MethodPost, "/organizations/{id}/transfer", tagPlatformOrganizations,
		"Make a member the owner",
		"Makes the member userId names an owner and every other owner an admin, as an owner's transfer does them; "+
			"the events (member.role_changed, ownership.transferred) name you as the actor. Answers the new owner. "+
			"Someone who is not a member is 404 tenancy.member_not_found, a suspended member 409 tenancy.member_suspended; "+
			"the only owner already changes nothing.",
		http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity), h.transferAnyOrganization)
}

// listProblem is the listing's web.ProblemRewriteKey: a query parameter
// that fails its schema (a negative minMembers, a createdFrom that is not
// RFC 3339, a limit above 200) answers with the listing's own codes, as a
// filter the use case refuses does.
func listProblem(p *web.Problem) {
	if p.Code != "http.validation" || len(p.Errors) == 0 {
		return
	}
	cursor := true
	for _, f := range p.Errors {
		if !strings.HasPrefix(f.Field, "query.") {
			return
		}
		cursor = cursor && f.Field == "query.cursor"
	}
	p.Code, p.Detail = "tenancy.invalid_filter", "The filters are not valid; check the fields."
	if cursor {
		p.Code, p.Detail = errInvalidCursor.Code, errInvalidCursor.Detail
	}
	p.Message = p.Detail
}

// optionalInt is an integer query parameter that may be absent, which
// huma's int alone cannot tell from 0.
type optionalInt struct {
	Value int
	Set   bool
}

// Schema documents the parameter as the integer it is.
func (optionalInt) Schema(r huma.Registry) *huma.Schema {
	return huma.SchemaFromType(r, reflect.TypeFor[int]())
}

// Receiver is where huma parses the parameter.
func (o *optionalInt) Receiver() reflect.Value { return reflect.ValueOf(o).Elem().Field(0) }

// OnParamSet records whether the request gave the parameter.
func (o *optionalInt) OnParamSet(isSet bool, _ any) { o.Set = isSet }

func (o optionalInt) ptr() *int {
	if !o.Set {
		return nil
	}
	return &o.Value
}

type listAllOrganizationsInput struct {
	Search      string      `query:"search" maxLength:"200" doc:"Only organizations whose name or slug contains this, ignoring case; % and _ are literal."`
	MinMembers  optionalInt `query:"minMembers" minimum:"0" doc:"Only organizations with at least this many members (active and suspended)."`
	MaxMembers  optionalInt `query:"maxMembers" minimum:"0" doc:"Only organizations with at most this many members (active and suspended)."`
	CreatedFrom time.Time   `query:"createdFrom" doc:"Only organizations created at or after this time (RFC 3339)."`
	CreatedTo   time.Time   `query:"createdTo" doc:"Only organizations created before this time (RFC 3339)."`
	Cursor      string      `query:"cursor" maxLength:"200" doc:"The nextCursor of the previous page; omit for the first."`
	Limit       int         `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size."`
}

// PlatformOrganization is an organization as platform administration
// lists it.
type PlatformOrganization struct {
	ID          string    `json:"id" doc:"org_… ID."`
	Name        string    `json:"name"`
	Slug        string    `json:"slug"`
	Logo        *string   `json:"logo" nullable:"true" doc:"The logo's URL; null when the organization has none."`
	MemberCount int       `json:"memberCount" doc:"Active and suspended members."`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

func platformOrganizationJSON(v application.OrganizationSummaryView) PlatformOrganization {
	return PlatformOrganization{
		ID: v.ID.String(), Name: v.Name, Slug: v.Slug, Logo: logoJSON(v.Logo), MemberCount: v.MemberCount,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}

func (h *Handler) listAllOrganizations(ctx context.Context, in *listAllOrganizationsInput) (*web.CursorOutput[PlatformOrganization], error) {
	after, err := decodeOrganizationCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	page, err := h.svc.ListAllOrganizations(ctx, application.OrganizationQuery{
		Search: in.Search, MinMembers: in.MinMembers.ptr(), MaxMembers: in.MaxMembers.ptr(),
		CreatedFrom: in.CreatedFrom, CreatedTo: in.CreatedTo, After: after, Limit: in.Limit,
	})
	if err != nil {
		return nil, queryErr(err)
	}
	next := ""
	if page.Next != nil {
		next = encodeOrganizationCursor(*page.Next)
	}
	return web.ReplyPage(page.Items, next, nil, platformOrganizationJSON)
}

// encodeOrganizationCursor makes a page's last position opaque
// (web.EncodeTimeCursor), so clients do not come to rely on its form.
func encodeOrganizationCursor(c application.OrganizationCursor) string {
	return web.EncodeTimeCursor(c.CreatedAt, c.ID)
}

// decodeOrganizationCursor reads what encodeOrganizationCursor made: nil
// for "", errInvalidCursor for anything else this API did not hand out.
func decodeOrganizationCursor(s string) (*application.OrganizationCursor, error) {
	at, id, ok := web.DecodeTimeCursor[kernel.OrganizationKind](s)
	switch {
	case !ok:
		return nil, errInvalidCursor
	case id.IsZero():
		return nil, nil
	}
	return &application.OrganizationCursor{CreatedAt: at, ID: id}, nil
}

// OrganizationIDPath names any organization by ID.
type OrganizationIDPath struct {
	ID string `path:"id" maxLength:"100" doc:"The organization's ID (org_…)."`
}

// org returns the organization the path names; a malformed ID names none,
// 404 as an unknown one.
func (p OrganizationIDPath) org() (kernel.OrganizationID, error) {
	return kernel.ParseIDOr[kernel.OrganizationKind](p.ID, application.ErrOrganizationNotFound)
}

// PlatformMember is a member as platform administration shows it.
type PlatformMember struct {
	ID          string     `json:"id" doc:"mem_… membership ID."`
	UserID      string     `json:"userId"`
	Email       string     `json:"email" doc:"Empty when the account is gone."`
	Name        string     `json:"name"`
	Image       string     `json:"image,omitempty"`
	Role        string     `json:"role"`
	Status      string     `json:"status" enum:"active,suspended" doc:"suspended: the organization suspended the membership; it keeps its role and grants nothing."`
	JoinedAt    time.Time  `json:"joinedAt"`
	SuspendedAt *time.Time `json:"suspendedAt,omitempty" doc:"When the membership was suspended; absent while active."`
}

func platformMemberJSON(v application.MemberView) PlatformMember {
	m := PlatformMember{
		ID: v.ID.String(), UserID: v.UserID.String(), Email: v.Email, Name: v.Name, Image: v.Image, Role: v.Role,
		Status: statusActive, JoinedAt: v.JoinedAt, SuspendedAt: v.SuspendedAt,
	}
	if v.SuspendedAt != nil {
		m.Status = statusSuspended
	}
	return m
}

// PlatformInviter is who sent an invitation.
type PlatformInviter struct {
	ID    string `json:"id" doc:"usr_… ID."`
	Email string `json:"email,omitempty" doc:"Absent when the account is gone."`
	Name  string `json:"name,omitempty" doc:"Absent when the account is gone."`
}

// PlatformInvitation is a pending invitation as platform administration
// shows it; never its token.
type PlatformInvitation struct {
	ID        string          `json:"id" doc:"inv_… ID."`
	Email     string          `json:"email"`
	Role      string          `json:"role"`
	ExpiresAt time.Time       `json:"expiresAt"`
	CreatedAt time.Time       `json:"createdAt"`
	Inviter   PlatformInviter `json:"inviter"`
}

func platformInvitationJSON(v application.PendingInvitationView) PlatformInvitation {
	return PlatformInvitation{
		ID: v.ID.String(), Email: v.Email, Role: v.Role, ExpiresAt: v.ExpiresAt, CreatedAt: v.CreatedAt,
		Inviter: PlatformInviter{ID: v.InviterID.String(), Email: v.Inviter.Email, Name: v.Inviter.Name},
	}
}

// PlatformOrganizationDetail is an organization with its members and
// pending invitations.
type PlatformOrganizationDetail struct {
	PlatformOrganization
	Members          []PlatformMember     `json:"members" doc:"The first 1000 members to join, in that order."`
	MembersTruncated bool                 `json:"membersTruncated" doc:"True when the organization has more members than members lists; memberCount says how many."`
	Invitations      []PlatformInvitation `json:"invitations" doc:"The pending, unexpired invitations, newest first."`
}

func platformOrganizationDetailJSON(d application.OrganizationDetails) PlatformOrganizationDetail {
	out := PlatformOrganizationDetail{
		PlatformOrganization: platformOrganizationJSON(d.Organization),
		Members:              make([]PlatformMember, len(d.Members)),
		MembersTruncated:     d.MembersTruncated,
		Invitations:          make([]PlatformInvitation, len(d.Invitations)),
	}
	for i, m := range d.Members {
		out.Members[i] = platformMemberJSON(m)
	}
	for i, inv := range d.Invitations {
		out.Invitations[i] = platformInvitationJSON(inv)
	}
	return out
}

func (h *Handler) getAnyOrganization(ctx context.Context, in *OrganizationIDPath) (*web.Output[PlatformOrganizationDetail], error) {
	id, err := in.org()
	if err != nil {
		return nil, err
	}
	d, err := h.svc.OrganizationDetails(ctx, id)
	return web.Reply(d, err, platformOrganizationDetailJSON)
}

func (h *Handler) deleteAnyOrganization(ctx context.Context, in *OrganizationIDPath) (*struct{}, error) {
	p, err := kernel.RequirePlatformAdmin(ctx)
	if err != nil {
		return nil, err
	}
	id, err := in.org()
	if err != nil {
		return nil, err
	}
	return nil, h.svc.AdminDeleteOrganization(ctx, p.UserID, id)
}

type transferAnyOrganizationInput struct {
	OrganizationIDPath
	Body struct {
		UserID string `json:"userId" maxLength:"100" doc:"The new owner: the user ID (usr_…) of a member."`
	}
}

func (h *Handler) transferAnyOrganization(ctx context.Context, in *transferAnyOrganizationInput) (*web.Output[PlatformMember], error) {
	p, err := kernel.RequirePlatformAdmin(ctx)
	if err != nil {
		return nil, err
	}
	id, err := in.org()
	if err != nil {
		return nil, err
	}
	user, err := kernel.ParseIDOr[kernel.UserKind](in.Body.UserID, application.ErrMemberNotFound)
	if err != nil {
		return nil, err
	}
	v, err := h.svc.AdminTransferOwnership(ctx, p.UserID, id, user)
	return web.Reply(v, err, platformMemberJSON)
}
