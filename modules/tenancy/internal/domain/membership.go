package domain

import (
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// MembershipKind is the ID kind of memberships ("mem_…").
type MembershipKind struct{}

// Prefix implements kernel.Kind.
func (MembershipKind) Prefix() string { return "mem" }

// MembershipID identifies a membership.
type MembershipID = kernel.ID[MembershipKind]

// Membership says that a user belongs to an organization with a role,
// referred to by name (a built-in's or a custom role's of the same
// organization).
type Membership struct {
	id       MembershipID
	orgID    kernel.OrganizationID
	userID   kernel.UserID
	role     string
	joinedAt time.Time
	// suspendedAt is when the organization suspended the membership; nil
	// while it is active. A suspended membership grants nothing.
	suspendedAt *time.Time
}

// checkRoleRef returns an Invalid error with code "tenancy.invalid_role"
// and a field error on "role" unless role is a syntactically valid role
// name. Whether a custom role of that name exists is the application's to
// check.
func checkRoleRef(role string) error {
	if !validRoleNameSyntax(role) {
		return invalidField("role", "must be 2 to 32 characters of a-z, 0-9, _ and -")
	}
	return nil
}

// NewMembership returns a membership of userID in orgID with role, joined
// at now. It returns an error for a zero ID and an Invalid error with code
// "tenancy.invalid_role" for a malformed role name.
func NewMembership(orgID kernel.OrganizationID, userID kernel.UserID, role string, now time.Time) (*Membership, error) {
	if orgID.IsZero() || userID.IsZero() {
		return nil, fmt.Errorf("new membership: zero organization or user ID")
	}
	if err := checkRoleRef(role); err != nil {
		return nil, err
	}
	return &Membership{id: kernel.NewID[MembershipKind](), orgID: orgID, userID: userID, role: role, joinedAt: now}, nil
}

// MembershipSnapshot is a membership's state, for repositories.
type MembershipSnapshot struct {
	ID             MembershipID
	OrganizationID kernel.OrganizationID
	UserID         kernel.UserID
	Role           string
	JoinedAt       time.Time
	SuspendedAt    *time.Time
}

// RehydrateMembership rebuilds a membership from stored state without
// validating it; for repositories only.
func RehydrateMembership(s MembershipSnapshot) *Membership {
	return &Membership{id: s.ID, orgID: s.OrganizationID, userID: s.UserID, role: s.Role, joinedAt: s.JoinedAt, suspendedAt: s.SuspendedAt}
}

// Snapshot returns m's state for a repository to store.
func (m *Membership) Snapshot() MembershipSnapshot {
	return MembershipSnapshot{ID: m.id, OrganizationID: m.orgID, UserID: m.userID, Role: m.role, JoinedAt: m.joinedAt, SuspendedAt: m.suspendedAt}
}

// ID returns the membership's ID.
func (m *Membership) ID() MembershipID { return m.id }

// OrganizationID returns the organization.
func (m *Membership) OrganizationID() kernel.OrganizationID { return m.orgID }

// UserID returns the member.
func (m *Membership) UserID() kernel.UserID { return m.userID }

// Role returns the name of the member's role.
func (m *Membership) Role() string { return m.role }

// IsOwner reports whether the member holds the owner role.
func (m *Membership) IsOwner() bool { return m.role == RoleOwner }

// JoinedAt returns when the user joined.
func (m *Membership) JoinedAt() time.Time { return m.joinedAt }

// Suspended reports whether the organization suspended the membership.
func (m *Membership) Suspended() bool { return m.suspendedAt != nil }

// SuspendedAt returns when the membership was suspended; nil while active.
func (m *Membership) SuspendedAt() *time.Time { return m.suspendedAt }

// Suspend suspends the membership at now: it keeps its role and grants
// nothing until Reinstate. Suspending a suspended membership changes
// nothing. Whether the change leaves the organization an active owner is
// EnsureOwnerRemains's to check.
func (m *Membership) Suspend(now time.Time) (changed bool) {
	if m.suspendedAt != nil {
		return false
	}
	m.suspendedAt = &now
	return true
}

// Reinstate makes a suspended membership active again, with its role.
func (m *Membership) Reinstate() (changed bool) {
	if m.suspendedAt == nil {
		return false
	}
	m.suspendedAt = nil
	return true
}

// OwnerChangeTo returns the OwnerChange of moving m to role to — "" when
// m is removed, leaves or is suspended. Only an active owner counts: a
// suspended one holds no grants, so losing them takes no owner away.
func (m *Membership) OwnerChangeTo(to string) OwnerChange {
	return OwnerChange{removesOwner: m.suspendedAt == nil && m.role == RoleOwner && to != RoleOwner}
}

// ChangeRole sets the member's role. It returns an Invalid error with code
// "tenancy.invalid_role" for a malformed name. Whether the change leaves the
// organization an owner is EnsureOwnerRemains's to check, with the owner
// count read under the same lock.
func (m *Membership) ChangeRole(role string) (changed bool, err error) {
	if err := checkRoleRef(role); err != nil {
		return false, err
	}
	if role == m.role {
		return false, nil
	}
	m.role = role
	return true, nil
}

// ErrLastOwner is returned when a change would leave an organization
// without an owner.
var ErrLastOwner = kernel.Conflict("tenancy.last_owner", "An organization must keep at least one owner.")

// OwnerChange says whether a change to memberships takes an owner away.
type OwnerChange struct {
	removesOwner bool
}

// The owner changes.
var (
	// OwnerKept leaves the number of owners as it is (or raises it).
	OwnerKept = OwnerChange{}
	// OwnerRemoved removes, demotes or lets leave one owner.
	OwnerRemoved = OwnerChange{removesOwner: true}
)

// RoleChange returns the OwnerChange of moving a member from role from to
// role to; to is "" when the member is removed or leaves.
func RoleChange(from, to string) OwnerChange {
	return OwnerChange{removesOwner: from == RoleOwner && to != RoleOwner}
}

// EnsureOwnerRemains is the owners guard: given the organization's current
// number of active (not suspended) owners, read in the transaction that makes the change with the
// owner rows locked so two racing demotions serialize, it returns
// ErrLastOwner (Conflict "tenancy.last_owner") when change would leave zero
// owners. It fails closed: a count below one with an owner removed is
// refused too.
func EnsureOwnerRemains(owners int, change OwnerChange) error {
	if change.removesOwner && owners-1 < 1 {
		return ErrLastOwner
	}
	return nil
}
