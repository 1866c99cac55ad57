package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

func (h *Handler) registerRoles(api huma.API) {
	huma.Register(api, h.scopedOp(api, "list-roles", http.MethodGet, "/api/organizations/{org}/roles", tagRoles,
		"List roles", "The built-in roles (owner, admin, member), then the organization's custom roles. Needs roles:read.",
		http.StatusForbidden), h.listRoles)
	create := h.scopedOp(api, "create-role", http.MethodPost, "/api/organizations/{org}/roles", tagRoles,
		"Create a custom role",
		"Needs roles:create and every permission the role grants. Unknown permissions are 422.",
		http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity)
	create.DefaultStatus = http.StatusCreated
	huma.Register(api, create, h.createRole)
	huma.Register(api, h.scopedOp(api, "get-role", http.MethodGet, "/api/organizations/{org}/roles/{role}", tagRoles,
		"Get a role", "By ID (rol_…) or name. Needs roles:read.", http.StatusForbidden), h.getRole)
	huma.Register(api, h.scopedOp(api, "update-role", http.MethodPatch, "/api/organizations/{org}/roles/{role}", tagRoles,
		"Update a custom role",
		"Renames it (its members follow) or replaces its permissions. Needs roles:update and every permission before and after. "+
			"Built-in roles are immutable (403).",
		http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity), h.updateRole)
	del := h.scopedOp(api, "delete-role", http.MethodDelete, "/api/organizations/{org}/roles/{role}", tagRoles,
		"Delete a custom role", "Needs roles:delete. A role members still hold is 409 tenancy.role_in_use.",
		http.StatusForbidden, http.StatusConflict)
	del.DefaultStatus = http.StatusNoContent
	huma.Register(api, del, h.deleteRole)
}

func (h *Handler) listRoles(ctx context.Context, _ *OrgPath) (*web.ItemsOutput[Role], error) {
	list, err := h.svc.ListRoles(ctx, actor(ctx))
	return web.ReplyItems(list, err, roleJSON)
}

type createRoleInput struct {
	OrgPath
	Body struct {
		Name        string   `json:"name" maxLength:"100" doc:"2–32 of a-z, 0-9, _ and -; not a built-in's."`
		Permissions []string `json:"permissions" maxItems:"200" doc:"Declared permissions, resource:* or *."`
	}
}

func (h *Handler) createRole(ctx context.Context, in *createRoleInput) (*web.Output[Role], error) {
	v, err := h.svc.CreateRole(ctx, actor(ctx), in.Body.Name, in.Body.Permissions)
	return web.Reply(v, bodyErr(err), roleJSON)
}

// RolePath names a role of the organization.
type RolePath struct {
	OrgPath
	Role string `path:"role" maxLength:"100" doc:"The role's ID (rol_…) or name."`
}

func (h *Handler) getRole(ctx context.Context, in *RolePath) (*web.Output[Role], error) {
	v, err := h.svc.Role(ctx, actor(ctx), in.Role)
	return web.Reply(v, err, roleJSON)
}

type updateRoleInput struct {
	RolePath
	Body struct {
		Name        *string   `json:"name,omitempty" maxLength:"100"`
		Permissions *[]string `json:"permissions,omitempty" maxItems:"200"`
	}
}

func (h *Handler) updateRole(ctx context.Context, in *updateRoleInput) (*web.Output[Role], error) {
	v, err := h.svc.UpdateRole(ctx, actor(ctx), in.Role, application.RoleUpdate{Name: in.Body.Name, Permissions: in.Body.Permissions})
	return web.Reply(v, bodyErr(err), roleJSON)
}

func (h *Handler) deleteRole(ctx context.Context, in *RolePath) (*struct{}, error) {
	return nil, h.svc.DeleteRole(ctx, actor(ctx), in.Role)
}
