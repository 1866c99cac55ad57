package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// The answers of platform admin changes.
var (
	// ErrLastPlatformAdmin: the last platform admin cannot stop being one
	// (demoted, deactivated or deleted) — promote another first.
	ErrLastPlatformAdmin = kernel.Conflict("platform.last_admin",
		"This is the last platform admin; promote another before removing this one.")
	// ErrPromoteDeactivated: a deactivated user cannot be made a platform
	// admin.
	ErrPromoteDeactivated = kernel.Invalid("platform.user_deactivated",
		"A deactivated user cannot be made a platform admin; reactivate them first.")
)

// CountPlatformAdmins returns how many platform admins exist.
func (s *Service) CountPlatformAdmins(ctx context.Context) (int, error) {
	n, err := s.deps.Users.CountPlatformAdmins(ctx)
	if err != nil {
		return 0, fmt.Errorf("count platform admins: %w", err)
	}
	return n, nil
}

// PlatformAdmins returns every platform admin, by ID.
func (s *Service) PlatformAdmins(ctx context.Context) ([]UserView, error) {
	admin := true
	list, err := s.deps.Users.List(ctx, UserQuery{PlatformAdmin: &admin})
	if err != nil {
		return nil, fmt.Errorf("list platform admins: %w", err)
	}
	out := make([]UserView, 0, len(list))
	for _, u := range list {
		out = append(out, userView(u))
	}
	return out, nil
}

// SetPlatformAdmin grants (admin true) or revokes platform administration
// of user, as by (zero: the operator, from the command line). Granting it
// to a deactivated user is ErrPromoteDeactivated; revoking it from the last
// admin is ErrLastPlatformAdmin, also when two revocations race. It
// publishes PlatformAdminGranted or PlatformAdminRevoked when something
// changed; a second call changes nothing and answers the same.
func (s *Service) SetPlatformAdmin(ctx context.Context, by, user kernel.UserID, admin bool) (UserView, error) {
	now := s.deps.Clock.Now()
	var u *domain.User
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if !admin {
			if err := s.guardLastPlatformAdmin(ctx, user); err != nil {
				return err
			}
		}
		changed := false
		err := s.deps.Users.Update(ctx, user, func(cur *domain.User) error {
			u = cur
			if admin && !cur.Active() {
				return ErrPromoteDeactivated
			}
			changed = cur.SetPlatformAdmin(admin, now)
			return nil
		})
		if err != nil || !changed {
			return err
		}
		if admin {
			return s.deps.Events.Publish(ctx, PlatformAdminGranted{UserID: user, By: by})
		}
		return s.deps.Events.Publish(ctx, PlatformAdminRevoked{UserID: user, By: by})
	})
	if err != nil {
		return UserView{}, fmt.Errorf("set platform admin: %w", err)
	}
	return userView(u), nil
}

// guardLastPlatformAdmin, in a transaction, takes the platform admins'
// lock and answers ErrLastPlatformAdmin when user is the only platform
// admin left: what every change that ends someone's administration
// (demotion, deactivation, deletion) checks first.
func (s *Service) guardLastPlatformAdmin(ctx context.Context, user kernel.UserID) error {
	if err := s.deps.Users.LockPlatformAdmins(ctx); err != nil {
		return err
	}
	u, err := s.deps.Users.ByID(ctx, user)
	if err != nil {
		return err
	}
	if !u.PlatformAdmin() {
		return nil
	}
	n, err := s.deps.Users.CountPlatformAdmins(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return ErrLastPlatformAdmin
	}
	return nil
}

// CreateAccount returns the account with email, creating it first, with
// name and no password, when there is none (created true): the person then
// gets a set-password link by email (a job; valid 72 hours) and the
// address counts as verified once they use it. It is the operator's way in
// (groundwork admin create), so it is not rate limited. Errors: Invalid
// INVALID_EMAIL, the name's field errors.
func (s *Service) CreateAccount(ctx context.Context, email, name string) (u UserView, created bool, err error) {
	e, err := domain.ParseEmail(email)
	if err != nil {
		return UserView{}, false, ErrInvalidEmail
	}
	if cur, err := s.deps.Users.ByEmail(ctx, e); err == nil {
		return userView(cur), false, nil
	} else if !errors.Is(err, ErrUserNotFound) {
		return UserView{}, false, fmt.Errorf("create account: %w", err)
	}
	nu, err := domain.NewUser(domain.NewUserParams{Email: e.String(), Name: name, Now: s.deps.Clock.Now()})
	if err != nil {
		return UserView{}, false, err
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Users.Create(ctx, nu); err != nil {
			return err
		}
		if err := s.deps.Mail.Enqueue(ctx, AccountMail{Purpose: domain.PurposeSetPassword, Email: e.String()}); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, UserCreated{UserID: nu.ID(), Email: e.String(), Name: nu.Name().String(), ByOperator: true})
	})
	if err != nil {
		return UserView{}, false, fmt.Errorf("create account: %w", err)
	}
	return userView(nu), true, nil
}
