package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// ListRoles returns the built-in roles, then the organization's custom
// roles by name; it needs roles:read.
func (s *Service) ListRoles(ctx context.Context, a Actor) ([]RoleView, error) {
	if err := a.require(domain.PermRolesRead); err != nil {
		return nil, err
	}
	custom, err := s.deps.Roles.List(ctx, a.Org.OrganizationID)
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	s.builtins()
	out := make([]RoleView, 0, len(s.builtinList)+len(custom))
	for _, r := range s.builtinList {
		out = append(out, roleView(r))
	}
	for _, r := range custom {
		out = append(out, roleView(r))
	}
	return out, nil
}

// RoleRef names a role by ID (custom) or by name (either kind).
func (s *Service) roleByRef(ctx context.Context, org kernel.OrganizationID, ref string) (*domain.Role, error) {
	if id, err := kernel.ParseID[domain.RoleKind](ref); err == nil {
		return s.deps.Roles.ByID(ctx, org, id)
	}
	if b, ok := s.builtins()[ref]; ok {
		return b, nil
	}
	return s.deps.Roles.ByName(ctx, org, ref)
}

// Role returns one role by ID or name; it needs roles:read.
func (s *Service) Role(ctx context.Context, a Actor, ref string) (RoleView, error) {
	if err := a.require(domain.PermRolesRead); err != nil {
		return RoleView{}, err
	}
	r, err := s.roleByRef(ctx, a.Org.OrganizationID, ref)
	if err != nil {
		return RoleView{}, err
	}
	return roleView(r), nil
}

// CreateRole creates a custom role; it needs roles:create and every
// permission it grants. Unknown permissions are 422.
func (s *Service) CreateRole(ctx context.Context, a Actor, name string, permissions []string) (RoleView, error) {
	if err := a.require(domain.PermRolesCreate); err != nil {
		return RoleView{}, err
	}
	s.builtins()
	r, err := domain.NewCustomRole(a.Org.OrganizationID, name, permissions, s.deps.Catalog, s.deps.Clock.Now())
	if err != nil {
		return RoleView{}, err
	}
	if err := domain.CanGrant(a.Org.Grants, r.Permissions()); err != nil {
		return RoleView{}, err
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Roles.Create(ctx, r); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, RoleCreated{
			OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, RoleID: r.ID(), Name: r.Name(), Permissions: r.Permissions(),
		})
	})
	if err != nil {
		return RoleView{}, fmt.Errorf("create role: %w", err)
	}
	return roleView(r), nil
}

// RoleUpdate is a partial update; nil fields stay.
type RoleUpdate struct {
	Name        *string
	Permissions *[]string
}

// UpdateRole renames a custom role or replaces its permissions; it needs
// roles:update and every permission of the role before and after. A
// rename moves the members holding it, and the pending invitations offering
// it, along.
func (s *Service) UpdateRole(ctx context.Context, a Actor, ref string, in RoleUpdate) (RoleView, error) {
	if err := a.require(domain.PermRolesUpdate); err != nil {
		return RoleView{}, err
	}
	var view RoleView
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		r, err := s.customRoleToChange(ctx, a, ref)
		if err != nil {
			return err
		}
		now := s.deps.Clock.Now()
		oldName := r.Name()
		var changes []string
		if in.Name != nil {
			changed, err := r.Rename(*in.Name, now)
			if err != nil {
				return err
			}
			if changed {
				changes = append(changes, "name")
			}
		}
		if in.Permissions != nil {
			changed, err := r.SetPermissions(*in.Permissions, s.deps.Catalog, now)
			if err != nil {
				return err
			}
			if err := domain.CanGrant(a.Org.Grants, r.Permissions()); err != nil {
				return err
			}
			if changed {
				changes = append(changes, "permissions")
			}
		}
		view = roleView(r)
		if len(changes) == 0 {
			return nil
		}
		if err := s.deps.Roles.Save(ctx, r); err != nil {
			return err
		}
		if r.Name() != oldName {
			if err := s.deps.Memberships.RenameRole(ctx, a.Org.OrganizationID, oldName, r.Name()); err != nil {
				return err
			}
			if err := s.deps.Invitations.RenameRole(ctx, a.Org.OrganizationID, oldName, r.Name()); err != nil {
				return err
			}
		}
		return s.deps.Events.Publish(ctx, RoleUpdated{
			OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, RoleID: r.ID(), Changes: changes,
			Name: r.Name(), Permissions: r.Permissions(),
		})
	})
	if err != nil {
		return RoleView{}, fmt.Errorf("update role: %w", err)
	}
	return view, nil
}

// DeleteRole deletes a custom role nobody holds and no pending invitation
// offers; it needs roles:delete and every permission of the role. A role in
// use is 409 tenancy.role_in_use.
func (s *Service) DeleteRole(ctx context.Context, a Actor, ref string) error {
	if err := a.require(domain.PermRolesDelete); err != nil {
		return err
	}
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		r, err := s.customRoleToChange(ctx, a, ref)
		if err != nil {
			return err
		}
		n, err := s.deps.Memberships.CountRole(ctx, a.Org.OrganizationID, r.Name())
		if err != nil {
			return err
		}
		// A pending invitation offering the role holds it too: the invitee
		// would otherwise join with a role that is gone.
		pending, err := s.deps.Invitations.CountPending(ctx, a.Org.OrganizationID, r.Name(), s.deps.Clock.Now())
		if err != nil {
			return err
		}
		if err := r.CanDelete(n + pending); err != nil {
			return err
		}
		if err := s.deps.Roles.Delete(ctx, a.Org.OrganizationID, r.ID()); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, RoleDeleted{OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, RoleID: r.ID(), Name: r.Name()})
	})
	if err != nil {
		return fmt.Errorf("delete role: %w", err)
	}
	return nil
}

// customRoleToChange locks the organization and returns the custom role ref
// names, which a may change only if they hold every permission it grants.
// A built-in role is ErrBuiltinRole.
func (s *Service) customRoleToChange(ctx context.Context, a Actor, ref string) (*domain.Role, error) {
	if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
		return nil, err
	}
	r, err := s.roleByRef(ctx, a.Org.OrganizationID, ref)
	if err != nil {
		return nil, err
	}
	if r.IsBuiltin() {
		return nil, domain.ErrBuiltinRole
	}
	if err := domain.CanGrant(a.Org.Grants, r.Permissions()); err != nil {
		return nil, err
	}
	return r, nil
}
