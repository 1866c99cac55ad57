package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// RevokeInvitation revokes a pending invitation; it needs members:invite.
// A closed one is domain.ErrInvitationGone (410).
func (s *Service) RevokeInvitation(ctx context.Context, a Actor, id domain.InvitationID) (InvitationView, error) {
	if err := a.require(domain.PermMembersInvite); err != nil {
		return InvitationView{}, err
	}
	var view InvitationView
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		inv, err := s.lockedInvitation(ctx, a.Org.OrganizationID, id)
		if err != nil {
			return err
		}
		now := s.deps.Clock.Now()
		if err := inv.Revoke(now); err != nil {
			return err
		}
		if err := s.deps.Invitations.Save(ctx, inv); err != nil {
			return err
		}
		view = invitationView(inv, now)
		return s.deps.Events.Publish(ctx, InvitationRevoked{
			OrganizationID: inv.OrganizationID(), ActorID: a.UserID, InvitationID: inv.ID(), Email: inv.Email().String(),
		})
	})
	if err != nil {
		return InvitationView{}, fmt.Errorf("revoke invitation: %w", err)
	}
	return view, nil
}
