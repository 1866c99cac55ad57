package application

import (
	"context"
	"errors"
	"fmt"
	"math"
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
	token, err := domain.NewInvitationToken()
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
		r, err := s.roleOf(ctx, a.Org.OrganizationID, inv.Role())
		if err != nil {
			return err
		}
		if err := domain.CanGrant(a.Org.Grants, r.Permissions()); err != nil {
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
func (s *Service) sendInvitation(ctx context.Context, a Actor, inv *domain.Invitation, token domain.InvitationToken) error {
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

// RevokeInvitation revokes a pending invitation; it needs members:invite.
// A closed one is domain.ErrInvitationGone (410).
func (s *Service) RevokeInvitation(ctx context.Context, a Actor, id domain.InvitationID) (InvitationView, error) {
	if err := a.require(domain.PermMembersInvite); err != nil {
		return InvitationView{}, err
	}
	var view InvitationView
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		// Every invitation transition reads under the organization's lock,
		// so a revoke racing an accept, a decline or a resend sees the
		// winner's outcome and refuses (410).
		if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
			return err
		}
		inv, err := s.deps.Invitations.ByID(ctx, a.Org.OrganizationID, id)
		if err != nil {
			return err
		}
		now := s.deps.Clock.Now()
		if err := inv.Revoke(now); err != nil {
			return err
		}
		if err := s.deps.Invitations.Save(ctx, inv); err != nil {
			return err
		}
		view = invitationView(inv, now)
		return s.deps.Events.Publish(ctx, InvitationRevoked{
			OrganizationID: inv.OrganizationID(), ActorID: a.UserID, InvitationID: inv.ID(), Email: inv.Email().String(),
		})
	})
	if err != nil {
		return InvitationView{}, fmt.Errorf("revoke invitation: %w", err)
	}
	return view, nil
}

// ResendInvitation sends a pending (or expired) invitation again with a
// new token and a fresh expiry; the old link stops working. It needs
// members:invite and, still, every permission of the invited role.
func (s *Service) ResendInvitation(ctx context.Context, a Actor, id domain.InvitationID) (InvitationView, error) {
	if err := a.require(domain.PermMembersInvite); err != nil {
		return InvitationView{}, err
	}
	token, err := domain.NewInvitationToken()
	if err != nil {
		return InvitationView{}, err
	}
	var view InvitationView
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		// Under the organization's lock: parallel resends see each other
		// (one passes the once-a-minute limit) and an accepted, declined
		// or revoked invitation is not reopened.
		if err := s.deps.Organizations.Lock(ctx, a.Org.OrganizationID); err != nil {
			return err
		}
		inv, err := s.deps.Invitations.ByID(ctx, a.Org.OrganizationID, id)
		if err != nil {
			return err
		}
		r, err := s.roleOf(ctx, a.Org.OrganizationID, inv.Role())
		if err != nil {
			return err
		}
		if err := domain.CanGrant(a.Org.Grants, r.Permissions()); err != nil {
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

// invitationByToken finds the invitation a link's token names; a
// malformed or unknown token is ErrInvitationNotFound.
func (s *Service) invitationByToken(ctx context.Context, token string) (*domain.Invitation, error) {
	t, ok := domain.ParseInvitationToken(token)
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
		inv, u, err := s.receivedInvitation(ctx, user, ref)
		if err != nil {
			return err
		}
		if err := s.deps.Organizations.Lock(ctx, inv.OrganizationID()); err != nil {
			return err
		}
		// Re-read under the lock: two accepts of one link serialize here.
		if inv, err = s.deps.Invitations.ByID(ctx, inv.OrganizationID(), inv.ID()); err != nil {
			return err
		}
		now := s.deps.Clock.Now()
		if err := checkInvitee(inv, u, now); err != nil {
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

// DeclineInvitation closes an invitation addressed to user, with the same
// checks as accepting: whoever signed up with an address they never proved
// cannot turn its invitations down.
func (s *Service) DeclineInvitation(ctx context.Context, user kernel.UserID, ref InvitationRef) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		inv, u, err := s.receivedInvitation(ctx, user, ref)
		if err != nil {
			return err
		}
		if err := s.deps.Organizations.Lock(ctx, inv.OrganizationID()); err != nil {
			return err
		}
		// Re-read under the lock: a decline racing an accept sees its outcome.
		if inv, err = s.deps.Invitations.ByID(ctx, inv.OrganizationID(), inv.ID()); err != nil {
			return err
		}
		now := s.deps.Clock.Now()
		if err := checkInvitee(inv, u, now); err != nil {
			return err
		}
		if err := inv.Decline(now); err != nil {
			return err
		}
		if err := s.deps.Invitations.Save(ctx, inv); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, InvitationDeclined{
			OrganizationID: inv.OrganizationID(), ActorID: user, InvitationID: inv.ID(), Email: inv.Email().String(),
		})
	})
	if err != nil {
		return fmt.Errorf("decline invitation: %w", err)
	}
	return nil
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

// PurgeInvitations removes invitations closed or expired more than
// InvitationRetention ago, and the record of sends older than a day.
func (s *Service) PurgeInvitations(ctx context.Context) (int, error) {
	now := s.deps.Clock.Now()
	if _, err := s.deps.Invitations.DeleteSendsBefore(ctx, now.Add(-sendRetention)); err != nil {
		return 0, err
	}
	return s.deps.Invitations.DeleteClosedBefore(ctx, now.Add(-InvitationRetention))
}

// InvitationRetention is how long closed invitations stay listable.
const InvitationRetention = 30 * 24 * time.Hour

// ExpiresInDays is d in whole days, rounded up.
func ExpiresInDays(d time.Duration) int { return int(math.Ceil(d.Hours() / 24)) }

// displayName is how an invitation names a user: their name, else their
// email.
func (u UserInfo) displayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}
