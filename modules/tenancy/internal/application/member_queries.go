package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// IsMember reports whether user belongs to org.
func (s *Service) IsMember(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (bool, error) {
	_, err := s.deps.Memberships.ByUser(ctx, org, user)
	if errors.Is(err, ErrMemberNotFound) {
		return false, nil
	}
	return err == nil, err
}

// MemberIDs lists the user IDs of org's members.
func (s *Service) MemberIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return s.deps.Memberships.ListUserIDs(ctx, org)
}

// ActiveOwnerIDs lists the user IDs of org's owners whose membership is
// not suspended, oldest membership first.
func (s *Service) ActiveOwnerIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	list, err := s.deps.Memberships.ListRole(ctx, org, domain.RoleOwner)
	if err != nil {
		return nil, fmt.Errorf("owners: %w", err)
	}
	ids := make([]kernel.UserID, 0, len(list))
	for _, m := range list {
		if !m.Suspended() {
			ids = append(ids, m.UserID())
		}
	}
	return ids, nil
}

// SuspendedIDs lists the user IDs of org's suspended members.
func (s *Service) SuspendedIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return s.deps.Memberships.ListSuspendedUserIDs(ctx, org)
}

// MemberState says whether user belongs to org and whether the membership
// is suspended.
func (s *Service) MemberState(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (member, suspended bool, err error) {
	m, err := s.deps.Memberships.ByUser(ctx, org, user)
	if errors.Is(err, ErrMemberNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, m.Suspended(), nil
}

// AddMember makes user a member of org with the member role, for iam's
// user administration (which checked users:create). Already a member is
// ErrAlreadyMember.
func (s *Service) AddMember(ctx context.Context, actor kernel.UserID, org kernel.OrganizationID, user kernel.UserID) error {
	m, err := domain.NewMembership(org, user, domain.RoleMember, s.deps.Clock.Now())
	if err != nil {
		return err
	}
	return s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, org); err != nil {
			return err
		}
		if err := s.deps.Memberships.Create(ctx, m); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, MemberJoined{OrganizationID: org, ActorID: actor, MembershipID: m.ID(), UserID: user, Role: m.Role()})
	})
}
