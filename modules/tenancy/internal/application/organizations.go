package application

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// CreateOrganization creates an organization with user as its owner and
// makes it their most recently used one. An empty slug is derived from the
// name.
func (s *Service) CreateOrganization(ctx context.Context, user kernel.UserID, name, slug string) (OrganizationView, error) {
	if strings.TrimSpace(slug) == "" {
		slug = domain.SlugFrom(name)
	}
	now := s.deps.Clock.Now()
	o, err := domain.NewOrganization(name, slug, now)
	if err != nil {
		return OrganizationView{}, err
	}
	m, err := domain.NewMembership(o.ID(), user, domain.RoleOwner, now)
	if err != nil {
		return OrganizationView{}, err
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Create(ctx, o); err != nil {
			return err
		}
		if err := s.deps.Memberships.Create(ctx, m); err != nil {
			return err
		}
		if err := s.deps.Memberships.Touch(ctx, o.ID(), user, now); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx,
			OrganizationCreated{OrganizationID: o.ID(), ActorID: user, Name: o.Name().String(), Slug: o.Slug().String()},
			MemberJoined{OrganizationID: o.ID(), ActorID: user, MembershipID: m.ID(), UserID: user, Role: domain.RoleOwner},
		)
	})
	if err != nil {
		return OrganizationView{}, fmt.Errorf("create organization: %w", err)
	}
	return organizationView(o, domain.RoleOwner), nil
}

// MyOrganizations lists the organizations user belongs to with their role
// in each, most recently used first.
func (s *Service) MyOrganizations(ctx context.Context, user kernel.UserID) ([]OrganizationView, error) {
	list, err := s.deps.Organizations.ListForUser(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	out := make([]OrganizationView, len(list))
	for i, om := range list {
		out[i] = organizationView(om.Organization, om.Membership.Role())
		out[i].Suspended = om.Membership.Suspended()
	}
	return out, nil
}

// Organization returns the organization a is scoped to, with the caller's
// role.
func (s *Service) Organization(ctx context.Context, a Actor) (OrganizationView, error) {
	o, err := s.deps.Organizations.ByID(ctx, a.Org.OrganizationID)
	if err != nil {
		return OrganizationView{}, err
	}
	return organizationView(o, a.Org.Role), nil
}

// OrganizationUpdate is a partial update; nil fields stay.
type OrganizationUpdate struct {
	Name *string
	Slug *string
}

// UpdateOrganization renames the organization or changes its slug; it needs
// organization:update.
func (s *Service) UpdateOrganization(ctx context.Context, a Actor, in OrganizationUpdate) (OrganizationView, error) {
	if err := a.require(domain.PermOrganizationUpdate); err != nil {
		return OrganizationView{}, err
	}
	var view OrganizationView
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		o, err := s.lockedOrganization(ctx, a)
		if err != nil {
			return err
		}
		now := s.deps.Clock.Now()
		var changes []string
		var fields []kernel.FieldError
		// apply makes the change asked for, if any: a field that changes is
		// named in changes, an invalid one's errors are all reported at once.
		apply := func(field string, to *string, change func(string, time.Time) (bool, error)) {
			if to == nil {
				return
			}
			changed, err := change(*to, now)
			if err != nil {
				fields = append(fields, kernel.AsError(err).Fields...)
			} else if changed {
				changes = append(changes, field)
			}
		}
		apply("name", in.Name, o.Rename)
		apply("slug", in.Slug, o.ChangeSlug)
		if len(fields) > 0 {
			return kernel.Invalid("tenancy.invalid_organization", "The organization is not valid; check the fields.", fields...)
		}
		view = organizationView(o, a.Org.Role)
		if len(changes) == 0 {
			return nil
		}
		if err := s.deps.Organizations.Save(ctx, o); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, OrganizationUpdated{
			OrganizationID: o.ID(), ActorID: a.UserID, Changes: changes,
			Name: o.Name().String(), Slug: o.Slug().String(), Logo: o.Logo().String(),
		})
	})
	if err != nil {
		return OrganizationView{}, fmt.Errorf("update organization: %w", err)
	}
	return view, nil
}

// ErrOwnerOnly is the answer to a non-owner trying what only an owner may.
var ErrOwnerOnly = kernel.Forbidden("tenancy.owner_only", "Only an owner of the organization can do this.")

// DeleteOrganization deletes the organization with its memberships, roles
// and invitations. Only an owner may, confirming with the slug.
func (s *Service) DeleteOrganization(ctx context.Context, a Actor, confirm string) error {
	if a.Org.Role != domain.RoleOwner || !a.Org.Grants.Allows(domain.PermOrganizationDelete) {
		return ErrOwnerOnly
	}
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		o, err := s.lockedOrganization(ctx, a)
		if err != nil {
			return err
		}
		if err := o.ConfirmDeletion(confirm); err != nil {
			return err
		}
		return s.deleteOrganization(ctx, o, a.UserID)
	})
	if err != nil {
		return fmt.Errorf("delete organization: %w", err)
	}
	return nil
}

// deleteOrganization removes o and publishes the event, in ctx's
// transaction.
func (s *Service) deleteOrganization(ctx context.Context, o *domain.Organization, actor kernel.UserID) error {
	if err := s.deps.Organizations.Delete(ctx, o.ID()); err != nil {
		return err
	}
	return s.deps.Events.Publish(ctx, OrganizationDeleted{OrganizationID: o.ID(), ActorID: actor, Slug: o.Slug().String()})
}

// SetActive makes org the user's active organization: they must be a
// member (else ErrOrganizationNotFound). It records the use, so the
// organization is also their default from now on.
func (s *Service) SetActive(ctx context.Context, user kernel.UserID, org kernel.OrganizationID) (ActiveView, error) {
	access, err := s.Access(ctx, org, user)
	if err != nil {
		return ActiveView{}, err
	}
	if err := s.deps.Memberships.Touch(ctx, org, user, s.deps.Clock.Now()); err != nil {
		return ActiveView{}, fmt.Errorf("set active organization: %w", err)
	}
	return s.Active(ctx, Actor{UserID: user, Org: access})
}

// Active describes the caller's active organization: the organization,
// their role, its grants and those grants expanded over the catalog.
func (s *Service) Active(ctx context.Context, a Actor) (ActiveView, error) {
	o, err := s.deps.Organizations.ByID(ctx, a.Org.OrganizationID)
	if err != nil {
		return ActiveView{}, err
	}
	var perms []string
	for _, p := range s.Permissions() {
		if a.Org.Grants.Allows(p.Name) {
			perms = append(perms, p.Name)
		}
	}
	grants := slices.Clone([]string(a.Org.Grants))
	if grants == nil {
		grants = []string{}
	}
	if perms == nil {
		perms = []string{}
	}
	return ActiveView{Organization: organizationView(o, a.Org.Role), Role: a.Org.Role, Grants: grants, Permissions: perms}, nil
}
