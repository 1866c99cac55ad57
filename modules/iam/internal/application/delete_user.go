package application

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// DeleteUser deletes the signed-in user's account after checking the
// password: personal data and sessions are removed; audit keeps the ID.
//
// It removes the account once the password checks out. The user
// row goes (sessions and tokens cascade in the store); the events carry
// only the ID, which audit keeps as a pseudonymous reference.
func (s *Service) DeleteUser(ctx context.Context, user kernel.UserID, password string) error {
	if utf8.RuneCountInString(password) > domain.MaxPasswordLength {
		return domain.ErrPasswordTooLong
	}
	u, err := s.deps.Users.ByID(ctx, user)
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	if _, err := s.checkPassword(ctx, u, password); err != nil {
		return err
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.revokeAllInTx(ctx, user, kernel.SessionID{}, "deleted"); err != nil {
			return err
		}
		if err := s.deps.Users.Delete(ctx, user); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, UserDeleted{UserID: user})
	})
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}
