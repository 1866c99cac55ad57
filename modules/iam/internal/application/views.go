package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// userView is u as the API shows it; never the password hash.
func userView(u *domain.User) UserView {
	v := UserView{
		ID:            u.ID(),
		Email:         u.Email().String(),
		EmailVerified: u.EmailVerified(),
		Name:          u.Name().String(),
		Image:         u.Image().String(),
		Username:      u.Username().String(),
		Locale:        u.Locale().String(),
		Active:        u.Active(),
		PlatformAdmin: u.PlatformAdmin(),
		CreatedAt:     u.CreatedAt(),
		UpdatedAt:     u.UpdatedAt(),
	}
	if t, ok := u.LastLoginAt(); ok {
		v.LastLoginAt = &t
	}
	d := u.Deactivation()
	v.DeactivationReason, v.DeactivatedUntil = d.Reason, d.Until
	return v
}

// sessionView is s as the API shows it; never the token or its hash.
func sessionView(s *domain.Session) SessionView {
	return SessionView{
		ID:             s.ID(),
		UserID:         s.UserID(),
		ExpiresAt:      s.ExpiresAt(),
		CreatedAt:      s.CreatedAt(),
		UpdatedAt:      s.UpdatedAt(),
		IPAddress:      s.IPAddress(),
		UserAgent:      s.UserAgent(),
		ImpersonatedBy: s.ImpersonatorID(),
	}
}

// User returns the user with that ID as the API shows it, reading in the
// transaction ctx carries, if any. It returns ErrUserNotFound for an
// unknown ID.
func (s *Service) User(ctx context.Context, id kernel.UserID) (UserView, error) {
	u, err := s.deps.Users.ByID(ctx, id)
	if err != nil {
		return UserView{}, err
	}
	return userView(u), nil
}

// UserByEmail returns the user with that email (any case), or
// ErrUserNotFound, also for a malformed address.
func (s *Service) UserByEmail(ctx context.Context, email string) (UserView, error) {
	e, err := domain.ParseEmail(email)
	if err != nil {
		return UserView{}, ErrUserNotFound
	}
	u, err := s.deps.Users.ByEmail(ctx, e)
	if err != nil {
		return UserView{}, err
	}
	return userView(u), nil
}

// Profiles returns the public profiles of the users among ids that exist,
// in ID order; at most MaxUsersByID IDs.
func (s *Service) Profiles(ctx context.Context, ids []kernel.UserID) ([]Profile, error) {
	if len(ids) > MaxUsersByID {
		return nil, kernel.Invalid("iam.too_many_ids", fmt.Sprintf("At most %d users at a time.", MaxUsersByID))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return s.deps.Users.Profiles(ctx, ids)
}

// MaxUsersByID bounds Profiles.
const MaxUsersByID = 1000
