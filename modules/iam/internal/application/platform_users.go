package application

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// MinReasonLength is the fewest characters a platform admin's reason
// (for a deactivation or an impersonation) may have.
const MinReasonLength = 5

// The answers of platform user administration.
var (
	// ErrCannotDeactivateSelf: an admin cannot deactivate their own
	// account (Better Auth's YOU_CANNOT_BAN_YOURSELF).
	ErrCannotDeactivateSelf = kernel.Invalid("platform.cannot_deactivate_self", "You cannot deactivate yourself.")
	// ErrCannotDeleteSelf: an admin deletes their own account the way
	// everyone does (delete-user), not through administration.
	ErrCannotDeleteSelf = kernel.Invalid("platform.cannot_delete_self",
		"You cannot delete yourself here; delete your account with /api/auth/delete-user.")
)

// reasonError is the 422 for a missing or short reason.
func reasonError(code string) error {
	return kernel.Invalid(code, fmt.Sprintf("Give a reason of at least %d characters.", MinReasonLength),
		kernel.FieldError{Field: "reason", Code: "too_short", Message: fmt.Sprintf("At least %d characters.", MinReasonLength)})
}

// checkReason trims a reason and requires MinReasonLength runes.
func checkReason(reason, code string) (string, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) < MinReasonLength {
		return "", reasonError(code)
	}
	return reason, nil
}

// PlatformUserQuery filters ListPlatformUsers: every field set narrows.
type PlatformUserQuery struct {
	// Search is a case-insensitive part of the email or name.
	Search string
	// EmailPrefix is the start of the email (case-insensitive).
	EmailPrefix string
	// Name is a case-insensitive part of the name.
	Name string
	// Verified, Active (not deactivated, or deactivated until a time that
	// has come) and PlatformAdmin keep only users with (true) or without
	// (false).
	Verified, Active, PlatformAdmin *bool
	// CreatedFrom (inclusive) and CreatedTo (exclusive) bound the creation
	// time; zero is unbounded.
	CreatedFrom, CreatedTo time.Time
	// After is the cursor: the last ID of the previous page.
	After kernel.UserID
	// Limit is the page size (≤ 0: DefaultUserPageSize; capped at
	// MaxUserPageSize).
	Limit int
}

// ListPlatformUsers returns every user matching q, newest first (IDs are
// minted at creation, in time order), a page at a time; next is the
// cursor of the following page, zero on the last.
func (s *Service) ListPlatformUsers(ctx context.Context, q PlatformUserQuery) (users []UserView, next kernel.UserID, err error) {
	limit := kernel.PageLimit(q.Limit, DefaultUserPageSize, MaxUserPageSize)
	uq := UserQuery{
		Search: q.Search, EmailPrefix: q.EmailPrefix, Name: q.Name, Verified: q.Verified, PlatformAdmin: q.PlatformAdmin,
		CreatedFrom: q.CreatedFrom, CreatedTo: q.CreatedTo, After: q.After, Limit: limit + 1, NewestFirst: true,
	}
	if q.Active != nil {
		uq.Active, uq.Now = q.Active, s.deps.Clock.Now()
	}
	list, err := s.deps.Users.List(ctx, uq)
	if err != nil {
		return nil, kernel.UserID{}, fmt.Errorf("list users: %w", err)
	}
	if len(list) > limit {
		list = list[:limit]
		next = list[limit-1].ID()
	}
	users = make([]UserView, 0, len(list))
	for _, u := range list {
		users = append(users, userView(u))
	}
	return users, next, nil
}

// PlatformUserDetail is one user as platform administration shows it:
// the account, the organizations they belong to and their active sessions.
type PlatformUserDetail struct {
	UserView
	Organizations []UserOrganization
	Sessions      []SessionView
}

// PlatformUser returns the user with their organizations and active
// sessions; ErrUserNotFound for an unknown ID.
func (s *Service) PlatformUser(ctx context.Context, id kernel.UserID) (PlatformUserDetail, error) {
	u, err := s.deps.Users.ByID(ctx, id)
	if err != nil {
		return PlatformUserDetail{}, fmt.Errorf("get user: %w", err)
	}
	orgs, err := s.deps.Members.Organizations(ctx, id)
	if err != nil {
		return PlatformUserDetail{}, fmt.Errorf("get user: %w", err)
	}
	sessions, err := s.ListSessions(ctx, id)
	if err != nil {
		return PlatformUserDetail{}, fmt.Errorf("get user: %w", err)
	}
	return PlatformUserDetail{UserView: userView(u), Organizations: orgs, Sessions: sessions}, nil
}

// DeactivateUser deactivates user as the platform admin by, with a reason
// (at least MinReasonLength characters) and an optional end: every session
// ends at once, and sign-in answers BANNED_USER until the end (or until
// ReactivateUser). Deactivating again replaces the reason and the end.
// Errors: ErrUserNotFound, ErrCannotDeactivateSelf, ErrLastPlatformAdmin
// (also when racing), Invalid for a short reason or an end not in the
// future.
func (s *Service) DeactivateUser(ctx context.Context, by, user kernel.UserID, reason string, until *time.Time) (UserView, error) {
	reason, err := checkReason(reason, "iam.invalid_deactivation")
	if err != nil {
		return UserView{}, err
	}
	if by == user {
		return UserView{}, ErrCannotDeactivateSelf
	}
	now := s.deps.Clock.Now()
	var u *domain.User
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.guardLastPlatformAdmin(ctx, user); err != nil {
			return err
		}
		changed := false
		err := s.deps.Users.Update(ctx, user, func(cur *domain.User) error {
			var err error
			changed, err = cur.Deactivate(domain.Deactivation{Reason: reason, Until: until}, now)
			u = cur
			return err
		})
		if err != nil || !changed {
			return err
		}
		if err := s.revokeAllInTx(ctx, user, kernel.SessionID{}, "deactivated"); err != nil {
			return err
		}
		d := u.Deactivation()
		return s.deps.Events.Publish(ctx, UserDeactivated{UserID: user, By: by, Reason: d.Reason, Until: d.Until})
	})
	if err != nil {
		return UserView{}, fmt.Errorf("deactivate user: %w", err)
	}
	return userView(u), nil
}

// ReactivateUser lets a deactivated user sign in again; reactivating an
// active user changes nothing.
func (s *Service) ReactivateUser(ctx context.Context, by, user kernel.UserID) (UserView, error) {
	now := s.deps.Clock.Now()
	var u *domain.User
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		changed := false
		err := s.deps.Users.Update(ctx, user, func(cur *domain.User) error {
			changed, u = cur.Reactivate(now), cur
			return nil
		})
		if err != nil || !changed {
			return err
		}
		return s.deps.Events.Publish(ctx, UserReactivated{UserID: user, By: by})
	})
	if err != nil {
		return UserView{}, fmt.Errorf("reactivate user: %w", err)
	}
	return userView(u), nil
}

// RevokeUserSessions ends every session of user, as a platform admin.
func (s *Service) RevokeUserSessions(ctx context.Context, user kernel.UserID) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.deps.Users.ByID(ctx, user); err != nil {
			return err
		}
		return s.revokeAllInTx(ctx, user, kernel.SessionID{}, "admin_revoked")
	})
	if err != nil {
		return fmt.Errorf("revoke user sessions: %w", err)
	}
	return nil
}

// RevokeUserSession ends one session of user, as a platform admin;
// ErrUnknownSession when user has no session with that ID.
func (s *Service) RevokeUserSession(ctx context.Context, user kernel.UserID, session kernel.SessionID) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Sessions.Delete(ctx, user, session); err != nil {
			if errors.Is(err, ErrSessionNotFound) {
				return ErrUnknownSession
			}
			return err
		}
		return s.deps.Events.Publish(ctx, SessionRevoked{UserID: user, SessionIDs: []kernel.SessionID{session}, Reason: "admin_revoked"})
	})
	if err != nil {
		return fmt.Errorf("revoke user session: %w", err)
	}
	return nil
}

// MarkEmailVerified marks user's email verified, as the platform admin by;
// an already verified email changes nothing.
func (s *Service) MarkEmailVerified(ctx context.Context, by, user kernel.UserID) (UserView, error) {
	now := s.deps.Clock.Now()
	var u *domain.User
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		changed := false
		err := s.deps.Users.Update(ctx, user, func(cur *domain.User) error {
			changed, u = cur.VerifyEmail(now), cur
			return nil
		})
		if err != nil || !changed {
			return err
		}
		return s.deps.Events.Publish(ctx, UserEmailVerified{UserID: user, By: by})
	})
	if err != nil {
		return UserView{}, fmt.Errorf("mark email verified: %w", err)
	}
	return userView(u), nil
}

// SendPasswordReset sends user a password reset link (voiding earlier
// ones), as the platform admin by. The admin's request is not rate limited
// the way anonymous requests are; the email is queued in the transaction.
func (s *Service) SendPasswordReset(ctx context.Context, by, user kernel.UserID) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		u, err := s.deps.Users.ByID(ctx, user)
		if err != nil {
			return err
		}
		if err := s.deps.Mail.Enqueue(ctx, AccountMail{Purpose: domain.PurposePasswordReset, Email: u.Email().String()}); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, PasswordResetSent{UserID: user, By: by})
	})
	if err != nil {
		return fmt.Errorf("send password reset: %w", err)
	}
	return nil
}

// DeleteUserAsAdmin deletes user's account as the platform admin by, with
// the clean-up of a self-deletion (sessions, tokens and, through
// UserDeleted, memberships and notifications). Errors: ErrUserNotFound,
// ErrCannotDeleteSelf, ErrLastPlatformAdmin.
func (s *Service) DeleteUserAsAdmin(ctx context.Context, by, user kernel.UserID) error {
	if by == user {
		return ErrCannotDeleteSelf
	}
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		return s.deleteInTx(ctx, by, user)
	})
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

// deleteInTx removes user and announces it: what a self-deletion and an
// admin's deletion share. The last platform admin is never deleted.
func (s *Service) deleteInTx(ctx context.Context, by, user kernel.UserID) error {
	if err := s.guardLastPlatformAdmin(ctx, user); err != nil {
		return err
	}
	if err := s.revokeAllInTx(ctx, user, kernel.SessionID{}, "deleted"); err != nil {
		return err
	}
	if err := s.deps.Users.Delete(ctx, user); err != nil {
		return err
	}
	return s.deps.Events.Publish(ctx, UserDeleted{UserID: user, By: by})
}

// ListUsersPage returns the users matching q at q.Offset, at most q.Limit
// (≤ 0: 100; capped at 1000), and how many match in all: Better Auth's
// list-users, which pages by offset.
func (s *Service) ListUsersPage(ctx context.Context, q UserQuery) (users []UserView, total int, err error) {
	q.Limit = kernel.PageLimit(q.Limit, 100, 1000)
	if q.Active != nil && q.Now.IsZero() {
		q.Now = s.deps.Clock.Now()
	}
	list, err := s.deps.Users.List(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	if total, err = s.deps.Users.Count(ctx, q); err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	users = make([]UserView, 0, len(list))
	for _, u := range list {
		users = append(users, userView(u))
	}
	return users, total, nil
}

// RevokeSessionByID ends the session with that ID, whoever's it is, as a
// platform admin; ErrUnknownSession when there is none.
func (s *Service) RevokeSessionByID(ctx context.Context, id kernel.SessionID) error {
	user, err := s.deps.Sessions.UserOf(ctx, id)
	if errors.Is(err, ErrSessionNotFound) {
		return ErrUnknownSession
	}
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return s.RevokeUserSession(ctx, user, id)
}
