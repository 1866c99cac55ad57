package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// RemoveMember removes a member; it needs members:remove and every
// permission of the member's role. Removing yourself is leaving (use
// Leave); removing the last owner is refused.
func (s *Service) RemoveMember(ctx context.Context, a Actor, ref MemberRef) error {
	if err := a.require(domain.PermMembersRemove); err != nil {
		return err
	}
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		return s.removeMember(ctx, a, ref)
	})
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return nil
}

// removeMember removes the member ref names, in the transaction in ctx,
// with RemoveMember's guards: the actor must hold every permission of the
// member's role (unless the member is the actor), and the last owner
// stays.
func (s *Service) removeMember(ctx context.Context, a Actor, ref MemberRef) error {
	m, err := s.lockedMember(ctx, a.Org.OrganizationID, ref)
	if err != nil {
		return err
	}
	self := m.UserID() == a.UserID
	if !self {
		if err := s.checkOverMember(ctx, a, m); err != nil {
			return err
		}
	}
	return s.removeMembership(ctx, m, a.UserID, self)
}

// removeMembership deletes m after the owners guard, and publishes
// MemberLeft (left) or MemberRemoved. The organization must be locked.
func (s *Service) removeMembership(ctx context.Context, m *domain.Membership, actor kernel.UserID, left bool) error {
	if err := s.guardOwners(ctx, m.OrganizationID(), m.OwnerChangeTo("")); err != nil {
		return err
	}
	if err := s.deps.Memberships.Delete(ctx, m.OrganizationID(), m.ID()); err != nil {
		return err
	}
	if left {
		return s.deps.Events.Publish(ctx, MemberLeft{OrganizationID: m.OrganizationID(), MembershipID: m.ID(), UserID: m.UserID(), Role: m.Role()})
	}
	return s.deps.Events.Publish(ctx, MemberRemoved{
		OrganizationID: m.OrganizationID(), ActorID: actor, MembershipID: m.ID(), UserID: m.UserID(), Role: m.Role(),
	})
}

// Leave removes the caller from the organization. The last owner cannot
// leave (tenancy.last_owner): they transfer ownership or delete the
// organization.
func (s *Service) Leave(ctx context.Context, a Actor) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		m, err := s.lockedMember(ctx, a.Org.OrganizationID, MemberRef{User: a.UserID})
		if err != nil {
			return err
		}
		return s.removeMembership(ctx, m, a.UserID, true)
	})
	if err != nil {
		return fmt.Errorf("leave organization: %w", err)
	}
	return nil
}

// RemoveUser removes user from org for iam's user administration (which
// checked users:delete), with the same guards as RemoveMember: the actor
// must hold the member's role's permissions, and the last owner stays.
func (s *Service) RemoveUser(ctx context.Context, a Actor, user kernel.UserID) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		return s.removeMember(ctx, a, MemberRef{User: user})
	})
	if err != nil {
		return fmt.Errorf("remove user: %w", err)
	}
	return nil
}
