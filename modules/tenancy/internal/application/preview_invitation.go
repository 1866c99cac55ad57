package application

import (
	"context"
	"errors"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// invitationByToken finds the invitation a link's token names; a
// malformed or unknown token is ErrInvitationNotFound.
func (s *Service) invitationByToken(ctx context.Context, token string) (*domain.Invitation, error) {
	t, ok := kernel.ParseToken(token)
	if !ok {
		return nil, ErrInvitationNotFound
	}
	return s.deps.Invitations.ByTokenHash(ctx, t.Hash())
}

// PreviewInvitation shows what an invitation link offers, to anyone
// holding it: unknown is 404, spent or expired 410.
func (s *Service) PreviewInvitation(ctx context.Context, token string) (InvitationPreview, error) {
	inv, err := s.invitationByToken(ctx, token)
	if err != nil {
		return InvitationPreview{}, err
	}
	now := s.deps.Clock.Now()
	if !inv.IsOpen(now) {
		return InvitationPreview{}, domain.ErrInvitationGone
	}
	o, err := s.deps.Organizations.ByID(ctx, inv.OrganizationID())
	if err != nil {
		return InvitationPreview{}, err
	}
	inviter, err := s.deps.Users.User(ctx, inv.InviterID())
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return InvitationPreview{}, err
	}
	name := inviter.displayName()
	return InvitationPreview{
		OrganizationName: o.Name().String(), OrganizationSlug: o.Slug().String(), InviterName: name,
		Role: inv.Role(), Email: inv.Email().String(), Status: inv.StatusAt(now).String(), ExpiresAt: inv.ExpiresAt(),
	}, nil
}
