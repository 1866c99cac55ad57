package application

import (
	"context"
	"fmt"
	"math"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// ResendInvitation sends a pending (or expired) invitation again with a
// new token and a fresh expiry; the old link stops working. It needs
// members:invite and, still, every permission of the invited role.
func (s *Service) ResendInvitation(ctx context.Context, a Actor, id domain.InvitationID) (InvitationView, error) {
	if err := a.require(domain.PermMembersInvite); err != nil {
		return InvitationView{}, err
	}
	token, err := kernel.NewToken()
	if err != nil {
		return InvitationView{}, err
	}
	var view InvitationView
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		// Under the organization's lock: parallel resends see each other
		// (one passes the once-a-minute limit) and an accepted, declined
		// or revoked invitation is not reopened.
		inv, err := s.lockedInvitation(ctx, a.Org.OrganizationID, id)
		if err != nil {
			return err
		}
		if _, err := s.grantableRole(ctx, a, inv.Role()); err != nil {
			return err
		}
		now := s.deps.Clock.Now()
		if inv.Status() == domain.InvitationPending {
			if wait := inv.UpdatedAt().Add(ResendInterval).Sub(now); wait > 0 {
				return kernel.RateLimited("tenancy.resend_too_soon", "This invitation was just sent; wait a minute before resending it.",
					int(math.Ceil(wait.Seconds())))
			}
			if err := s.reserveSend(ctx, a, now); err != nil {
				return err
			}
		}
		if err := inv.Resend(token.Hash(), now); err != nil {
			return err
		}
		if err := s.deps.Invitations.Save(ctx, inv); err != nil {
			return err
		}
		if err := s.sendInvitation(ctx, a, inv, token); err != nil {
			return err
		}
		view = invitationView(inv, now)
		return s.deps.Events.Publish(ctx, MemberInvited{
			OrganizationID: inv.OrganizationID(), ActorID: a.UserID, InvitationID: inv.ID(), Email: inv.Email().String(), Role: inv.Role(), Resent: true,
		})
	})
	if err != nil {
		return InvitationView{}, fmt.Errorf("resend invitation: %w", err)
	}
	return view, nil
}
