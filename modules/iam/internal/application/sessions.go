package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
)

// Authenticate resolves a session token (the cookie's value) to its
// session and user, sliding the expiry at most daily. A malformed,
// unknown or expired token, or a deactivated user, answers
// Unauthenticated "UNAUTHORIZED" — never a 500.
//
// It is the hot path of every signed-in request: one query (the
// session joined with its user), plus one write at most daily to slide the
// expiry. It opens no transaction.
func (s *Service) Authenticate(ctx context.Context, token string) (*Authenticated, error) {
	t, ok := kernel.ParseToken(token)
	if !ok {
		return nil, ErrUnauthorized
	}
	sess, u, err := s.deps.Sessions.ByTokenHash(ctx, t.Hash())
	if errors.Is(err, ErrSessionNotFound) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	now := s.deps.Clock.Now()
	// Expired sessions are left for PurgeExpired: deleting here would add a
	// write to a path an attacker can drive with a stolen old cookie.
	if sess.Expired(now) || !sess.MatchesToken(t) || u.CanSignIn(now) != nil {
		return nil, ErrUnauthorized
	}
	refreshed := false
	if sess.NeedsRefresh(now) && sess.Refresh(now) {
		if err := s.deps.Sessions.Refresh(ctx, sess); err != nil {
			return nil, fmt.Errorf("authenticate: refresh session: %w", err)
		}
		refreshed = true
	}
	return &Authenticated{Session: sessionView(sess), User: userView(u), Refreshed: refreshed}, nil
}

// SignOut revokes the session of token; an unknown token is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	t, ok := kernel.ParseToken(token)
	if !ok {
		return nil
	}
	sess, _, err := s.deps.Sessions.ByTokenHash(ctx, t.Hash())
	if errors.Is(err, ErrSessionNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		err := s.deps.Sessions.Delete(ctx, sess.UserID(), sess.ID())
		if errors.Is(err, ErrSessionNotFound) {
			return nil // signed out concurrently: nothing to announce
		}
		if err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, SessionRevoked{
			UserID: sess.UserID(), SessionIDs: []kernel.SessionID{sess.ID()}, Reason: "sign_out",
		})
	})
	if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// ListSessions returns the user's active sessions.
func (s *Service) ListSessions(ctx context.Context, user kernel.UserID) ([]SessionView, error) {
	list, err := s.deps.Sessions.ListByUser(ctx, user, s.deps.Clock.Now())
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out := make([]SessionView, 0, len(list))
	for _, sess := range list {
		out = append(out, sessionView(sess))
	}
	return out, nil
}

// RevokeSession revokes one of the user's sessions by its handle (ID); an
// unknown handle or another user's answers NotFound.
func (s *Service) RevokeSession(ctx context.Context, user kernel.UserID, handle string) error {
	id, err := kernel.ParseID[kernel.SessionKind](handle)
	if err != nil {
		return ErrUnknownSession
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Sessions.Delete(ctx, user, id); err != nil {
			if errors.Is(err, ErrSessionNotFound) {
				return ErrUnknownSession
			}
			return err
		}
		return s.deps.Events.Publish(ctx, SessionRevoked{
			UserID: user, SessionIDs: []kernel.SessionID{id}, Reason: "revoked",
		})
	})
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// revokeAll revokes every session of user but keep (zero: all of them).
func (s *Service) revokeAll(ctx context.Context, user kernel.UserID, keep kernel.SessionID) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		return s.revokeAllInTx(ctx, user, keep, "revoked")
	})
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// revokeAllInTx deletes the user's sessions but keep and announces them,
// in the caller's transaction. Nothing is published when none existed.
func (s *Service) revokeAllInTx(ctx context.Context, user kernel.UserID, keep kernel.SessionID, reason string) error {
	ids, err := s.deps.Sessions.DeleteAllForUser(ctx, user, keep)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return s.deps.Events.Publish(ctx, SessionRevoked{UserID: user, SessionIDs: ids, Reason: reason})
}
