package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

func (h *Handler) registerInvitations(api huma.API) {
	create := h.scopedOp(api, "create-invitation", http.MethodPost, "/api/organizations/{org}/invitations", tagInvitations,
		"Invite someone",
		"Emails an invitation, valid 7 days, to join with a role. Needs members:invite and every permission of the role. "+
			"A current member or an address with a pending invitation is 409.",
		http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity)
	create.DefaultStatus = http.StatusCreated
	huma.Register(api, create, h.createInvitation)
	huma.Register(api, h.scopedOp(api, "list-invitations", http.MethodGet, "/api/organizations/{org}/invitations", tagInvitations,
		"List invitations", "The organization's invitations, newest first. Needs members:invite.", http.StatusForbidden),
		h.listInvitations)
	huma.Register(api, h.scopedOp(api, "revoke-invitation", http.MethodPost, "/api/organizations/{org}/invitations/{invitation}/revoke",
		tagInvitations, "Revoke an invitation", "Its link stops working. Needs members:invite. A closed invitation is 410.",
		http.StatusForbidden, http.StatusGone), invitationAction(h.svc.RevokeInvitation))
	huma.Register(api, h.scopedOp(api, "resend-invitation", http.MethodPost, "/api/organizations/{org}/invitations/{invitation}/resend",
		tagInvitations, "Resend an invitation",
		"Emails a new link, valid 7 days from now; the previous link stops working. Needs members:invite. A closed invitation is 410.",
		http.StatusForbidden, http.StatusGone), invitationAction(h.svc.ResendInvitation))
	huma.Register(api, web.UserOp(api, "list-my-invitations", http.MethodGet, "/api/invitations", tagInvitations,
		"List invitations to me", "The pending invitations addressed to your email."), h.myInvitations)
	preview := web.Op("preview-invitation", http.MethodGet, "/api/invitations/{token}", tagInvitations,
		"Preview an invitation",
		"What an invitation link offers: the organization, the inviter and the role. No sign-in needed. "+
			"An unknown link is 404, a used, revoked or expired one 410.",
		http.StatusNotFound, http.StatusGone)
	// Whatever the answer, it is about a secret link: never cached.
	preview.Middlewares = huma.Middlewares{func(hctx huma.Context, next func(huma.Context)) {
		hctx.SetHeader("Cache-Control", "no-store")
		next(hctx)
	}}
	huma.Register(api, preview, h.previewInvitation)
	huma.Register(api, web.UserOp(api, "accept-invitation", http.MethodPost, "/api/invitations/{token}/accept", tagInvitations,
		"Accept an invitation",
		"Joins the organization and makes it active. Your verified email must be the invitation's (403); "+
			"{token} is the link's token, or the invitation's ID from your own list.",
		http.StatusForbidden, http.StatusNotFound, http.StatusConflict, http.StatusGone), h.acceptInvitation)
	decline := web.UserOp(api, "decline-invitation", http.MethodPost, "/api/invitations/{token}/decline", tagInvitations,
		"Decline an invitation", "Your email must be the invitation's (403).",
		http.StatusForbidden, http.StatusNotFound, http.StatusGone)
	decline.DefaultStatus = http.StatusNoContent
	huma.Register(api, decline, h.declineInvitation)
}

type createInvitationInput struct {
	OrgPath
	Body struct {
		Email string `json:"email" maxLength:"400"`
		Role  string `json:"role,omitempty" maxLength:"100" default:"member" doc:"admin, member or a custom role; not owner."`
	}
}

func (h *Handler) createInvitation(ctx context.Context, in *createInvitationInput) (*web.Output[Invitation], error) {
	role := in.Body.Role
	if role == "" {
		role = domain.RoleMember
	}
	v, err := h.svc.Invite(ctx, actor(ctx), in.Body.Email, role)
	return web.Reply(v, bodyErr(err), invitationJSON)
}

type listInvitationsInput struct {
	OrgPath
	Status string `query:"status" enum:"pending,all" default:"pending" doc:"pending (open ones) or all."`
}

func (h *Handler) listInvitations(ctx context.Context, in *listInvitationsInput) (*web.ItemsOutput[Invitation], error) {
	list, err := h.svc.ListInvitations(ctx, actor(ctx), in.Status != "all")
	return web.ReplyItems(list, err, invitationJSON)
}

// InvitationPath names an invitation of the organization.
type InvitationPath struct {
	OrgPath
	Invitation string `path:"invitation" maxLength:"100" doc:"The invitation's ID (inv_…)."`
}

func (p InvitationPath) id() (domain.InvitationID, error) {
	return kernel.ParseIDOr[domain.InvitationKind](p.Invitation, application.ErrInvitationNotFound)
}

// invitationAction is the handler of an action on the invitation the path
// names (revoke, resend): it answers with the invitation as do left it.
func invitationAction(
	do func(context.Context, application.Actor, domain.InvitationID) (application.InvitationView, error),
) func(context.Context, *InvitationPath) (*web.Output[Invitation], error) {
	return func(ctx context.Context, in *InvitationPath) (*web.Output[Invitation], error) {
		id, err := in.id()
		if err != nil {
			return nil, err
		}
		v, err := do(ctx, actor(ctx), id)
		return web.Reply(v, err, invitationJSON)
	}
}

// ReceivedInvitation is an invitation addressed to the caller.
type ReceivedInvitation struct {
	ID               string    `json:"id" doc:"inv_… ID; accept or decline with it."`
	OrganizationID   string    `json:"organizationId"`
	OrganizationName string    `json:"organizationName"`
	InviterName      string    `json:"inviterName"`
	Role             string    `json:"role"`
	ExpiresAt        time.Time `json:"expiresAt"`
}

func receivedInvitationJSON(v application.ReceivedInvitation) ReceivedInvitation {
	return ReceivedInvitation{
		ID: v.ID.String(), OrganizationID: v.OrganizationID.String(), OrganizationName: v.OrganizationName,
		InviterName: v.InviterName, Role: v.Role, ExpiresAt: v.ExpiresAt,
	}
}

func (h *Handler) myInvitations(ctx context.Context, _ *struct{}) (*web.ItemsOutput[ReceivedInvitation], error) {
	p, _ := kernel.PrincipalFrom(ctx)
	list, err := h.svc.MyInvitations(ctx, p.UserID)
	return web.ReplyItems(list, err, receivedInvitationJSON)
}

// TokenPath is an invitation link's token (or an invitation ID).
type TokenPath struct {
	Token string `path:"token" maxLength:"200" doc:"The invitation link's token."`
}

// InvitationPreview is what an invitation link shows before sign-in.
type InvitationPreview struct {
	OrganizationName string    `json:"organizationName"`
	OrganizationSlug string    `json:"organizationSlug"`
	InviterName      string    `json:"inviterName"`
	Role             string    `json:"role"`
	Email            string    `json:"email" doc:"The invited address: sign in or sign up with it to accept."`
	Status           string    `json:"status"`
	ExpiresAt        time.Time `json:"expiresAt"`
}

type previewOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         InvitationPreview
}

func (h *Handler) previewInvitation(ctx context.Context, in *TokenPath) (*previewOutput, error) {
	v, err := h.svc.PreviewInvitation(ctx, in.Token)
	if err != nil {
		return nil, err
	}
	return &previewOutput{CacheControl: "no-store", Body: InvitationPreview{
		OrganizationName: v.OrganizationName, OrganizationSlug: v.OrganizationSlug, InviterName: v.InviterName,
		Role: v.Role, Email: v.Email, Status: v.Status, ExpiresAt: v.ExpiresAt,
	}}, nil
}

func (h *Handler) acceptInvitation(ctx context.Context, in *TokenPath) (*organizationOutput, error) {
	p, _ := kernel.PrincipalFrom(ctx)
	v, err := h.svc.AcceptInvitation(ctx, p.UserID, application.ParseInvitationRef(in.Token))
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.SetActive(ctx, p.UserID, v.ID); err != nil {
		return nil, err
	}
	return &organizationOutput{SetCookie: []http.Cookie{h.activeCookie(v.ID)}, Body: organizationJSON(v)}, nil
}

func (h *Handler) declineInvitation(ctx context.Context, in *TokenPath) (*struct{}, error) {
	p, _ := kernel.PrincipalFrom(ctx)
	return nil, h.svc.DeclineInvitation(ctx, p.UserID, application.ParseInvitationRef(in.Token))
}
