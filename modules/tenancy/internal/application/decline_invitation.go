package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
)

// DeclineInvitation closes an invitation addressed to user, with the same
// checks as accepting: whoever signed up with an address they never proved
// cannot turn its invitations down.
func (s *Service) DeclineInvitation(ctx context.Context, user kernel.UserID, ref InvitationRef) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		inv, _, now, err := s.lockedReceivedInvitation(ctx, user, ref)
		if err != nil {
			return err
		}
		if err := inv.Decline(now); err != nil {
			return err
		}
		if err := s.deps.Invitations.Save(ctx, inv); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, InvitationDeclined{
			OrganizationID: inv.OrganizationID(), ActorID: user, InvitationID: inv.ID(), Email: inv.Email().String(),
		})
	})
	if err != nil {
		return fmt.Errorf("decline invitation: %w", err)
	}
	return nil
}
