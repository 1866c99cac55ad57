package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

func (h *Handler) registerOrganizations(api huma.API) {
	create := web.UserOp(api, "create-organization", http.MethodPost, "/api/organizations", tagOrganizations,
		"Create an organization",
		"Creates an organization with you as its owner and makes it your active organization. "+
			"Without a slug, one is derived from the name.",
		http.StatusConflict, http.StatusUnprocessableEntity)
	create.DefaultStatus = http.StatusCreated
	huma.Register(api, create, h.createOrganization)
	huma.Register(api, web.UserOp(api, "list-organizations", http.MethodGet, "/api/organizations", tagOrganizations,
		"List my organizations", "The organizations you belong to with your role in each, most recently used first."),
		h.listOrganizations)
	huma.Register(api, web.UserOp(api, "get-active-organization", http.MethodGet, "/api/organizations/active", tagOrganizations,
		"Get the active organization",
		"Your active organization, your role and what it allows; organization is null when none is active."),
		h.getActive)
	huma.Register(api, web.UserOp(api, "set-active-organization", http.MethodPost, "/api/organizations/active", tagOrganizations,
		"Set the active organization",
		"Makes an organization you belong to the active one (a cookie); null clears it until you choose again. "+
			"The next request's grants are that organization's.",
		http.StatusNotFound, http.StatusUnprocessableEntity), h.setActive)
	huma.Register(api, h.scopedOp(api, "get-organization", http.MethodGet, "/api/organizations/{org}", tagOrganizations,
		"Get an organization", "An organization you belong to, with your role."), h.getOrganization)
	huma.Register(api, h.scopedOp(api, "update-organization", http.MethodPatch, "/api/organizations/{org}", tagOrganizations,
		"Update an organization", "Changes the name or the slug. Needs organization:update.",
		http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity), h.updateOrganization)
	del := h.scopedOp(api, "delete-organization", http.MethodDelete, "/api/organizations/{org}", tagOrganizations,
		"Delete an organization",
		"Deletes the organization with its memberships, roles and invitations. Owners only; confirm by sending the slug.",
		http.StatusForbidden, http.StatusUnprocessableEntity)
	del.DefaultStatus = http.StatusNoContent
	huma.Register(api, del, h.deleteOrganization)
	huma.Register(api, web.UserOp(api, "list-permissions", http.MethodGet, "/api/permissions", tagRoles,
		"List the permissions", "Every permission modules declared, which roles are made of."), h.listPermissions)
}

type organizationOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      Organization
}

type createOrganizationInput struct {
	Body struct {
		Name string `json:"name" maxLength:"400" doc:"Display name, 1–100 characters."`
		Slug string `json:"slug,omitempty" maxLength:"200" doc:"URL name: 3–48 of a-z, 0-9 and single hyphens. Derived from the name when absent."`
	}
}

func (h *Handler) createOrganization(ctx context.Context, in *createOrganizationInput) (*organizationOutput, error) {
	p, _ := kernel.PrincipalFrom(ctx)
	v, err := h.svc.CreateOrganization(ctx, p.UserID, in.Body.Name, in.Body.Slug)
	if err != nil {
		return nil, bodyErr(err)
	}
	return &organizationOutput{SetCookie: []http.Cookie{h.activeCookie(v.ID)}, Body: organizationJSON(v)}, nil
}

func (h *Handler) listOrganizations(ctx context.Context, _ *struct{}) (*web.ItemsOutput[Organization], error) {
	p, _ := kernel.PrincipalFrom(ctx)
	list, err := h.svc.MyOrganizations(ctx, p.UserID)
	return web.ReplyItems(list, err, organizationJSON)
}

type activeOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      Active
}

func noActive() Active {
	return Active{Grants: []string{}, Permissions: []string{}}
}

func (h *Handler) getActive(ctx context.Context, _ *struct{}) (*activeOutput, error) {
	p, _ := kernel.PrincipalFrom(ctx)
	org, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return &activeOutput{Body: noActive()}, nil
	}
	v, err := h.svc.Active(ctx, application.Actor{UserID: p.UserID, Org: org})
	if err != nil {
		return nil, err
	}
	return &activeOutput{Body: activeJSON(v)}, nil
}

type setActiveInput struct {
	Body struct {
		OrganizationID *string `json:"organizationId" required:"true" maxLength:"100" doc:"org_… ID or slug; null clears the active organization."`
	}
}

func (h *Handler) setActive(ctx context.Context, in *setActiveInput) (*activeOutput, error) {
	p, _ := kernel.PrincipalFrom(ctx)
	if in.Body.OrganizationID == nil {
		return &activeOutput{SetCookie: []http.Cookie{h.noneCookie()}, Body: noActive()}, nil
	}
	org, err := h.svc.ResolveOrganization(ctx, *in.Body.OrganizationID)
	if err != nil {
		return nil, err
	}
	v, err := h.svc.SetActive(ctx, p.UserID, org)
	if err != nil {
		return nil, err
	}
	return &activeOutput{SetCookie: []http.Cookie{h.activeCookie(org)}, Body: activeJSON(v)}, nil
}

func (h *Handler) getOrganization(ctx context.Context, _ *OrgPath) (*organizationOutput, error) {
	v, err := h.svc.Organization(ctx, actor(ctx))
	if err != nil {
		return nil, err
	}
	return &organizationOutput{Body: organizationJSON(v)}, nil
}

type updateOrganizationInput struct {
	OrgPath
	Body struct {
		Name *string `json:"name,omitempty" maxLength:"400"`
		Slug *string `json:"slug,omitempty" maxLength:"200"`
	}
}

func (h *Handler) updateOrganization(ctx context.Context, in *updateOrganizationInput) (*organizationOutput, error) {
	v, err := h.svc.UpdateOrganization(ctx, actor(ctx), application.OrganizationUpdate{Name: in.Body.Name, Slug: in.Body.Slug})
	if err != nil {
		return nil, bodyErr(err)
	}
	return &organizationOutput{Body: organizationJSON(v)}, nil
}

type deleteOrganizationInput struct {
	OrgPath
	Confirm string `query:"confirm" maxLength:"200" doc:"The organization's slug, to confirm (or send it as the body's confirm)."`
	Body    *struct {
		Confirm string `json:"confirm" maxLength:"200" doc:"The organization's slug, to confirm."`
	} `required:"false"`
}

type emptyOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
}

func (h *Handler) deleteOrganization(ctx context.Context, in *deleteOrganizationInput) (*emptyOutput, error) {
	confirm := in.Confirm
	if in.Body != nil && in.Body.Confirm != "" {
		confirm = in.Body.Confirm
	}
	a := actor(ctx)
	if err := h.svc.DeleteOrganization(ctx, a, confirm); err != nil {
		return nil, bodyErr(err)
	}
	out := &emptyOutput{}
	if cur, ok := kernel.OrganizationFrom(ctx); ok && cur.OrganizationID == a.Org.OrganizationID {
		out.SetCookie = []http.Cookie{h.activeCookie(kernel.OrganizationID{})}
	}
	return out, nil
}

func (h *Handler) listPermissions(_ context.Context, _ *struct{}) (*web.ItemsOutput[domain.PermissionInfo], error) {
	return &web.ItemsOutput[domain.PermissionInfo]{Body: web.Items[domain.PermissionInfo]{Items: h.svc.Permissions()}}, nil
}
