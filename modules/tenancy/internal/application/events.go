package application

import (
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// The events tenancy publishes, in the transaction of the change they
// describe. ActorID is who made the change (zero when the system did, as
// when a deleted account leaves its organizations). Invitation tokens never
// travel in an event. Names are stable.

// OrganizationCreated: a user created an organization and became its owner.
type OrganizationCreated struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	Name           string
	Slug           string
}

func (OrganizationCreated) EventName() string { return "organization.created" }

// OrganizationUpdated: the name, slug or logo changed; Changes names the
// fields ("name", "slug", "logo"). Name, Slug and Logo are as they are now
// (Logo "" when the organization has none).
type OrganizationUpdated struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	Changes        []string
	Name           string
	Slug           string
	Logo           string
}

func (OrganizationUpdated) EventName() string { return "organization.updated" }

// OrganizationDeleted: the organization is gone with its memberships, roles
// and invitations; other modules remove what they keep for it.
type OrganizationDeleted struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	Slug           string
}

func (OrganizationDeleted) EventName() string { return "organization.deleted" }

// MemberInvited: an invitation was created or resent.
type MemberInvited struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	InvitationID   domain.InvitationID
	Email          string
	Role           string
	Resent         bool
}

func (MemberInvited) EventName() string { return "member.invited" }

// MemberJoined: a user became a member, by accepting an invitation
// (InvitationID set), by creating the organization, or added by an admin.
type MemberJoined struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	MembershipID   domain.MembershipID
	UserID         kernel.UserID
	Role           string
	InvitationID   domain.InvitationID
}

func (MemberJoined) EventName() string { return "member.joined" }

// MemberRoleChanged: a member's role changed.
type MemberRoleChanged struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	MembershipID   domain.MembershipID
	UserID         kernel.UserID
	From, To       string
}

func (MemberRoleChanged) EventName() string { return "member.role_changed" }

// MemberSuspended: the organization suspended a membership; it keeps its
// role and grants nothing until reinstated. The account is untouched.
type MemberSuspended struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	MembershipID   domain.MembershipID
	UserID         kernel.UserID
	Role           string
}

func (MemberSuspended) EventName() string { return "member.suspended" }

// MemberReinstated: a suspended membership is active again, with its role.
type MemberReinstated struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	MembershipID   domain.MembershipID
	UserID         kernel.UserID
	Role           string
}

func (MemberReinstated) EventName() string { return "member.reinstated" }

// MemberRemoved: someone removed a member (or the member's account was
// deleted: ActorID zero).
type MemberRemoved struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	MembershipID   domain.MembershipID
	UserID         kernel.UserID
	Role           string
}

func (MemberRemoved) EventName() string { return "member.removed" }

// MemberLeft: a member left the organization.
type MemberLeft struct {
	OrganizationID kernel.OrganizationID
	MembershipID   domain.MembershipID
	UserID         kernel.UserID
	Role           string
}

func (MemberLeft) EventName() string { return "member.left" }

// InvitationRevoked: a member revoked a pending invitation.
type InvitationRevoked struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	InvitationID   domain.InvitationID
	Email          string
}

func (InvitationRevoked) EventName() string { return "invitation.revoked" }

// InvitationDeclined: the invitee declined.
type InvitationDeclined struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	InvitationID   domain.InvitationID
	Email          string
}

func (InvitationDeclined) EventName() string { return "invitation.declined" }

// RoleCreated: a custom role was created.
type RoleCreated struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	RoleID         domain.RoleID
	Name           string
	Permissions    []string
}

func (RoleCreated) EventName() string { return "role.created" }

// RoleUpdated: a custom role's name or permissions changed.
type RoleUpdated struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	RoleID         domain.RoleID
	Changes        []string
	Name           string
	Permissions    []string
}

func (RoleUpdated) EventName() string { return "role.updated" }

// RoleDeleted: a custom role was deleted.
type RoleDeleted struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	RoleID         domain.RoleID
	Name           string
}

func (RoleDeleted) EventName() string { return "role.deleted" }

// OwnershipTransferred: an owner handed the organization to another member,
// who is now owner; the previous owner is now From's new role.
type OwnershipTransferred struct {
	OrganizationID kernel.OrganizationID
	ActorID        kernel.UserID
	FromUserID     kernel.UserID
	ToUserID       kernel.UserID
	// FromRole is the previous owner's role after the transfer.
	FromRole string
}

func (OwnershipTransferred) EventName() string { return "ownership.transferred" }
