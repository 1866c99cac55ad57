package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/interfaces/httpapi"
)

// ActiveCookieName is the cookie naming the active organization.
const ActiveCookieName = httpapi.ActiveCookieName

// The built-in role names.
const (
	RoleOwner  = domain.RoleOwner
	RoleAdmin  = domain.RoleAdmin
	RoleMember = domain.RoleMember
)

// The permissions tenancy declares.
const (
	PermOrganizationUpdate   = domain.PermOrganizationUpdate
	PermOrganizationDelete   = domain.PermOrganizationDelete
	PermOrganizationTransfer = domain.PermOrganizationTransfer
	PermMembersRead          = domain.PermMembersRead
	PermMembersInvite        = domain.PermMembersInvite
	PermMembersUpdate        = domain.PermMembersUpdate
	PermMembersRemove        = domain.PermMembersRemove
	PermRolesRead            = domain.PermRolesRead
	PermRolesCreate          = domain.PermRolesCreate
	PermRolesUpdate          = domain.PermRolesUpdate
	PermRolesDelete          = domain.PermRolesDelete
)

// Errors other modules may compare with errors.Is.
var (
	// ErrLastOwner: 409 tenancy.last_owner.
	ErrLastOwner = domain.ErrLastOwner
	// ErrAlreadyMember: 409 tenancy.already_member.
	ErrAlreadyMember = application.ErrAlreadyMember
	// ErrMemberNotFound: 404 tenancy.member_not_found.
	ErrMemberNotFound = application.ErrMemberNotFound
)

// UserInfo is what tenancy knows of a user.
type UserInfo = application.UserInfo

// Users is the port tenancy looks users up through; the composition root
// satisfies it over iam. NotFound answers must be ErrUserNotFound.
type Users = application.Users

// ErrUserNotFound is what a Users port returns for an unknown user.
var ErrUserNotFound = application.ErrUserNotFound

// InvitationEmail is the invitation an Emails port sends.
type InvitationEmail = application.InvitationEmail

// Emails is the port tenancy sends invitation emails through, in the
// caller's transaction.
type Emails = application.Emails

// DeclarePermission adds a permission ("resource:action", lower case) to
// the catalog roles are built from. Call it at boot: once the first request
// used the catalog it fails.
func (m *Module) DeclarePermission(name, description string) error {
	if err := m.svc.DeclarePermission(name, description); err != nil {
		return fmt.Errorf("tenancy: %w", err)
	}
	return nil
}

// Permissions lists the catalog, sorted by name.
func (m *Module) Permissions() []kernel.Permission {
	list := m.svc.Permissions()
	out := make([]kernel.Permission, len(list))
	for i, p := range list {
		out[i] = kernel.Permission{Name: p.Name, Description: p.Description}
	}
	return out
}

// Access returns user's role and grants in org as they stand, or a NotFound
// error when user is not a member. Outside a transaction it is answered
// from an access cache that every change to memberships and roles keeps
// fresh (see the README's Organizations section).
func (m *Module) Access(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (kernel.OrganizationContext, error) {
	return m.svc.Access(ctx, org, user)
}

// IsMember reports whether user belongs to org.
func (m *Module) IsMember(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (bool, error) {
	return m.svc.IsMember(ctx, org, user)
}

// MemberIDs lists the user IDs of org's members.
func (m *Module) MemberIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return m.svc.MemberIDs(ctx, org)
}

// AddMember makes user a member of org with the member role; actor is who
// added them (for the event). It is ErrAlreadyMember when they belong.
func (m *Module) AddMember(ctx context.Context, actor kernel.UserID, org kernel.OrganizationID, user kernel.UserID) error {
	return m.svc.AddMember(ctx, actor, org, user)
}

// SentInvitation is what InviteMember answers.
type SentInvitation struct {
	ID, Email string
	ExpiresAt time.Time
}

// InviteMember invites email to the organization in ctx with the member
// role, on behalf of the principal in ctx, with the guards and limits of
// the invitations API (members:invite, per-organization and per-inviter
// hourly caps, no second pending invitation, not someone already a
// member).
func (m *Module) InviteMember(ctx context.Context, email string) (SentInvitation, error) {
	a, err := actorOf(ctx)
	if err != nil {
		return SentInvitation{}, err
	}
	v, err := m.svc.Invite(ctx, a, email, RoleMember)
	if err != nil {
		return SentInvitation{}, err
	}
	return SentInvitation{ID: v.ID.String(), Email: v.Email, ExpiresAt: v.ExpiresAt}, nil
}

// RemoveMember removes user from the organization in ctx on behalf of the
// principal in ctx, with the guards of the members API: the actor must
// hold every permission of the member's role, and the last owner stays.
func (m *Module) RemoveMember(ctx context.Context, user kernel.UserID) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	return m.svc.RemoveUser(ctx, a, user)
}

// SuspendMember suspends (suspended true) or reinstates user in the
// organization in ctx on behalf of the principal in ctx, with the guards
// of the members API: members:update, every permission of the member's
// role, not yourself (409 tenancy.cannot_suspend_self), not the last active
// owner (409 tenancy.last_owner). A suspended membership keeps its role and
// grants nothing; the account and its other organizations are untouched.
func (m *Module) SuspendMember(ctx context.Context, user kernel.UserID, suspended bool) error {
	a, err := actorOf(ctx)
	if err != nil {
		return err
	}
	_, err = m.svc.UpdateMember(ctx, a, application.MemberRef{User: user}, application.MemberChange{Suspended: &suspended})
	return err
}

// actorOf is the Actor of the principal and organization in ctx, for the
// use cases other modules call on a request's behalf.
func actorOf(ctx context.Context) (application.Actor, error) {
	p, ok := kernel.PrincipalFrom(ctx)
	if !ok {
		return application.Actor{}, kernel.ErrUnauthenticated
	}
	org, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return application.Actor{}, kernel.ErrNoActiveOrganization
	}
	return application.Actor{UserID: p.UserID, Org: org}, nil
}

// MemberState says whether user belongs to org and whether the
// organization suspended the membership.
func (m *Module) MemberState(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (member, suspended bool, err error) {
	return m.svc.MemberState(ctx, org, user)
}

// SuspendedMemberIDs lists the user IDs of org's suspended members.
func (m *Module) SuspendedMemberIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return m.svc.SuspendedIDs(ctx, org)
}

// UserDeleted removes a deleted account from its organizations, in the
// deletion's transaction: an organization it was the only member of goes
// with it, and being the only owner of one with other members refuses the
// deletion (409 tenancy.last_owner).
func (m *Module) UserDeleted(ctx context.Context, user kernel.UserID) error {
	return m.svc.UserDeleted(ctx, user)
}

// ProfileChanged records, in the transaction of the change, that user's
// name, email or image changed, so member lists show the new one.
func (m *Module) ProfileChanged(ctx context.Context, user kernel.UserID) error {
	return m.svc.ProfileChanged(ctx, user)
}
