// Package tenancy is the organizations bounded context: organizations, their
// slugs and logos, memberships with per-organization roles (the built-in owner,
// admin and member, and custom roles made of declared permissions),
// suspension of a membership, invitations by email, ownership transfer, the
// permission catalog every module declares into, and the
// organization-context middleware that puts the caller's active
// organization, role and grants in each request's kernel context —
// re-reading the membership every time (from an access cache every change
// invalidates in every process), never trusting the cookie.
//
// # Routes
//
// /api/organizations (create, list yours, the active one, read, rename,
// delete), /api/organizations/{org}/members, …/invitations, …/roles,
// …/leave and …/transfer, /api/invitations (yours, preview, accept,
// decline), /api/permissions, and the server's own invitation page at
// /invitations/{token}. Every /api/organizations/{org}/… route first reads
// the caller's membership: another organization is 404, a suspended
// membership 403 tenancy.membership_suspended (except leave).
//
// Platform administration, under /api/v1/platform behind the platform's
// gate: GET /organizations (every organization with its member count,
// searched, filtered and paged newest first), GET and DELETE
// /organizations/{id}, and POST /organizations/{id}/transfer. The admin's
// deletion and transfer publish the events an owner's do, with the admin
// as the actor.
//
// # Events
//
// Published in the transaction of the change (see events.go):
// organization.created|updated|deleted,
// member.invited|joined|role_changed|suspended|reinstated|removed|left,
// invitation.revoked|declined, role.created|updated|deleted and
// ownership.transferred. Invitation tokens never travel in an event.
//
// # Ports
//
// The composition root gives tenancy a Users port (who a user is: iam) and
// an Emails port (the invitation email: notifications). Other modules call
// its API: Access and MemberState for a user's standing in an organization,
// InviteMember, SuspendMember and RemoveMember on a request's behalf (with
// the members routes' guards), UserDeleted and ProfileChanged in iam's
// transactions, DeclarePermission and the catalog for roles, and SetLogo
// and Logo for the storage module's logo upload. Every organization the API
// shows carries "logo", the URL or null, as Better Auth's organization
// does; no route sets it.
package tenancy
