package application

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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

// MemberRef names a member by membership ID or user ID.
type MemberRef struct {
	Membership domain.MembershipID
	User       kernel.UserID
}

// ParseMemberRef parses "mem_…" or "usr_…"; anything else is
// ErrMemberNotFound.
func ParseMemberRef(s string) (MemberRef, error) {
	if id, err := kernel.ParseID[domain.MembershipKind](s); err == nil {
		return MemberRef{Membership: id}, nil
	}
	if id, err := kernel.ParseID[kernel.UserKind](s); err == nil {
		return MemberRef{User: id}, nil
	}
	return MemberRef{}, ErrMemberNotFound
}

func (s *Service) member(ctx context.Context, org kernel.OrganizationID, ref MemberRef) (*domain.Membership, error) {
	if !ref.Membership.IsZero() {
		return s.deps.Memberships.ByID(ctx, org, ref.Membership)
	}
	return s.deps.Memberships.ByUser(ctx, org, ref.User)
}

// Member returns one member; it needs members:read.
func (s *Service) Member(ctx context.Context, a Actor, ref MemberRef) (MemberView, error) {
	if err := a.require(domain.PermMembersRead); err != nil {
		return MemberView{}, err
	}
	m, err := s.member(ctx, a.Org.OrganizationID, ref)
	if err != nil {
		return MemberView{}, err
	}
	return s.withProfile(ctx, m)
}

func (s *Service) withProfile(ctx context.Context, m *domain.Membership) (MemberView, error) {
	u, err := s.deps.Users.User(ctx, m.UserID())
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return MemberView{}, err
	}
	return memberView(m, u), nil
}

// checkOverMember refuses to act on a member whose role holds permissions
// the actor does not: an admin cannot demote or remove an owner.
func (s *Service) checkOverMember(ctx context.Context, a Actor, m *domain.Membership) error {
	perms, err := s.permissionsOf(ctx, a.Org.OrganizationID, m.Role())
	if err != nil {
		return err
	}
	return domain.CanGrant(a.Org.Grants, perms)
}

// guardOwners locks the organization and refuses a change that would leave
// it without an owner. Call it in the transaction that makes the change.
func (s *Service) guardOwners(ctx context.Context, org kernel.OrganizationID, change domain.OwnerChange) error {
	if err := s.deps.Organizations.Lock(ctx, org); err != nil {
		return err
	}
	if change == domain.OwnerKept {
		return nil
	}
	owners, err := s.deps.Memberships.CountRole(ctx, org, domain.RoleOwner)
	if err != nil {
		return err
	}
	return domain.EnsureOwnerRemains(owners, change)
}

// MemberChange is what UpdateMember changes: a new role (empty: keep it),
// and a suspension or reinstatement (nil: keep the state).
type MemberChange struct {
	Role      string
	Suspended *bool
}

// ErrCannotSuspendSelf refuses a member's suspension of their own
// membership: they leave instead.
var ErrCannotSuspendSelf = kernel.Conflict("tenancy.cannot_suspend_self",
	"You cannot suspend your own membership; leave the organization instead.")

// UpdateMember changes a member's role, suspends or reinstates them, or
// both, in one transaction. It needs members:update, and the actor must
// hold every permission of the member's role (an admin cannot act on an
// owner) and, for a new role, of that role. A suspended membership keeps
// its role and grants nothing; the account and its other organizations
// are untouched. Refused: leaving the organization without an active owner
// (tenancy.last_owner), suspending yourself (tenancy.cannot_suspend_self).
// Asking for what already is changes nothing and publishes nothing.
func (s *Service) UpdateMember(ctx context.Context, a Actor, ref MemberRef, c MemberChange) (MemberView, error) {
	if err := a.require(domain.PermMembersUpdate); err != nil {
		return MemberView{}, err
	}
	var m *domain.Membership
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
			return err
		}
		var err error
		if m, err = s.member(ctx, a.Org.OrganizationID, ref); err != nil {
			return err
		}
		if err := s.checkOverMember(ctx, a, m); err != nil {
			return err
		}
		var events []kernel.Event
		if c.Role != "" {
			e, err := s.changeRole(ctx, a, m, c.Role)
			if err != nil {
				return err
			}
			events = append(events, e...)
		}
		if c.Suspended != nil {
			e, err := s.setSuspended(ctx, a, m, *c.Suspended)
			if err != nil {
				return err
			}
			events = append(events, e...)
		}
		return s.deps.Events.Publish(ctx, events...)
	})
	if err != nil {
		return MemberView{}, fmt.Errorf("update member: %w", err)
	}
	return s.withProfile(ctx, m)
}

// changeRole moves m to role after the grant and owner guards, in
// UpdateMember's transaction, and returns the event to publish (none when
// m already holds role).
func (s *Service) changeRole(ctx context.Context, a Actor, m *domain.Membership, role string) ([]kernel.Event, error) {
	r, err := s.roleOf(ctx, a.Org.OrganizationID, role)
	if err != nil {
		return nil, err
	}
	if err := domain.CanGrant(a.Org.Grants, r.Permissions()); err != nil {
		return nil, err
	}
	from, change := m.Role(), m.OwnerChangeTo(r.Name())
	changed, err := m.ChangeRole(r.Name())
	if err != nil || !changed {
		return nil, err
	}
	if err := s.guardOwners(ctx, a.Org.OrganizationID, change); err != nil {
		return nil, err
	}
	if err := s.deps.Memberships.SaveRole(ctx, m); err != nil {
		return nil, err
	}
	return []kernel.Event{MemberRoleChanged{
		OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, MembershipID: m.ID(), UserID: m.UserID(), From: from, To: r.Name(),
	}}, nil
}

// setSuspended suspends or reinstates m, in UpdateMember's transaction,
// and returns the event to publish (none when m is already so).
func (s *Service) setSuspended(ctx context.Context, a Actor, m *domain.Membership, suspended bool) ([]kernel.Event, error) {
	if suspended && m.UserID() == a.UserID {
		return nil, ErrCannotSuspendSelf
	}
	change := m.OwnerChangeTo("")
	if !suspended {
		change = domain.OwnerKept
	}
	var changed bool
	if suspended {
		changed = m.Suspend(s.deps.Clock.Now())
	} else {
		changed = m.Reinstate()
	}
	if !changed {
		return nil, nil
	}
	if err := s.guardOwners(ctx, a.Org.OrganizationID, change); err != nil {
		return nil, err
	}
	if err := s.deps.Memberships.SaveSuspension(ctx, m); err != nil {
		return nil, err
	}
	if suspended {
		return []kernel.Event{MemberSuspended{
			OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, MembershipID: m.ID(), UserID: m.UserID(), Role: m.Role(),
		}}, nil
	}
	return []kernel.Event{MemberReinstated{
		OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, MembershipID: m.ID(), UserID: m.UserID(), Role: m.Role(),
	}}, nil
}

// RemoveMember removes a member; it needs members:remove and every
// permission of the member's role. Removing yourself is leaving (use
// Leave); removing the last owner is refused.
func (s *Service) RemoveMember(ctx context.Context, a Actor, ref MemberRef) error {
	if err := a.require(domain.PermMembersRemove); err != nil {
		return err
	}
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
			return err
		}
		m, err := s.member(ctx, a.Org.OrganizationID, ref)
		if err != nil {
			return err
		}
		if m.UserID() != a.UserID {
			if err := s.checkOverMember(ctx, a, m); err != nil {
				return err
			}
		}
		return s.removeMembership(ctx, m, a.UserID, m.UserID() == a.UserID)
	})
	if err != nil {
		return fmt.Errorf("remove member: %w", err)
	}
	return nil
}

// removeMembership deletes m after the owners guard, and publishes
// MemberLeft (left) or MemberRemoved. The organization must be locked.
func (s *Service) removeMembership(ctx context.Context, m *domain.Membership, actor kernel.UserID, left bool) error {
	if err := s.guardOwners(ctx, m.OrganizationID(), m.OwnerChangeTo("")); err != nil {
		return err
	}
	if err := s.deps.Memberships.Delete(ctx, m.OrganizationID(), m.ID()); err != nil {
		return err
	}
	if left {
		return s.deps.Events.Publish(ctx, MemberLeft{OrganizationID: m.OrganizationID(), MembershipID: m.ID(), UserID: m.UserID(), Role: m.Role()})
	}
	return s.deps.Events.Publish(ctx, MemberRemoved{
		OrganizationID: m.OrganizationID(), ActorID: actor, MembershipID: m.ID(), UserID: m.UserID(), Role: m.Role(),
	})
}

// Leave removes the caller from the organization. The last owner cannot
// leave (tenancy.last_owner): they transfer ownership or delete the
// organization.
func (s *Service) Leave(ctx context.Context, a Actor) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
			return err
		}
		m, err := s.deps.Memberships.ByUser(ctx, a.Org.OrganizationID, a.UserID)
		if err != nil {
			return err
		}
		return s.removeMembership(ctx, m, a.UserID, true)
	})
	if err != nil {
		return fmt.Errorf("leave organization: %w", err)
	}
	return nil
}

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
		if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
			return err
		}
		me, err := s.deps.Memberships.ByUser(ctx, a.Org.OrganizationID, a.UserID)
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
		if err := s.deps.Memberships.SaveRole(ctx, target); err != nil {
			return err
		}
		if err := s.deps.Memberships.SaveRole(ctx, me); err != nil {
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

// IsMember reports whether user belongs to org.
func (s *Service) IsMember(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (bool, error) {
	_, err := s.deps.Memberships.ByUser(ctx, org, user)
	if errors.Is(err, ErrMemberNotFound) {
		return false, nil
	}
	return err == nil, err
}

// MemberIDs lists the user IDs of org's members.
func (s *Service) MemberIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return s.deps.Memberships.ListUserIDs(ctx, org)
}

// SuspendedIDs lists the user IDs of org's suspended members.
func (s *Service) SuspendedIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return s.deps.Memberships.ListSuspendedUserIDs(ctx, org)
}

// MemberState says whether user belongs to org and whether the membership
// is suspended.
func (s *Service) MemberState(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (member, suspended bool, err error) {
	m, err := s.deps.Memberships.ByUser(ctx, org, user)
	if errors.Is(err, ErrMemberNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return true, m.Suspended(), nil
}

// AddMember makes user a member of org with the member role, for iam's
// user administration (which checked users:create). Already a member is
// ErrAlreadyMember.
func (s *Service) AddMember(ctx context.Context, actor kernel.UserID, org kernel.OrganizationID, user kernel.UserID) error {
	m, err := domain.NewMembership(org, user, domain.RoleMember, s.deps.Clock.Now())
	if err != nil {
		return err
	}
	return s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, org); err != nil {
			return err
		}
		if err := s.deps.Memberships.Create(ctx, m); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, MemberJoined{OrganizationID: org, ActorID: actor, MembershipID: m.ID(), UserID: user, Role: m.Role()})
	})
}

// RemoveUser removes user from org for iam's user administration (which
// checked users:delete), with the same guards as RemoveMember: the actor
// must hold the member's role's permissions, and the last owner stays.
func (s *Service) RemoveUser(ctx context.Context, a Actor, user kernel.UserID) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
			return err
		}
		m, err := s.deps.Memberships.ByUser(ctx, a.Org.OrganizationID, user)
		if err != nil {
			return err
		}
		if user != a.UserID {
			if err := s.checkOverMember(ctx, a, m); err != nil {
				return err
			}
		}
		return s.removeMembership(ctx, m, a.UserID, user == a.UserID)
	})
	if err != nil {
		return fmt.Errorf("remove user: %w", err)
	}
	return nil
}

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
