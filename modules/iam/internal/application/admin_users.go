package application

import (
	"context"
	"fmt"
	"time"

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

// Invitation is what AddUser answers: the invitation the person was sent.
type Invitation struct {
	ID        string
	Email     string
	ExpiresAt time.Time
}

// AddUser adds a person to org the only way anyone joins an organization:
// by an invitation they accept. It sends one to email (with the member
// role) whether or not an account exists for it, and answers the same in
// both cases, so the route reveals no account. No account is created and
// no existing account is touched. Errors: Invalid iam.invalid_user for a
// bad address, and whatever Members.Invite answers (Conflict
// tenancy.already_invited / tenancy.already_member, TooManyRequests
// tenancy.too_many_invitations, Forbidden tenancy.forbidden without
// members:invite; Unavailable iam.no_tenancy until tenancy is wired). The
// caller checks the users:create grant.
func (s *Service) AddUser(ctx context.Context, org kernel.OrganizationID, email string) (Invitation, error) {
	e, err := domain.ParseEmail(email)
	if err != nil {
		return Invitation{}, err
	}
	inv, err := s.deps.Members.Invite(ctx, org, e.String())
	if err != nil {
		return Invitation{}, fmt.Errorf("add user: %w", err)
	}
	return inv, nil
}

// ErrAccountFieldsPersonal refuses an organization's change of an
// account-wide field: an account belongs to its person, and only they (or
// a platform admin) change its name, username, locale, image or state.
var ErrAccountFieldsPersonal = kernel.Forbidden("iam.account_fields_personal",
	"An account's name, username, locale, image and active state are changed only by its owner or a platform admin; "+
		"an organization can remove a member (DELETE /api/users/{id}) or change their role.")

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

// Invite returns ErrNoTenancy.
func (NoMembers) Invite(context.Context, kernel.OrganizationID, string) (Invitation, error) {
	return Invitation{}, ErrNoTenancy
}

// Remove returns ErrNoTenancy.
func (NoMembers) Remove(context.Context, kernel.OrganizationID, kernel.UserID) error {
	return ErrNoTenancy
}
