package application

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// ErrSoleOwner refuses deleting an account that is the only owner of an
// organization others still belong to.
var ErrSoleOwner = kernel.Conflict("tenancy.last_owner",
	"You are the only owner of an organization with other members; transfer ownership or delete it first.")

// UserDeleted removes a deleted account from every organization, in the
// deletion's transaction. An organization the user was the only member of
// is deleted with them; being the only owner of one with other members
// refuses the deletion (ErrSoleOwner).
func (s *Service) UserDeleted(ctx context.Context, user kernel.UserID) error {
	ms, err := s.deps.Memberships.ListByUser(ctx, user)
	if err != nil {
		return err
	}
	// Lock organizations in one order, so two deletions cannot deadlock.
	slices.SortFunc(ms, func(a, b *domain.Membership) int {
		return strings.Compare(a.OrganizationID().String(), b.OrganizationID().String())
	})
	for _, m := range ms {
		if err := s.deps.Organizations.Lock(ctx, m.OrganizationID()); err != nil {
			if errors.Is(err, ErrOrganizationNotFound) {
				continue
			}
			return err
		}
		owners, err := s.deps.Memberships.CountRole(ctx, m.OrganizationID(), domain.RoleOwner)
		if err != nil {
			return err
		}
		if !m.IsOwner() || owners > 1 {
			if err := s.removeMembership(ctx, m, kernel.UserID{}, true); err != nil {
				return err
			}
			continue
		}
		ids, err := s.deps.Memberships.ListUserIDs(ctx, m.OrganizationID())
		if err != nil {
			return err
		}
		if len(ids) > 1 {
			return ErrSoleOwner
		}
		o, err := s.deps.Organizations.ByID(ctx, m.OrganizationID())
		if err != nil {
			return err
		}
		if err := s.deleteOrganization(ctx, o, user); err != nil {
			return err
		}
	}
	return nil
}
