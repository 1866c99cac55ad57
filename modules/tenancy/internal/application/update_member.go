package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

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
		var err error
		if m, err = s.lockedMember(ctx, a.Org.OrganizationID, ref); err != nil {
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
	r, err := s.grantableRole(ctx, a, role)
	if err != nil {
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
	if err := s.deps.Memberships.Save(ctx, m); err != nil {
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
	if err := s.deps.Memberships.Save(ctx, m); err != nil {
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
