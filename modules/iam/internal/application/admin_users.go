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
func (s *Service) ListUsers(ctx context.Context, org kernel.OrganizationID, search string, after kernel.UserID, limit int) (users []MemberView, next kernel.UserID, err error) {
	limit = kernel.PageLimit(limit, DefaultUserPageSize, MaxUserPageSize)
	ids, err := s.deps.Members.MemberIDs(ctx, org)
	if err != nil {
		return nil, kernel.UserID{}, fmt.Errorf("list users: %w", err)
	}
	if ids == nil {
		ids = []kernel.UserID{} // nil would mean "everyone"
	}
	suspendedIDs, err := s.deps.Members.SuspendedIDs(ctx, org)
	if err != nil {
		return nil, kernel.UserID{}, fmt.Errorf("list users: %w", err)
	}
	suspended := make(map[kernel.UserID]bool, len(suspendedIDs))
	for _, id := range suspendedIDs {
		suspended[id] = true
	}
	list, err := s.deps.Users.List(ctx, UserQuery{IDs: ids, Search: search, After: after, Limit: limit + 1})
	if err != nil {
		return nil, kernel.UserID{}, fmt.Errorf("list users: %w", err)
	}
	if len(list) > limit {
		list = list[:limit]
		next = list[limit-1].ID()
	}
	users = make([]MemberView, 0, len(list))
	for _, u := range list {
		users = append(users, MemberView{UserView: userView(u), Suspended: suspended[u.ID()]})
	}
	return users, next, nil
}

// MemberView is a user as their organization's /api/users shows them: the
// account and whether the organization suspended the membership.
type MemberView struct {
	UserView
	Suspended bool
}

// GetUser returns a member of org. A user who is not a member (another
// organization's, or unknown) answers NotFound iam.user_not_found. The
// caller checks the users:read grant.
func (s *Service) GetUser(ctx context.Context, org kernel.OrganizationID, id kernel.UserID) (MemberView, error) {
	m, err := s.requireMember(ctx, org, id)
	if err != nil {
		return MemberView{}, fmt.Errorf("get user: %w", err)
	}
	u, err := s.deps.Users.ByID(ctx, id)
	if err != nil {
		return MemberView{}, fmt.Errorf("get user: %w", err)
	}
	return MemberView{UserView: userView(u), Suspended: m.Suspended}, nil
}

// SuspendUser suspends (suspended true) or reinstates a member of org in
// that organization only: the membership keeps its role and grants
// nothing; the account, its sessions and its other organizations are
// untouched. Errors: NotFound iam.user_not_found for a non-member, and
// whatever Members.Suspend answers (Forbidden tenancy.forbidden without
// members:update or over a member whose role holds more than the actor's;
// Conflict tenancy.cannot_suspend_self, tenancy.last_owner). The caller
// checks the users:update grant.
func (s *Service) SuspendUser(ctx context.Context, org kernel.OrganizationID, id kernel.UserID, suspended bool) (MemberView, error) {
	if _, err := s.requireMember(ctx, org, id); err != nil {
		return MemberView{}, fmt.Errorf("suspend user: %w", err)
	}
	if err := s.deps.Members.Suspend(ctx, org, id, suspended); err != nil {
		return MemberView{}, fmt.Errorf("suspend user: %w", err)
	}
	return s.GetUser(ctx, org, id)
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
// a platform admin) change its email, name, username, locale, image,
// password or state.
var ErrAccountFieldsPersonal = kernel.Forbidden("iam.account_fields_personal",
	"An account's email, name, username, locale, image, password and active state are changed only by its owner or a platform admin; "+
		"an organization suspends a member in the organization (status), removes them (DELETE /api/users/{id}) or changes their role.")

// RemoveUser removes a member from org; the account itself stays (it may
// belong to other organizations). tenancy announces the removal. Errors:
// NotFound iam.user_not_found for a non-member, and whatever Members.Remove
// answers. The caller checks the users:delete grant.
func (s *Service) RemoveUser(ctx context.Context, org kernel.OrganizationID, actor, id kernel.UserID) error {
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.requireMember(ctx, org, id); err != nil {
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
func (s *Service) requireMember(ctx context.Context, org kernel.OrganizationID, id kernel.UserID) (Membership, error) {
	m, err := s.deps.Members.Membership(ctx, org, id)
	if err != nil {
		return Membership{}, err
	}
	if !m.Member {
		return Membership{}, ErrUserNotFound
	}
	return m, nil
}

// NoMembers is the Members port until tenancy is wired: nobody belongs to
// any organization, so the tenant-scoped user admin lists nobody and finds
// nobody, and changes of membership answer Unavailable iam.no_tenancy.
type NoMembers struct{}

var _ Members = NoMembers{}

// Membership reports no membership.
func (NoMembers) Membership(context.Context, kernel.OrganizationID, kernel.UserID) (Membership, error) {
	return Membership{}, nil
}

// SuspendedIDs returns an empty list.
func (NoMembers) SuspendedIDs(context.Context, kernel.OrganizationID) ([]kernel.UserID, error) {
	return nil, nil
}

// Suspend returns ErrNoTenancy.
func (NoMembers) Suspend(context.Context, kernel.OrganizationID, kernel.UserID, bool) error {
	return ErrNoTenancy
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

// Organizations returns none.
func (NoMembers) Organizations(context.Context, kernel.UserID) ([]UserOrganization, error) {
	return nil, nil
}
