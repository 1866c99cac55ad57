package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// MaxMembersPage is the largest page of members.
const MaxMembersPage = 100

// MembersPage is one page of members; Next is the cursor of the next page
// (zero on the last).
type MembersPage struct {
	Members []MemberView
	Next    domain.MembershipID
}

// ListMembers returns a page of the organization's members with their
// profiles, ordered by membership ID; it needs members:read. A page read
// at the members version the request's membership check saw is served
// from memory: every change to the list moves the version on in its own
// transaction, so such a page is exactly what the database would answer.
func (s *Service) ListMembers(ctx context.Context, a Actor, after domain.MembershipID, limit int) (MembersPage, error) {
	if err := a.require(domain.PermMembersRead); err != nil {
		return MembersPage{}, err
	}
	if limit <= 0 || limit > MaxMembersPage {
		limit = MaxMembersPage
	}
	key := PageKey{Org: a.Org.OrganizationID, After: after, Limit: limit}
	if page, ok := s.pages.Get(key, a.MembersVersion); ok {
		return page, nil
	}
	ms, err := s.deps.Memberships.List(ctx, a.Org.OrganizationID, MemberQuery{After: after, Limit: limit + 1})
	if err != nil {
		return MembersPage{}, fmt.Errorf("list members: %w", err)
	}
	var page MembersPage
	if len(ms) > limit {
		ms = ms[:limit]
		page.Next = ms[limit-1].ID()
	}
	ids := make([]kernel.UserID, len(ms))
	for i, m := range ms {
		ids[i] = m.UserID()
	}
	users, err := s.deps.Users.Profiles(ctx, ids)
	if err != nil {
		return MembersPage{}, fmt.Errorf("list members: %w", err)
	}
	page.Members = make([]MemberView, 0, len(ms))
	for _, m := range ms {
		page.Members = append(page.Members, memberView(m, users[m.UserID()]))
	}
	s.pages.Put(key, a.MembersVersion, page)
	return page, nil
}

// ProfileChanged records that user's name, email or image changed, in the
// change's transaction: the member lists that show them are stale.
func (s *Service) ProfileChanged(ctx context.Context, user kernel.UserID) error {
	return s.deps.Memberships.ProfileChanged(ctx, user)
}
