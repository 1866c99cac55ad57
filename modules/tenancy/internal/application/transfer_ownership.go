package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// ErrMemberSuspended refuses making a suspended member an owner: the
// organization would be left without an active one.
var ErrMemberSuspended = kernel.Conflict("tenancy.member_suspended",
	"That member is suspended; reinstate them first.")

// TransferOwnership makes another member an owner and the actor, an owner,
// an admin. It needs organization:transfer and the owner role.
func (s *Service) TransferOwnership(ctx context.Context, a Actor, to MemberRef) (MemberView, error) {
	if a.Org.Role != domain.RoleOwner || !a.Org.Grants.Allows(domain.PermOrganizationTransfer) {
		return MemberView{}, ErrOwnerOnly
	}
	var target *domain.Membership
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		me, err := s.lockedMember(ctx, a.Org.OrganizationID, MemberRef{User: a.UserID})
		if err != nil {
			return err
		}
		if !me.IsOwner() { // demoted since the request was authorized
			return ErrOwnerOnly
		}
		if target, err = s.transferTarget(ctx, a.Org.OrganizationID, to); err != nil {
			return err
		}
		if target.ID() == me.ID() {
			return kernel.Invalid("tenancy.transfer_to_self", "Choose another member to transfer ownership to.",
				kernel.FieldError{Field: "memberId", Code: "self", Message: "is you"})
		}
		return s.handOver(ctx, a.UserID, target, []*domain.Membership{me})
	})
	if err != nil {
		return MemberView{}, fmt.Errorf("transfer ownership: %w", err)
	}
	return s.withProfile(ctx, target)
}

// transferTarget reads the member ownership goes to: ErrMemberNotFound for
// someone who is not a member of org, ErrMemberSuspended for a suspended
// one. The organization must be locked.
func (s *Service) transferTarget(ctx context.Context, org kernel.OrganizationID, to MemberRef) (*domain.Membership, error) {
	target, err := s.member(ctx, org, to)
	if err != nil {
		return nil, err
	}
	if target.Suspended() {
		return nil, ErrMemberSuspended
	}
	return target, nil
}

// handOver makes target an owner and each of from, owners, an admin, and
// publishes what changed: target's role change (unless they were an owner
// already), each previous owner's, then one ownership.transferred per
// previous owner, all with actor as the actor. It runs in ctx's
// transaction, with the organization locked.
func (s *Service) handOver(ctx context.Context, actor kernel.UserID, target *domain.Membership, from []*domain.Membership) error {
	org, was := target.OrganizationID(), target.Role()
	if _, err := target.ChangeRole(domain.RoleOwner); err != nil {
		return err
	}
	if err := s.deps.Memberships.Save(ctx, target); err != nil {
		return err
	}
	for _, m := range from {
		if _, err := m.ChangeRole(domain.RoleAdmin); err != nil {
			return err
		}
		if err := s.deps.Memberships.Save(ctx, m); err != nil {
			return err
		}
	}
	var events []kernel.Event
	if was != domain.RoleOwner {
		events = append(events, MemberRoleChanged{
			OrganizationID: org, ActorID: actor, MembershipID: target.ID(), UserID: target.UserID(), From: was, To: domain.RoleOwner,
		})
	}
	for _, m := range from {
		events = append(events, MemberRoleChanged{
			OrganizationID: org, ActorID: actor, MembershipID: m.ID(), UserID: m.UserID(), From: domain.RoleOwner, To: domain.RoleAdmin,
		})
	}
	for _, m := range from {
		events = append(events, OwnershipTransferred{
			OrganizationID: org, ActorID: actor, FromUserID: m.UserID(), ToUserID: target.UserID(), FromRole: domain.RoleAdmin,
		})
	}
	if len(events) == 0 {
		return nil
	}
	return s.deps.Events.Publish(ctx, events...)
}
