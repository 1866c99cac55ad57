package application

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// ChangePassword checks the current password and sets the new one, emailing
// the user. With RevokeOtherSessions every other session ends and a new
// session replaces the current one (returned; else nil). Errors:
// Invalid INVALID_PASSWORD for a wrong current password, the policy errors.
func (s *Service) ChangePassword(ctx context.Context, in ChangePasswordInput) (*Issued, error) {
	if err := domain.CheckPasswordPolicy(in.NewPassword); err != nil {
		return nil, err
	}
	// As Better Auth: the current password is held to the maximum too, so an
	// oversized one is refused before it is hashed.
	if utf8.RuneCountInString(in.CurrentPassword) > domain.MaxPasswordLength {
		return nil, domain.ErrPasswordTooLong
	}
	u, err := s.deps.Users.ByID(ctx, in.User)
	if err != nil {
		return nil, fmt.Errorf("change password: %w", err)
	}
	verifiedHash, err := s.checkPassword(ctx, u, in.CurrentPassword)
	if err != nil {
		return nil, err
	}
	newHash, err := s.deps.Hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return nil, fmt.Errorf("change password: %w", err)
	}
	now := s.deps.Clock.Now()
	var (
		token kernel.Token
		sess  *domain.Session
	)
	if in.RevokeOtherSessions {
		if token, sess, err = newSession(u, now, in.Meta); err != nil {
			return nil, fmt.Errorf("change password: %w", err)
		}
	}

	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		err := s.deps.Users.Update(ctx, in.User, func(cur *domain.User) error {
			// Changed meanwhile: the current password we checked is stale.
			if cur.PasswordHash() != verifiedHash {
				return ErrInvalidPassword
			}
			u = cur
			return cur.SetPasswordHash(newHash, now)
		})
		if err != nil {
			return err
		}
		// A reset or set-password link sent before the change would undo
		// it: the new password spends them.
		for _, p := range []domain.VerificationPurpose{domain.PurposePasswordReset, domain.PurposeSetPassword} {
			if err := s.deps.Tokens.DeleteForUser(ctx, u.ID(), p); err != nil {
				return err
			}
		}
		if err := s.deps.Emails.PasswordChanged(ctx, u); err != nil {
			return err
		}
		if sess != nil {
			// Every session goes, the current one included: the caller gets a
			// fresh one, so a token that leaked before the change is dead.
			if err := s.revokeAllInTx(ctx, u.ID(), kernel.SessionID{}, "password_changed"); err != nil {
				return err
			}
			if err := s.deps.Sessions.Create(ctx, sess); err != nil {
				return err
			}
		}
		return s.deps.Events.Publish(ctx, UserPasswordChanged{UserID: u.ID(), OtherSessionsRevoked: sess != nil})
	})
	if err != nil {
		return nil, fmt.Errorf("change password: %w", err)
	}
	if sess == nil {
		return nil, nil
	}
	return &Issued{Token: token, Session: sessionView(sess), User: userView(u)}, nil
}

// checkPassword verifies a signed-in user's password (change-password,
// delete-user) and returns the hash it matched. Errors: Invalid
// CREDENTIAL_ACCOUNT_NOT_FOUND when no password is set, INVALID_PASSWORD
// when it does not match.
func (s *Service) checkPassword(ctx context.Context, u *domain.User, password string) (string, error) {
	if !u.HasPassword() {
		return "", ErrCredentialAccountNotFound
	}
	hash := u.PasswordHash()
	ok, _, err := s.deps.Hasher.Verify(ctx, password, hash)
	if err != nil {
		return "", fmt.Errorf("check password: %w", err)
	}
	if !ok {
		return "", ErrInvalidPassword
	}
	return hash, nil
}
