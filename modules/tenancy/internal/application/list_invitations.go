package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// ListInvitations lists the organization's invitations, newest first;
// pendingOnly keeps the open ones. It needs members:invite.
func (s *Service) ListInvitations(ctx context.Context, a Actor, pendingOnly bool) ([]InvitationView, error) {
	if err := a.require(domain.PermMembersInvite); err != nil {
		return nil, err
	}
	list, err := s.deps.Invitations.List(ctx, a.Org.OrganizationID, pendingOnly)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	now := s.deps.Clock.Now()
	out := make([]InvitationView, 0, len(list))
	for _, i := range list {
		if pendingOnly && !i.IsOpen(now) {
			continue
		}
		out = append(out, invitationView(i, now))
	}
	return out, nil
}

// MyInvitations lists the open invitations addressed to user's email, once
// it is verified: an account holding an address it never proved sees none.
func (s *Service) MyInvitations(ctx context.Context, user kernel.UserID) ([]ReceivedInvitation, error) {
	u, err := s.deps.Users.User(ctx, user)
	if err != nil {
		return nil, err
	}
	if !u.EmailVerified {
		return []ReceivedInvitation{}, nil
	}
	email, err := domain.ParseEmail(u.Email)
	if err != nil {
		return []ReceivedInvitation{}, nil
	}
	list, err := s.deps.Invitations.ListPendingForEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("my invitations: %w", err)
	}
	now := s.deps.Clock.Now()
	out := []ReceivedInvitation{}
	for _, inv := range list {
		if !inv.IsOpen(now) {
			continue
		}
		o, err := s.deps.Organizations.ByID(ctx, inv.OrganizationID())
		if err != nil {
			continue
		}
		inviter, _ := s.deps.Users.User(ctx, inv.InviterID())
		name := inviter.displayName()
		out = append(out, ReceivedInvitation{
			ID: inv.ID(), OrganizationID: o.ID(), OrganizationName: o.Name().String(), InviterName: name,
			Role: inv.Role(), ExpiresAt: inv.ExpiresAt(),
		})
	}
	return out, nil
}
