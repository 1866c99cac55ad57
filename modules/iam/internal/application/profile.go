package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// UpdateProfile applies the signed-in user's own changes (name, image,
// username, locale). Errors: Invalid with field errors, Conflict
// USERNAME_IS_ALREADY_TAKEN.
func (s *Service) UpdateProfile(ctx context.Context, user kernel.UserID, p domain.UserPatch) (UserView, error) {
	if p.Active != nil {
		return UserView{}, ErrActiveNotAllowed
	}
	now := s.deps.Clock.Now()
	var u *domain.User
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		var changes []string
		err := s.deps.Users.Update(ctx, user, func(cur *domain.User) error {
			var err error
			changes, err = cur.Update(p, now)
			u = cur
			return err
		})
		if err != nil || len(changes) == 0 {
			return err
		}
		return s.deps.Events.Publish(ctx, UserUpdated{UserID: user, Changes: changes, By: user})
	})
	if err != nil {
		return UserView{}, fmt.Errorf("update profile: %w", err)
	}
	return userView(u), nil
}
