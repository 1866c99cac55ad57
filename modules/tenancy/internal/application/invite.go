package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// The invitation answers beyond the domain's.
var (
	ErrAlreadyInvited = kernel.Conflict("tenancy.already_invited",
		"That email already has a pending invitation; resend it instead.")
	ErrEmailNotVerified = kernel.Forbidden("tenancy.email_not_verified",
		"Verify your email address before accepting an invitation.")
)

// The limits on invitation email, which goes to addresses nobody proved
// they own. In any hour: an organization sends at most InvitationsPerHour
// (new or resent); one inviter, over all the organizations they belong to
// (which anyone can create), at most InvitationsPerUserPerHour; one client
// network (an IPv4 address, an IPv6 /64), over all its users (whom anyone
// can sign up), at most InvitationsPerNetworkPerHour. One invitation is
// resent at most once per ResendInterval.
const (
	InvitationsPerHour           = 100
	InvitationsPerUserPerHour    = 100
	InvitationsPerNetworkPerHour = 200
	ResendInterval               = time.Minute
)

// sendRetention is how long sends are kept for the caps: a day, well past
// the hour they count in.
const sendRetention = 24 * time.Hour

// reserveSend counts one invitation email from a against the caps and
// records it, in the caller's transaction, after the organization's lock:
// 429 tenancy.too_many_invitations over any of them. The inviter's and the
// network's counts are locked, so parallel invitations from one person in
// several organizations cannot pass the cap together.
func (s *Service) reserveSend(ctx context.Context, a Actor, now time.Time) error {
	q := SendQuery{Organization: a.Org.OrganizationID, Inviter: a.UserID, Since: now.Add(-time.Hour)}
	if s.deps.ClientNetworkFunc != nil {
		q.Network = s.deps.ClientNetworkFunc(ctx)
	}
	if err := s.deps.Invitations.LockSenders(ctx, q.Inviter, q.Network); err != nil {
		return err
	}
	n, err := s.deps.Invitations.CountSends(ctx, q)
	if err != nil {
		return err
	}
	refuse := func(detail string) error {
		return kernel.RateLimited("tenancy.too_many_invitations", detail+" Try again later.", 600)
	}
	switch {
	case n.Organization >= InvitationsPerHour:
		return refuse(fmt.Sprintf("This organization sent %d invitations in the last hour.", InvitationsPerHour))
	case n.Inviter >= InvitationsPerUserPerHour:
		return refuse(fmt.Sprintf("You sent %d invitations in the last hour.", InvitationsPerUserPerHour))
	case q.Network != "" && n.Network >= InvitationsPerNetworkPerHour:
		return refuse(fmt.Sprintf("%d invitations were sent from your network in the last hour.", InvitationsPerNetworkPerHour))
	}
	return s.deps.Invitations.RecordSend(ctx, q, now)
}

// Invite invites email to the organization with role; it needs
// members:invite and every permission of role. The invitation email goes
// out in the same transaction.
func (s *Service) Invite(ctx context.Context, a Actor, email, role string) (InvitationView, error) {
	if err := a.require(domain.PermMembersInvite); err != nil {
		return InvitationView{}, err
	}
	token, err := kernel.NewToken()
	if err != nil {
		return InvitationView{}, err
	}
	now := s.deps.Clock.Now()
	inv, err := domain.NewInvitation(domain.NewInvitationParams{
		OrganizationID: a.Org.OrganizationID, Email: email, Role: role, InviterID: a.UserID, TokenHash: token.Hash(), Now: now,
	})
	if err != nil {
		return InvitationView{}, err
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
			return err
		}
		if _, err := s.grantableRole(ctx, a, inv.Role()); err != nil {
			return err
		}
		if err := s.checkNotMember(ctx, a.Org.OrganizationID, inv.Email()); err != nil {
			return err
		}
		if err := s.reserveSend(ctx, a, now); err != nil {
			return err
		}
		switch prev, err := s.deps.Invitations.PendingFor(ctx, a.Org.OrganizationID, inv.Email()); {
		case errors.Is(err, ErrInvitationNotFound):
		case err != nil:
			return err
		case prev.IsOpen(now):
			return ErrAlreadyInvited
		default: // expired: closed now, and a new one takes its place
			prev.Expire(now)
			if err := s.deps.Invitations.Save(ctx, prev); err != nil {
				return err
			}
		}
		if err := s.deps.Invitations.Create(ctx, inv); err != nil {
			return err
		}
		if err := s.sendInvitation(ctx, a, inv, token); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, MemberInvited{
			OrganizationID: a.Org.OrganizationID, ActorID: a.UserID, InvitationID: inv.ID(), Email: inv.Email().String(), Role: inv.Role(),
		})
	})
	if err != nil {
		return InvitationView{}, fmt.Errorf("invite: %w", err)
	}
	return invitationView(inv, now), nil
}

// checkNotMember returns ErrAlreadyMember when the account with email
// belongs to org.
func (s *Service) checkNotMember(ctx context.Context, org kernel.OrganizationID, email domain.Email) error {
	u, err := s.deps.Users.ByEmail(ctx, email.String())
	if errors.Is(err, ErrUserNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	member, err := s.IsMember(ctx, org, u.ID)
	if err != nil {
		return err
	}
	if member {
		return ErrAlreadyMember
	}
	return nil
}

// sendInvitation enqueues the invitation email in ctx's transaction.
func (s *Service) sendInvitation(ctx context.Context, a Actor, inv *domain.Invitation, token kernel.Token) error {
	o, err := s.deps.Organizations.ByID(ctx, inv.OrganizationID())
	if err != nil {
		return err
	}
	inviter, err := s.deps.Users.User(ctx, a.UserID)
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return err
	}
	name := inviter.displayName()
	locale := ""
	if u, err := s.deps.Users.ByEmail(ctx, inv.Email().String()); err == nil {
		locale = u.Locale
	}
	return s.deps.Emails.Invitation(ctx, InvitationEmail{
		To: inv.Email().String(), Locale: locale, InviterName: name, OrganizationName: o.Name().String(),
		Role: inv.Role(), URL: s.cfg.InvitationURLFunc(token.String()), ExpiresIn: inv.ExpiresAt().Sub(s.deps.Clock.Now()),
	})
}
