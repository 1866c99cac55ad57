package application

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// FreshSessionAge is how long after it opened a session may delete its
// account without the password (Better Auth's freshAge: a day).
const FreshSessionAge = 24 * time.Hour

// ErrSessionExpired refuses a password-less deletion on a session older
// than FreshSessionAge: sign in again, or give the password.
var ErrSessionExpired = kernel.Invalid("SESSION_EXPIRED", "Session expired. Re-authenticate to perform this action.")

// DeleteUser deletes the signed-in user's account after checking the
// password: personal data and sessions are removed; audit keeps the ID.
//
// It removes the account once the password checks out. The user
// row goes (sessions and tokens cascade in the store); the events carry
// only the ID, which audit keeps as a pseudonymous reference.
//
// Without a password it is allowed on a fresh session — one opened within
// FreshSessionAge, as Better Auth's freshAge — and otherwise refused with
// ErrSessionExpired; sessionCreated is when the caller's session opened.
func (s *Service) DeleteUser(ctx context.Context, user kernel.UserID, password string, sessionCreated time.Time) error {
	if utf8.RuneCountInString(password) > domain.MaxPasswordLength {
		return domain.ErrPasswordTooLong
	}
	u, err := s.deps.Users.ByID(ctx, user)
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	switch {
	case password != "":
		if _, err := s.checkPassword(ctx, u, password); err != nil {
			return err
		}
	case s.deps.Clock.Now().Sub(sessionCreated) > FreshSessionAge:
		return ErrSessionExpired
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		return s.deleteInTx(ctx, kernel.UserID{}, user)
	})
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}
