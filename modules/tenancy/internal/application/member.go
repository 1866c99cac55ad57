package application

import (
	"context"
	"errors"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// MemberRef names a member by membership ID or user ID.
type MemberRef struct {
	Membership domain.MembershipID
	User       kernel.UserID
}

// ParseMemberRef parses "mem_…" or "usr_…"; anything else is
// ErrMemberNotFound.
func ParseMemberRef(s string) (MemberRef, error) {
	if id, err := kernel.ParseID[domain.MembershipKind](s); err == nil {
		return MemberRef{Membership: id}, nil
	}
	if id, err := kernel.ParseID[kernel.UserKind](s); err == nil {
		return MemberRef{User: id}, nil
	}
	return MemberRef{}, ErrMemberNotFound
}

func (s *Service) member(ctx context.Context, org kernel.OrganizationID, ref MemberRef) (*domain.Membership, error) {
	if !ref.Membership.IsZero() {
		return s.deps.Memberships.ByID(ctx, org, ref.Membership)
	}
	return s.deps.Memberships.ByUser(ctx, org, ref.User)
}

// Member returns one member; it needs members:read.
func (s *Service) Member(ctx context.Context, a Actor, ref MemberRef) (MemberView, error) {
	if err := a.require(domain.PermMembersRead); err != nil {
		return MemberView{}, err
	}
	m, err := s.member(ctx, a.Org.OrganizationID, ref)
	if err != nil {
		return MemberView{}, err
	}
	return s.withProfile(ctx, m)
}

func (s *Service) withProfile(ctx context.Context, m *domain.Membership) (MemberView, error) {
	u, err := s.deps.Users.User(ctx, m.UserID())
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return MemberView{}, err
	}
	return memberView(m, u), nil
}

// checkOverMember refuses to act on a member whose role holds permissions
// the actor does not: an admin cannot demote or remove an owner.
func (s *Service) checkOverMember(ctx context.Context, a Actor, m *domain.Membership) error {
	perms, err := s.permissionsOf(ctx, a.Org.OrganizationID, m.Role())
	if err != nil {
		return err
	}
	return domain.CanGrant(a.Org.Grants, perms)
}

// grantableRole returns the role named name in the actor's organization
// when the actor holds every permission it grants: what inviting with a
// role, resending an invitation and giving a member a role all require.
func (s *Service) grantableRole(ctx context.Context, a Actor, name string) (*domain.Role, error) {
	r, err := s.roleOf(ctx, a.Org.OrganizationID, name)
	if err != nil {
		return nil, err
	}
	if err := domain.CanGrant(a.Org.Grants, r.Permissions()); err != nil {
		return nil, err
	}
	return r, nil
}

// lockedOrganization locks the actor's organization row for the
// transaction in ctx and reads it under the lock.
func (s *Service) lockedOrganization(ctx context.Context, a Actor) (*domain.Organization, error) {
	if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
		return nil, err
	}
	return s.deps.Organizations.ByID(ctx, a.Org.OrganizationID)
}

// lockedMember locks the organization org and reads the member ref names
// under the lock: every change to a membership starts here, so changes to
// one organization's members serialize and the owners guard counts what
// the previous one committed.
func (s *Service) lockedMember(ctx context.Context, org kernel.OrganizationID, ref MemberRef) (*domain.Membership, error) {
	if err := s.deps.Organizations.Lock(ctx, org); err != nil {
		return nil, err
	}
	return s.member(ctx, org, ref)
}

// guardOwners locks the organization and refuses a change that would leave
// it without an owner. Call it in the transaction that makes the change.
func (s *Service) guardOwners(ctx context.Context, org kernel.OrganizationID, change domain.OwnerChange) error {
	if err := s.deps.Organizations.Lock(ctx, org); err != nil {
		return err
	}
	if change == domain.OwnerKept {
		return nil
	}
	owners, err := s.deps.Memberships.CountRole(ctx, org, domain.RoleOwner)
	if err != nil {
		return err
	}
	return domain.EnsureOwnerRemains(owners, change)
}
