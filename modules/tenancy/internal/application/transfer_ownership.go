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
		if target, err = s.member(ctx, a.Org.OrganizationID, to); err != nil {
			return err
		}
		if target.Suspended() {
			return ErrMemberSuspended
		}
		if target.ID() == me.ID() {
			return kernel.Invalid("tenancy.transfer_to_self", "Choose another member to transfer ownership to.",
				kernel.FieldError{Field: "memberId", Code: "self", Message: "is you"})
		}
		from := target.Role()
		if _, err := target.ChangeRole(domain.RoleOwner); err != nil {
			return err
		}
		if _, err := me.ChangeRole(domain.RoleAdmin); err != nil {
			return err
		}
		if err := s.deps.Memberships.Save(ctx, target); err != nil {
			return err
		}
		if err := s.deps.Memberships.Save(ctx, me); err != nil {
			return err
		}
		var events []kernel.Event
		if from != domain.RoleOwner {
			events = append(events, MemberRoleChanged{
				OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, MembershipID: target.ID(), UserID: target.UserID(), From: from, To: domain.RoleOwner,
			})
		}
		events = append(events,
			MemberRoleChanged{
				OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, MembershipID: me.ID(), UserID: me.UserID(), From: domain.RoleOwner, To: domain.RoleAdmin,
			},
			OwnershipTransferred{
				OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, FromUserID: a.UserID, ToUserID: target.UserID(), FromRole: domain.RoleAdmin,
			})
		return s.deps.Events.Publish(ctx, events...)
	})
	if err != nil {
		return MemberView{}, fmt.Errorf("transfer ownership: %w", err)
	}
	return s.withProfile(ctx, target)
}
