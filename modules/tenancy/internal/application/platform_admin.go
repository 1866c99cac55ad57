package application

import (
	"context"
	"fmt"
	"slices"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// The platform administration of organizations: every organization of the
// installation, for platform admins, whom the caller (the platform's gate)
// has already checked. These use cases take the admin's user ID, who is the
// actor of the events they publish, and never check a membership or a
// permission in the organization: the admin has none.

// The page sizes of ListAllOrganizations.
const (
	DefaultOrganizationsPage = 50
	MaxOrganizationsPage     = 200
)

// MaxDetailMembers is how many members OrganizationDetails shows: the
// first ones to join. An organization with more says so (MembersTruncated).
const MaxDetailMembers = 1000

// maxProfiles is how many users one Users.Profiles call may name.
const maxProfiles = 1000

// errInvalidFilter is the answer to a listing's filter that is out of
// range or contradicts another; the field error names the filter.
func errInvalidFilter(field, message string) error {
	return kernel.Invalid("tenancy.invalid_filter", "The filters are not valid; check the fields.",
		kernel.FieldError{Field: field, Code: "invalid", Message: message})
}

// OrganizationSummaryView is an organization as the platform's listing
// shows it: with its member count, without a caller's role.
type OrganizationSummaryView struct {
	OrganizationView
	// MemberCount counts active and suspended members.
	MemberCount int
}

// OrganizationSummary returns the organization with its member count;
// ErrOrganizationNotFound for an unknown ID. It needs no transaction.
func (s *Service) OrganizationSummary(ctx context.Context, id kernel.OrganizationID) (OrganizationSummaryView, error) {
	sum, err := s.deps.Organizations.Summary(ctx, id)
	if err != nil {
		return OrganizationSummaryView{}, fmt.Errorf("organization summary: %w", err)
	}
	return organizationSummaryView(sum), nil
}

func organizationSummaryView(s OrganizationSummary) OrganizationSummaryView {
	return OrganizationSummaryView{OrganizationView: organizationView(s.Organization, ""), MemberCount: s.MemberCount}
}

// OrganizationsPage is a page of ListAllOrganizations; Next is where the
// next page starts, nil on the last.
type OrganizationsPage struct {
	Items []OrganizationSummaryView
	Next  *OrganizationCursor
}

// ListAllOrganizations returns a page of every organization of the
// installation that q selects, newest first. A negative member bound,
// MinMembers above MaxMembers or CreatedFrom after CreatedTo is an Invalid
// error tenancy.invalid_filter on the field at fault (minMembers,
// maxMembers, createdTo). A limit outside 1–MaxOrganizationsPage is
// DefaultOrganizationsPage or MaxOrganizationsPage.
func (s *Service) ListAllOrganizations(ctx context.Context, q OrganizationQuery) (OrganizationsPage, error) {
	switch {
	case q.MinMembers != nil && *q.MinMembers < 0:
		return OrganizationsPage{}, errInvalidFilter("minMembers", "must be 0 or more")
	case q.MaxMembers != nil && *q.MaxMembers < 0:
		return OrganizationsPage{}, errInvalidFilter("maxMembers", "must be 0 or more")
	case q.MinMembers != nil && q.MaxMembers != nil && *q.MinMembers > *q.MaxMembers:
		return OrganizationsPage{}, errInvalidFilter("maxMembers", "must not be less than minMembers")
	case !q.CreatedFrom.IsZero() && !q.CreatedTo.IsZero() && q.CreatedFrom.After(q.CreatedTo):
		return OrganizationsPage{}, errInvalidFilter("createdTo", "must not be before createdFrom")
	}
	limit := kernel.PageLimit(q.Limit, DefaultOrganizationsPage, MaxOrganizationsPage)
	q.Limit = limit + 1
	list, err := s.deps.Organizations.Search(ctx, q)
	if err != nil {
		return OrganizationsPage{}, fmt.Errorf("list all organizations: %w", err)
	}
	var page OrganizationsPage
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1].Organization
		page.Next = &OrganizationCursor{CreatedAt: last.CreatedAt(), ID: last.ID()}
	}
	page.Items = make([]OrganizationSummaryView, len(list))
	for i, o := range list {
		page.Items[i] = organizationSummaryView(o)
	}
	return page, nil
}

// PendingInvitationView is an open invitation with its inviter's profile
// (only the ID when the inviter's account is gone).
type PendingInvitationView struct {
	InvitationView
	Inviter UserInfo
}

// OrganizationDetails is an organization as platform administration shows
// it: with its members and its open invitations.
type OrganizationDetails struct {
	Organization OrganizationSummaryView
	// Members are the first MaxDetailMembers members, in the order they
	// joined, with their profiles.
	Members []MemberView
	// MembersTruncated is true when the organization has more members than
	// Members holds.
	MembersTruncated bool
	// Invitations are the pending, unexpired invitations, newest first.
	Invitations []PendingInvitationView
}

// OrganizationDetails returns any organization of the installation with
// its members and open invitations, or ErrOrganizationNotFound.
func (s *Service) OrganizationDetails(ctx context.Context, id kernel.OrganizationID) (OrganizationDetails, error) {
	sum, err := s.deps.Organizations.Summary(ctx, id)
	if err != nil {
		return OrganizationDetails{}, err
	}
	ms, err := s.deps.Memberships.List(ctx, id, MemberQuery{Limit: MaxDetailMembers + 1})
	if err != nil {
		return OrganizationDetails{}, fmt.Errorf("organization details: %w", err)
	}
	d := OrganizationDetails{Organization: organizationSummaryView(sum)}
	if len(ms) > MaxDetailMembers {
		ms, d.MembersTruncated = ms[:MaxDetailMembers], true
	}
	invs, err := s.deps.Invitations.List(ctx, id, true)
	if err != nil {
		return OrganizationDetails{}, fmt.Errorf("organization details: %w", err)
	}
	now := s.deps.Clock.Now()
	invs = slices.DeleteFunc(invs, func(i *domain.Invitation) bool { return !i.IsOpen(now) })

	ids := make([]kernel.UserID, 0, len(ms)+len(invs))
	for _, m := range ms {
		ids = append(ids, m.UserID())
	}
	for _, i := range invs {
		ids = append(ids, i.InviterID())
	}
	users, err := s.profiles(ctx, ids)
	if err != nil {
		return OrganizationDetails{}, fmt.Errorf("organization details: %w", err)
	}
	d.Members = make([]MemberView, len(ms))
	for i, m := range ms {
		d.Members[i] = memberView(m, users[m.UserID()])
	}
	d.Invitations = make([]PendingInvitationView, len(invs))
	for n, i := range invs {
		inviter, ok := users[i.InviterID()]
		if !ok {
			inviter = UserInfo{ID: i.InviterID()}
		}
		d.Invitations[n] = PendingInvitationView{InvitationView: invitationView(i, now), Inviter: inviter}
	}
	return d, nil
}

// profiles returns the public profiles of the users among ids that exist,
// asking Users for at most maxProfiles at a time.
func (s *Service) profiles(ctx context.Context, ids []kernel.UserID) (map[kernel.UserID]UserInfo, error) {
	seen := make(map[kernel.UserID]bool, len(ids))
	ids = slices.DeleteFunc(ids, func(id kernel.UserID) bool {
		dup := seen[id]
		seen[id] = true
		return dup
	})
	out := make(map[kernel.UserID]UserInfo, len(ids))
	for chunk := range slices.Chunk(ids, maxProfiles) {
		got, err := s.deps.Users.Profiles(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for id, u := range got {
			out[id] = u
		}
	}
	return out, nil
}

// AdminDeleteOrganization deletes any organization with its memberships,
// roles and invitations on behalf of the platform admin admin, who is the
// event's actor: what an owner's DeleteOrganization does, without the
// owner check and the confirmation. ErrOrganizationNotFound for an unknown
// ID.
func (s *Service) AdminDeleteOrganization(ctx context.Context, admin kernel.UserID, id kernel.OrganizationID) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, id); err != nil {
			return err
		}
		o, err := s.deps.Organizations.ByID(ctx, id)
		if err != nil {
			return err
		}
		return s.deleteOrganization(ctx, o, admin)
	})
	if err != nil {
		return fmt.Errorf("delete organization as platform admin: %w", err)
	}
	return nil
}

// AdminTransferOwnership makes the member user the owner of any
// organization on behalf of the platform admin admin, who is the actor of
// the events: every other owner becomes an admin, as an owner who
// transfers does (TransferOwnership), and gets one ownership.transferred.
// A target who is already the only owner changes nothing and publishes
// nothing. ErrOrganizationNotFound for an unknown organization,
// ErrMemberNotFound when user is not a member, ErrMemberSuspended when the
// membership is suspended.
func (s *Service) AdminTransferOwnership(ctx context.Context, admin kernel.UserID, org kernel.OrganizationID, user kernel.UserID) (MemberView, error) {
	var target *domain.Membership
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, org); err != nil {
			return err
		}
		var err error
		if target, err = s.transferTarget(ctx, org, MemberRef{User: user}); err != nil {
			return err
		}
		owners, err := s.deps.Memberships.ListRole(ctx, org, domain.RoleOwner)
		if err != nil {
			return err
		}
		owners = slices.DeleteFunc(owners, func(m *domain.Membership) bool { return m.ID() == target.ID() })
		if target.IsOwner() && len(owners) == 0 {
			return nil // the only owner already
		}
		return s.handOver(ctx, admin, target, owners)
	})
	if err != nil {
		return MemberView{}, fmt.Errorf("transfer ownership as platform admin: %w", err)
	}
	return s.withProfile(ctx, target)
}
