package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// DefaultImpersonationMax is how long an impersonation lasts when
// IMPERSONATION_MAX is not set.
const DefaultImpersonationMax = time.Hour

// The answers of impersonation.
var (
	// ErrCannotImpersonateSelf, ErrCannotImpersonateAdmin and
	// ErrCannotImpersonateDeactivated refuse the target.
	ErrCannotImpersonateSelf        = kernel.Invalid("platform.cannot_impersonate_self", "You cannot impersonate yourself.")
	ErrCannotImpersonateAdmin       = kernel.Invalid("platform.cannot_impersonate_admin", "You cannot impersonate admins.")
	ErrCannotImpersonateDeactivated = kernel.Invalid("platform.cannot_impersonate_deactivated",
		"You cannot impersonate a deactivated user; reactivate them first.")
	// ErrNotImpersonating: stop asked of a session that is not an
	// impersonation, with no admin session to go back to.
	ErrNotImpersonating = kernel.Invalid("platform.not_impersonating", "You are not impersonating anyone.")
)

// Impersonation is a started impersonation: the new session, for the
// cookie, and the user it acts as.
type Impersonation = Issued

// StartImpersonation opens a session in which the platform admin admin
// (whose own session is adminSession) acts as target, for at most
// cfg.ImpersonationMax, never refreshed. reason (at least MinReasonLength
// characters) is recorded with the start. Errors: Invalid with a field
// error on reason; ErrUserNotFound; ErrCannotImpersonateSelf, …Admin,
// …Deactivated. The admin's own session stays as it is: the caller keeps
// its cookie aside to restore it at the stop.
func (s *Service) StartImpersonation(ctx context.Context, admin, target kernel.UserID, reason string, meta Meta) (*Impersonation, error) {
	reason, err := checkReason(reason, "platform.invalid_impersonation")
	if err != nil {
		return nil, err
	}
	if admin == target {
		return nil, ErrCannotImpersonateSelf
	}
	now := s.deps.Clock.Now()
	token, err := kernel.NewToken()
	if err != nil {
		return nil, fmt.Errorf("impersonate: %w", err)
	}
	var u *domain.User
	var sess *domain.Session
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.deps.Users.ByID(ctx, target); err != nil {
			return err
		}
		switch {
		case u.PlatformAdmin():
			return ErrCannotImpersonateAdmin
		case u.CanSignIn(now) != nil:
			return ErrCannotImpersonateDeactivated
		}
		sess = domain.NewImpersonationSession(target, admin, token, now, s.impersonationMax(), meta.IP, meta.UserAgent)
		if err := s.deps.Sessions.Create(ctx, sess); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, ImpersonationStarted{
			AdminID: admin, UserID: target, SessionID: sess.ID(), Reason: reason, ExpiresAt: sess.ExpiresAt(),
		})
	})
	if err != nil {
		return nil, fmt.Errorf("impersonate: %w", err)
	}
	return &Issued{Token: token, Session: sessionView(sess), User: userView(u)}, nil
}

func (s *Service) impersonationMax() time.Duration {
	if s.cfg.ImpersonationMax > 0 {
		return s.cfg.ImpersonationMax
	}
	return DefaultImpersonationMax
}

// StopImpersonation ends the impersonation whose session token is current
// (it may have expired already) and returns the admin's own session, whose
// token is adminToken, to restore. The admin session must still be live
// and belong to the impersonator; a current token that is no
// impersonation, with no such admin session, is ErrNotImpersonating; an
// admin session that is gone is ErrUnauthorized (sign in again).
func (s *Service) StopImpersonation(ctx context.Context, current, adminToken string) (*Authenticated, error) {
	var sess *domain.Session
	if t, ok := kernel.ParseToken(current); ok {
		found, _, err := s.deps.Sessions.ByTokenHash(ctx, t.Hash())
		switch {
		case errors.Is(err, ErrSessionNotFound):
		case err != nil:
			return nil, fmt.Errorf("stop impersonating: %w", err)
		case found.MatchesToken(t):
			sess = found
		}
	}
	if sess != nil && sess.ImpersonatorID().IsZero() {
		return nil, ErrNotImpersonating
	}
	admin, err := s.Authenticate(ctx, adminToken)
	if err != nil {
		if sess == nil && kernel.KindOf(err) == kernel.KindUnauthenticated {
			return nil, ErrNotImpersonating
		}
		return nil, err
	}
	if !admin.Session.ImpersonatedBy.IsZero() || (sess != nil && sess.ImpersonatorID() != admin.User.ID) {
		return nil, ErrNotImpersonating
	}
	if sess == nil {
		return admin, nil // the impersonation ended (expired, revoked) already
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		err := s.deps.Sessions.Delete(ctx, sess.UserID(), sess.ID())
		if errors.Is(err, ErrSessionNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx,
			SessionRevoked{UserID: sess.UserID(), SessionIDs: []kernel.SessionID{sess.ID()}, Reason: "impersonation_stopped"},
			ImpersonationStopped{AdminID: admin.User.ID, UserID: sess.UserID(), SessionID: sess.ID()},
		)
	})
	if err != nil {
		return nil, fmt.Errorf("stop impersonating: %w", err)
	}
	return admin, nil
}
