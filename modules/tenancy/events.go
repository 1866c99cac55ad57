package tenancy

import "github.com/groundworkhq/groundwork/modules/tenancy/internal/application"

// The events tenancy publishes, inside the transaction of the change they
// describe (a handler's error rolls the change back). ActorID is who acted;
// zero when the system did. Invitation tokens never travel in an event.
type (
	// OrganizationCreated ("organization.created").
	OrganizationCreated = application.OrganizationCreated
	// OrganizationUpdated ("organization.updated"): name, slug or logo
	// changed; Changes names which.
	OrganizationUpdated = application.OrganizationUpdated
	// OrganizationDeleted ("organization.deleted"): other modules remove
	// what they keep for the organization.
	OrganizationDeleted = application.OrganizationDeleted
	// MemberInvited ("member.invited"): an invitation was sent or resent.
	MemberInvited = application.MemberInvited
	// MemberJoined ("member.joined"): by creating the organization,
	// accepting an invitation, or being added by an admin.
	MemberJoined = application.MemberJoined
	// MemberRoleChanged ("member.role_changed").
	MemberRoleChanged = application.MemberRoleChanged
	// MemberSuspended ("member.suspended"): the membership grants nothing
	// until reinstated; the account is untouched.
	MemberSuspended = application.MemberSuspended
	// MemberReinstated ("member.reinstated").
	MemberReinstated = application.MemberReinstated
	// MemberRemoved ("member.removed"): someone removed the member.
	MemberRemoved = application.MemberRemoved
	// MemberLeft ("member.left"): the member left, or their account was
	// deleted.
	MemberLeft = application.MemberLeft
	// InvitationRevoked ("invitation.revoked").
	InvitationRevoked = application.InvitationRevoked
	// InvitationDeclined ("invitation.declined").
	InvitationDeclined = application.InvitationDeclined
	// RoleCreated ("role.created").
	RoleCreated = application.RoleCreated
	// RoleUpdated ("role.updated").
	RoleUpdated = application.RoleUpdated
	// RoleDeleted ("role.deleted").
	RoleDeleted = application.RoleDeleted
	// OwnershipTransferred ("ownership.transferred").
	OwnershipTransferred = application.OwnershipTransferred
)
