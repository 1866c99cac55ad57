package application

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// Page sizes of ListUsers.
const (
	DefaultUserPageSize = 50
	MaxUserPageSize     = 200
)

// ListUsers returns the members of org whose email or name contains search
// (case-insensitively), ordered by ID, after the cursor after (zero: from
// the start), at most limit (≤ 0: DefaultUserPageSize; capped at
// MaxUserPageSize). next is the cursor of the following page, zero on the
// last one. It needs no transaction. The caller checks the users:read
// grant.
func (s *Service) ListUsers(ctx context.Context, org kernel.OrganizationID, search string, after kernel.UserID, limit int) (users []UserView, next kernel.UserID, err error) {
	switch {
	case limit <= 0:
		limit = DefaultUserPageSize
	case limit > MaxUserPageSize:
		limit = MaxUserPageSize
	}
	ids, err := s.deps.Members.MemberIDs(ctx, org)
	if err != nil {
		return nil, kernel.UserID{}, fmt.Errorf("list users: %w", err)
	}
	if ids == nil {
		ids = []kernel.UserID{} // nil would mean "everyone"
	}
	list, err := s.deps.Users.List(ctx, UserQuery{IDs: ids, Search: search, After: after, Limit: limit + 1})
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

// GetUser returns a member of org. A user who is not a member (another
// organization's, or unknown) answers NotFound iam.user_not_found. The
// caller checks the users:read grant.
func (s *Service) GetUser(ctx context.Context, org kernel.OrganizationID, id kernel.UserID) (UserView, error) {
	if err := s.requireMember(ctx, org, id); err != nil {
		return UserView{}, fmt.Errorf("get user: %w", err)
	}
	u, err := s.deps.Users.ByID(ctx, id)
	if err != nil {
		return UserView{}, fmt.Errorf("get user: %w", err)
	}
	return userView(u), nil
}

// CreateUserInput is an admin's POST /api/users.
type CreateUserInput struct {
	Email, Name, Username, Locale string
}

// CreateUser adds the person with that email to org. Someone without an
// account gets one, without a password, and an email with a set-password
// link (72 h); someone with an account is only made a member. In one
// transaction. Errors: Invalid iam.invalid_user with field errors, Conflict
// iam.already_member, Conflict USER_ALREADY_EXISTS or
// USERNAME_IS_ALREADY_TAKEN on a race or a taken username, and whatever
// Members.Add answers (Unavailable iam.no_tenancy until tenancy is wired).
// The caller checks the users:create grant.
func (s *Service) CreateUser(ctx context.Context, org kernel.OrganizationID, actor kernel.UserID, in CreateUserInput) (UserView, error) {
	now := s.deps.Clock.Now()
	u, err := domain.NewUser(domain.NewUserParams{
		Email: in.Email, Name: in.Name, Username: in.Username, Locale: in.Locale, Now: now,
	})
	if err != nil {
		return UserView{}, err
	}
	t, err := domain.NewToken()
	if err != nil {
		return UserView{}, fmt.Errorf("create user: %w", err)
	}
	vt, err := domain.NewVerificationToken(domain.PurposeSetPassword, u.ID(), u.Email(), t, now)
	if err != nil {
		return UserView{}, fmt.Errorf("create user: %w", err)
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		existing, err := s.deps.Users.ByEmail(ctx, u.Email())
		switch {
		case err == nil:
			member, err := s.deps.Members.IsMember(ctx, org, existing.ID())
			if err != nil {
				return err
			}
			if member {
				return ErrAlreadyMember
			}
			u = existing
			return s.deps.Members.Add(ctx, org, existing.ID())
		case !errors.Is(err, ErrUserNotFound):
			return err
		}
		if err := s.deps.Users.Create(ctx, u); err != nil {
			return err
		}
		if err := s.deps.Members.Add(ctx, org, u.ID()); err != nil {
			return err
		}
		if err := s.deps.Tokens.Create(ctx, vt); err != nil {
			return err
		}
		if err := s.deps.Emails.SetPassword(ctx, u, s.passwordLinkURL(t, "")); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, UserCreated{
			UserID: u.ID(), Email: u.Email().String(), Name: u.Name().String(), Locale: u.Locale().String(),
			ByAdmin: actor, OrganizationID: org,
		})
	})
	if err != nil {
		return UserView{}, fmt.Errorf("create user: %w", err)
	}
	return userView(u), nil
}

// AdminUpdateUser applies an admin's patch (name, username, locale, image,
// active) to a member of org, in one transaction. Deactivating revokes
// every session of the user at once; an admin cannot deactivate
// themselves. The user is global: the change shows in every organization
// the user belongs to. Errors: NotFound iam.user_not_found for a
// non-member, Invalid iam.invalid_user, Conflict USERNAME_IS_ALREADY_TAKEN,
// Forbidden iam.cannot_deactivate_self. The caller checks the users:update
// grant.
func (s *Service) AdminUpdateUser(ctx context.Context, org kernel.OrganizationID, actor, id kernel.UserID, p domain.UserPatch) (UserView, error) {
	if p.Active != nil && !*p.Active && actor == id {
		return UserView{}, ErrCannotDeactivateSelf
	}
	now := s.deps.Clock.Now()
	var u *domain.User
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.requireMember(ctx, org, id); err != nil {
			return err
		}
		var changes []string
		err := s.deps.Users.Update(ctx, id, func(cur *domain.User) error {
			var err error
			changes, err = cur.Update(p, now)
			u = cur
			return err
		})
		if err != nil {
			return err
		}
		activeChanged := slices.Contains(changes, domain.FieldActive)
		profile := slices.DeleteFunc(changes, func(f string) bool { return f == domain.FieldActive })
		if len(profile) > 0 {
			if err := s.deps.Events.Publish(ctx, UserUpdated{UserID: id, Changes: profile, By: actor}); err != nil {
				return err
			}
		}
		switch {
		case !activeChanged:
			return nil
		case u.Active():
			return s.deps.Events.Publish(ctx, UserReactivated{UserID: id, By: actor})
		}
		// Deactivated: every session ends in the same transaction, so the
		// next request of any of them is refused.
		if err := s.revokeAllInTx(ctx, id, kernel.SessionID{}, "deactivated"); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, UserDeactivated{UserID: id, By: actor})
	})
	if err != nil {
		return UserView{}, fmt.Errorf("update user: %w", err)
	}
	return userView(u), nil
}

// RemoveUser removes a member from org; the account itself stays (it may
// belong to other organizations). tenancy announces the removal. Errors:
// NotFound iam.user_not_found for a non-member, and whatever Members.Remove
// answers. The caller checks the users:delete grant.
func (s *Service) RemoveUser(ctx context.Context, org kernel.OrganizationID, actor, id kernel.UserID) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.requireMember(ctx, org, id); err != nil {
			return err
		}
		return s.deps.Members.Remove(ctx, org, id)
	})
	if err != nil {
		return fmt.Errorf("remove user: %w", err)
	}
	return nil
}

// requireMember answers ErrUserNotFound unless id belongs to org, so that
// another organization's user looks like no user at all.
func (s *Service) requireMember(ctx context.Context, org kernel.OrganizationID, id kernel.UserID) error {
	ok, err := s.deps.Members.IsMember(ctx, org, id)
	if err != nil {
		return err
	}
	if !ok {
		return ErrUserNotFound
	}
	return nil
}

// NoMembers is the Members port until tenancy is wired: nobody belongs to
// any organization, so the tenant-scoped user admin lists nobody and finds
// nobody, and changes of membership answer Unavailable iam.no_tenancy.
type NoMembers struct{}

var _ Members = NoMembers{}

// IsMember reports false.
func (NoMembers) IsMember(context.Context, kernel.OrganizationID, kernel.UserID) (bool, error) {
	return false, nil
}

// MemberIDs returns an empty (non-nil) list.
func (NoMembers) MemberIDs(context.Context, kernel.OrganizationID) ([]kernel.UserID, error) {
	return []kernel.UserID{}, nil
}

// Add returns ErrNoTenancy.
func (NoMembers) Add(context.Context, kernel.OrganizationID, kernel.UserID) error {
	return ErrNoTenancy
}

// Remove returns ErrNoTenancy.
func (NoMembers) Remove(context.Context, kernel.OrganizationID, kernel.UserID) error {
	return ErrNoTenancy
}
