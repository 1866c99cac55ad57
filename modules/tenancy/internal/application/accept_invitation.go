package application

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// InvitationRef names an invitation by its link's token or, for the
// invitee's own list, by ID.
type InvitationRef struct {
	Token string
	ID    domain.InvitationID
}

// ParseInvitationRef reads "inv_…" as an ID and anything else as a token.
func ParseInvitationRef(s string) InvitationRef {
	if id, err := kernel.ParseID[domain.InvitationKind](s); err == nil {
		return InvitationRef{ID: id}
	}
	return InvitationRef{Token: s}
}

// receivedInvitation loads the invitation ref names for user, who must
// have a verified email; an invitation by ID must be addressed to them
// (else ErrInvitationNotFound).
func (s *Service) receivedInvitation(ctx context.Context, user kernel.UserID, ref InvitationRef) (*domain.Invitation, UserInfo, error) {
	u, err := s.deps.Users.User(ctx, user)
	if err != nil {
		return nil, UserInfo{}, err
	}
	var inv *domain.Invitation
	if !ref.ID.IsZero() {
		inv, err = s.invitationByID(ctx, ref.ID)
		if err == nil && !inv.Email().Matches(u.Email) {
			err = ErrInvitationNotFound
		}
	} else {
		inv, err = s.invitationByToken(ctx, ref.Token)
	}
	if err != nil {
		return nil, UserInfo{}, err
	}
	return inv, u, nil
}

// checkInvitee returns why u may not answer inv at now: it is closed (410),
// addressed to someone else, or u's address is unverified (403).
func checkInvitee(inv *domain.Invitation, u UserInfo, now time.Time) error {
	switch {
	case !inv.IsOpen(now):
		return domain.ErrInvitationGone
	case !inv.Email().Matches(u.Email):
		return domain.ErrInvitationEmailMismatch
	case !u.EmailVerified:
		return ErrEmailNotVerified
	}
	return nil
}

// lockedReceivedInvitation is the invitation addressed to user that ref
// names, re-read under its organization's lock and checked as acceptable
// by user now: every accept and decline starts here, so two racing ones
// serialize and the loser sees the winner's outcome.
func (s *Service) lockedReceivedInvitation(ctx context.Context, user kernel.UserID, ref InvitationRef) (*domain.Invitation, UserInfo, time.Time, error) {
	inv, u, err := s.receivedInvitation(ctx, user, ref)
	if err != nil {
		return nil, UserInfo{}, time.Time{}, err
	}
	if inv, err = s.lockedInvitation(ctx, inv.OrganizationID(), inv.ID()); err != nil {
		return nil, UserInfo{}, time.Time{}, err
	}
	now := s.deps.Clock.Now()
	if err := checkInvitee(inv, u, now); err != nil {
		return nil, UserInfo{}, time.Time{}, err
	}
	return inv, u, now, nil
}

// lockedInvitation locks the organization org and reads its invitation id
// under the lock. Every invitation transition (accept, decline, revoke,
// resend) reads this way, so of two racing ones the loser sees the
// winner's outcome and refuses (410).
func (s *Service) lockedInvitation(ctx context.Context, org kernel.OrganizationID, id domain.InvitationID) (*domain.Invitation, error) {
	if err := s.deps.Organizations.Lock(ctx, org); err != nil {
		return nil, err
	}
	return s.deps.Invitations.ByID(ctx, org, id)
}

// invitationByID finds an invitation in any organization.
func (s *Service) invitationByID(ctx context.Context, id domain.InvitationID) (*domain.Invitation, error) {
	return s.deps.Invitations.ByIDAnyOrganization(ctx, id)
}

// AcceptInvitation makes user a member with the invited role. Their email
// must be verified and match the invitation's (403); a spent or expired
// invitation is 410; already being a member is 409.
func (s *Service) AcceptInvitation(ctx context.Context, user kernel.UserID, ref InvitationRef) (OrganizationView, error) {
	var view OrganizationView
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		inv, u, now, err := s.lockedReceivedInvitation(ctx, user, ref)
		if err != nil {
			return err
		}
		if err := inv.Accept(now, u.Email); err != nil {
			return err
		}
		// The role cannot be deleted while the invitation is pending, and a
		// rename carries the invitation along; should it be gone anyway, the
		// invitation is void rather than a member's role by default.
		role := inv.Role()
		if _, err := s.roleOf(ctx, inv.OrganizationID(), role); err != nil {
			return domain.ErrInvitationGone
		}
		m, err := domain.NewMembership(inv.OrganizationID(), user, role, now)
		if err != nil {
			return err
		}
		if err := s.deps.Memberships.Create(ctx, m); err != nil {
			return err
		}
		if err := s.deps.Invitations.Save(ctx, inv); err != nil {
			return err
		}
		o, err := s.deps.Organizations.ByID(ctx, inv.OrganizationID())
		if err != nil {
			return err
		}
		view = organizationView(o, role)
		return s.deps.Events.Publish(ctx, MemberJoined{
			OrganizationID: o.ID(), ActorID: user, MembershipID: m.ID(), UserID: user, Role: role, InvitationID: inv.ID(),
		})
	})
	if err != nil {
		return OrganizationView{}, fmt.Errorf("accept invitation: %w", err)
	}
	return view, nil
}
