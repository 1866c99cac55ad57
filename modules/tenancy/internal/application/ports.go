// Package application holds the tenancy use cases: organizations,
// memberships, custom roles, invitations, ownership transfer and the
// per-request access check that computes a caller's grants. It declares
// the ports its adapters satisfy; it never touches HTTP or a database
// driver.
package application

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// Organizations stores the Organization aggregate. Every method runs in the
// transaction ctx carries, if any.
type Organizations interface {
	// Create stores a new organization; ErrSlugTaken when the slug is used.
	Create(ctx context.Context, o *domain.Organization) error
	// ByID returns the organization, or ErrOrganizationNotFound.
	ByID(ctx context.Context, id kernel.OrganizationID) (*domain.Organization, error)
	// BySlug returns the organization with that slug, or
	// ErrOrganizationNotFound.
	BySlug(ctx context.Context, slug domain.Slug) (*domain.Organization, error)
	// Lock locks the organization row until the transaction ends
	// (SELECT … FOR UPDATE on PostgreSQL; SQLite's single writer already
	// serializes), so membership changes of one organization serialize. It
	// returns ErrOrganizationNotFound for an unknown ID. Call it inside a
	// transaction.
	Lock(ctx context.Context, id kernel.OrganizationID) error
	// Save stores the organization's name, slug and update time;
	// ErrSlugTaken when the new slug is used, ErrOrganizationNotFound when
	// the row is gone.
	Save(ctx context.Context, o *domain.Organization) error
	// Delete removes the organization with its memberships, custom roles
	// and invitations.
	Delete(ctx context.Context, id kernel.OrganizationID) error
	// ListForUser returns the organizations user belongs to with the
	// user's membership in each, most recently used first (then by name).
	ListForUser(ctx context.Context, user kernel.UserID) ([]OrganizationMembership, error)
	// Search returns the organizations of the whole installation that q
	// selects, each with its member count, newest first (by creation time,
	// then by ID), after q.After, at most q.Limit; in one query.
	Search(ctx context.Context, q OrganizationQuery) ([]OrganizationSummary, error)
	// Summary returns the organization with its member count, or
	// ErrOrganizationNotFound.
	Summary(ctx context.Context, id kernel.OrganizationID) (OrganizationSummary, error)
}

// OrganizationMembership is an organization with one member's membership.
type OrganizationMembership struct {
	Organization *domain.Organization
	Membership   *domain.Membership
}

// OrganizationQuery selects and pages Organizations.Search. Its zero value
// selects every organization.
type OrganizationQuery struct {
	// Search keeps the organizations whose name or slug contains it,
	// ignoring case; % and _ in it are literal. "" keeps all.
	Search string
	// MinMembers and MaxMembers bound the member count (active and
	// suspended members), both inclusive; nil is no bound.
	MinMembers, MaxMembers *int
	// CreatedFrom keeps those created at or after it, CreatedTo those
	// created before it; zero is no bound.
	CreatedFrom, CreatedTo time.Time
	// After is where the previous page ended; nil for the first page.
	After *OrganizationCursor
	Limit int
}

// OrganizationCursor is a position in the newest-first order of
// Organizations.Search: the creation time and ID of the last organization
// of a page. A position, not a row, so a page after it is right even when
// that organization is gone or others were created meanwhile.
type OrganizationCursor struct {
	CreatedAt time.Time
	ID        kernel.OrganizationID
}

// OrganizationSummary is an organization with its member count.
type OrganizationSummary struct {
	Organization *domain.Organization
	// MemberCount counts active and suspended members.
	MemberCount int
}

// Memberships stores memberships.
type Memberships interface {
	// Create stores a membership; ErrAlreadyMember when the user already
	// belongs to the organization.
	Create(ctx context.Context, m *domain.Membership) error
	// ByUser returns user's membership in org, or ErrMemberNotFound.
	ByUser(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (*domain.Membership, error)
	// ByID returns the membership with that ID in org (a membership of
	// another organization is ErrMemberNotFound).
	ByID(ctx context.Context, org kernel.OrganizationID, id domain.MembershipID) (*domain.Membership, error)
	// List returns org's memberships ordered by ID, after q.After, at most
	// q.Limit.
	List(ctx context.Context, org kernel.OrganizationID, q MemberQuery) ([]*domain.Membership, error)
	// ListUserIDs returns the user IDs of every member of org.
	ListUserIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error)
	// ListSuspendedUserIDs returns the user IDs of org's suspended members.
	ListSuspendedUserIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error)
	// ListByUser returns every membership of user.
	ListByUser(ctx context.Context, user kernel.UserID) ([]*domain.Membership, error)
	// ListRole returns org's members holding role, suspended ones
	// included, ordered by ID.
	ListRole(ctx context.Context, org kernel.OrganizationID, role string) ([]*domain.Membership, error)
	// Save stores m's role and suspension; ErrMemberNotFound when the row
	// is gone.
	Save(ctx context.Context, m *domain.Membership) error
	// Delete removes the membership with that ID in org.
	Delete(ctx context.Context, org kernel.OrganizationID, id domain.MembershipID) error
	// CountRole returns how many active (not suspended) members of org
	// hold role.
	CountRole(ctx context.Context, org kernel.OrganizationID, role string) (int, error)
	// RenameRole moves every member of org holding role from to role to.
	RenameRole(ctx context.Context, org kernel.OrganizationID, from, to string) error
	// Touch records that user used org at t (it becomes their most recently
	// used organization). No error when there is no such membership.
	Touch(ctx context.Context, org kernel.OrganizationID, user kernel.UserID, t time.Time) error
	// MostRecent returns the organization user used last among those
	// whose membership is active, or ErrMemberNotFound when there is none.
	MostRecent(ctx context.Context, user kernel.UserID) (kernel.OrganizationID, error)
	// Access returns user's role in org, the custom role's permissions
	// when it is one, and org's members version — on every
	// organization-scoped request, so at most one round trip, and none
	// when the answer is cached and nothing changed since. Inside a
	// transaction it reads the database. ErrMemberNotFound when user is
	// not a member.
	Access(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (Access, error)
	// ProfileChanged moves on the members version of every organization
	// user belongs to (their profile in member lists changed).
	ProfileChanged(ctx context.Context, user kernel.UserID) error
}

// Access is a membership as the per-request check reads it.
type Access struct {
	Role string
	// Permissions are the custom role's; nil for a built-in.
	Permissions []string
	// Custom is true when Role is a custom role of the organization.
	Custom bool
	// Suspended is true when the organization suspended the membership:
	// it grants nothing.
	Suspended bool
	// MembersVersion is the organization's members version: every change
	// to its member list (joins, leaves, roles, members' profiles) moves it
	// on in the change's transaction, which the Memberships methods that
	// write do themselves.
	MembersVersion int64
}

// MemberQuery pages Memberships.List.
type MemberQuery struct {
	// After is the last membership ID of the previous page.
	After domain.MembershipID
	Limit int
}

// Roles stores custom roles.
type Roles interface {
	// Create stores a custom role; ErrRoleExists when org has a role of
	// that name.
	Create(ctx context.Context, r *domain.Role) error
	// ByID returns the custom role with that ID in org, or ErrRoleNotFound
	// (also for another organization's role).
	ByID(ctx context.Context, org kernel.OrganizationID, id domain.RoleID) (*domain.Role, error)
	// ByName returns org's custom role of that name, or ErrRoleNotFound.
	ByName(ctx context.Context, org kernel.OrganizationID, name string) (*domain.Role, error)
	// List returns org's custom roles ordered by name.
	List(ctx context.Context, org kernel.OrganizationID) ([]*domain.Role, error)
	// Save stores the role's name, permissions and update time;
	// ErrRoleExists when the new name is taken.
	Save(ctx context.Context, r *domain.Role) error
	// Delete removes the custom role with that ID in org.
	Delete(ctx context.Context, org kernel.OrganizationID, id domain.RoleID) error
}

// Invitations stores invitations. Tokens are stored as SHA-256 hashes.
type Invitations interface {
	Create(ctx context.Context, i *domain.Invitation) error
	// ByID returns the invitation with that ID in org, or
	// ErrInvitationNotFound (also for another organization's).
	ByID(ctx context.Context, org kernel.OrganizationID, id domain.InvitationID) (*domain.Invitation, error)
	// ByIDAnyOrganization returns the invitation with that ID whatever its
	// organization, or ErrInvitationNotFound; for the invitee, whose email
	// the caller then checks.
	ByIDAnyOrganization(ctx context.Context, id domain.InvitationID) (*domain.Invitation, error)
	// ByTokenHash returns the invitation whose current token hashes to
	// hash, or ErrInvitationNotFound.
	ByTokenHash(ctx context.Context, hash [32]byte) (*domain.Invitation, error)
	// List returns org's invitations, newest first; pendingOnly keeps those
	// still pending (status, not expiry: the caller compares with now).
	List(ctx context.Context, org kernel.OrganizationID, pendingOnly bool) ([]*domain.Invitation, error)
	// ListPendingForEmail returns the pending invitations sent to email,
	// newest first, across organizations.
	ListPendingForEmail(ctx context.Context, email domain.Email) ([]*domain.Invitation, error)
	// PendingFor returns org's pending invitation for email, or
	// ErrInvitationNotFound.
	PendingFor(ctx context.Context, org kernel.OrganizationID, email domain.Email) (*domain.Invitation, error)
	// Save stores the invitation's status, token hash, expiry and update
	// time.
	Save(ctx context.Context, i *domain.Invitation) error
	// LockSenders holds, until the transaction ends, the send counts of
	// inviter and of network, so that two transactions (of different
	// organizations) cannot both pass a cap. Take it after the
	// organization's lock.
	LockSenders(ctx context.Context, inviter kernel.UserID, network string) error
	// CountSends counts the invitation emails sent at or after q.Since by
	// q's organization, by q's inviter (in any organization) and from q's
	// network (any inviter), in one query.
	CountSends(ctx context.Context, q SendQuery) (SendCounts, error)
	// RecordSend records one invitation email sent.
	RecordSend(ctx context.Context, q SendQuery, at time.Time) error
	// DeleteSendsBefore forgets the sends before t; it returns how many.
	DeleteSendsBefore(ctx context.Context, t time.Time) (int, error)
	// RenameRole moves org's pending invitations offering role from to
	// role to (a custom role was renamed).
	RenameRole(ctx context.Context, org kernel.OrganizationID, from, to string) error
	// CountPending returns how many of org's invitations offering role are
	// pending and unexpired at now.
	CountPending(ctx context.Context, org kernel.OrganizationID, role string, now time.Time) (int, error)
	// DeleteClosedBefore removes invitations that are no longer pending, or
	// expired, before t; it returns how many.
	DeleteClosedBefore(ctx context.Context, t time.Time) (int, error)
}

// SendQuery names who sends an invitation email: the organization, the
// inviting user and their client network (kernel.NetworkOf; empty when
// unknown, which no cap counts).
type SendQuery struct {
	Organization kernel.OrganizationID
	Inviter      kernel.UserID
	Network      string
	Since        time.Time
}

// SendCounts are CountSends' answer.
type SendCounts struct {
	Organization, Inviter, Network int
}

// UserInfo is what tenancy needs to know of a user (from iam).
type UserInfo struct {
	ID            kernel.UserID
	Email         string
	EmailVerified bool
	Name          string
	Image         string
	Locale        string
}

// Users looks users up in iam.
type Users interface {
	// User returns the user, or ErrUserNotFound.
	User(ctx context.Context, id kernel.UserID) (UserInfo, error)
	// ByEmail returns the user with that email (any case), or
	// ErrUserNotFound.
	ByEmail(ctx context.Context, email string) (UserInfo, error)
	// Profiles returns the public profiles (ID, email, name, image; the
	// other fields zero) of the users among ids that exist (at most 1000
	// IDs): a lean read for member lists.
	Profiles(ctx context.Context, ids []kernel.UserID) (map[kernel.UserID]UserInfo, error)
}

// InvitationEmail is the email an invitee gets.
type InvitationEmail struct {
	To               string
	Locale           string
	InviterName      string
	OrganizationName string
	Role             string
	URL              string
	ExpiresIn        time.Duration
}

// Emails sends the invitation email. It enqueues in the transaction ctx
// carries, so the email goes out only if the invitation commits.
type Emails interface {
	Invitation(ctx context.Context, e InvitationEmail) error
}

// The errors repositories return.
var (
	ErrOrganizationNotFound = kernel.NotFound("tenancy.organization_not_found", "Organization not found.")
	ErrMemberNotFound       = kernel.NotFound("tenancy.member_not_found", "Member not found.")
	ErrRoleNotFound         = kernel.NotFound("tenancy.role_not_found", "Role not found.")
	ErrInvitationNotFound   = kernel.NotFound("tenancy.invitation_not_found", "Invitation not found.")
	ErrUserNotFound         = kernel.NotFound("tenancy.user_not_found", "User not found.")
	ErrSlugTaken            = kernel.Conflict("tenancy.slug_taken", "That slug is taken; choose another.")
	ErrAlreadyMember        = kernel.Conflict("tenancy.already_member", "That person is already a member of this organization.")
	ErrRoleExists           = kernel.Conflict("tenancy.role_exists", "This organization already has a role of that name.")
)
