package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// RoleKind is the ID kind of custom roles ("rol_…").
type RoleKind struct{}

// Prefix implements kernel.Kind.
func (RoleKind) Prefix() string { return "rol" }

// RoleID identifies a custom role. Built-in roles have none.
type RoleID = kernel.ID[RoleKind]

// The built-in role names. Memberships refer to roles by name.
const (
	RoleOwner  = "owner"
	RoleAdmin  = "admin"
	RoleMember = "member"
)

// Role name limits.
const (
	MinRoleNameLength = 2
	MaxRoleNameLength = 32
)

// adminExcluded are the catalog permissions admin does not get: only an
// owner deletes the organization or hands it over.
var adminExcluded = []string{PermOrganizationDelete, PermOrganizationTransfer}

// memberPermissions are what member gets, each only if declared.
var memberPermissions = []string{PermMembersRead, PermRolesRead, "users:read"}

// ErrBuiltinRole is returned when something tries to change or delete a
// built-in role.
var ErrBuiltinRole = kernel.Forbidden("tenancy.builtin_role", "Built-in roles cannot be changed or deleted.")

// Role is a named set of permissions a membership refers to. The built-in
// roles (owner, admin, member) exist in every organization and are
// immutable; custom roles belong to one organization.
type Role struct {
	id          RoleID
	orgID       kernel.OrganizationID
	name        string
	permissions []string
	builtin     bool
	createdAt   time.Time
	updatedAt   time.Time
}

// BuiltinRoles returns owner (grants "*"), admin (every permission in c
// except organization:delete and organization:transfer) and member
// (members:read, roles:read and users:read, each if declared), in that
// order. Admin and member are computed from c at the call, so call it after
// every module has declared its permissions.
func BuiltinRoles(c *Catalog) []*Role {
	var admin, member []string
	for _, p := range c.names() {
		if !slices.Contains(adminExcluded, p) {
			admin = append(admin, p)
		}
		if slices.Contains(memberPermissions, p) {
			member = append(member, p)
		}
	}
	return []*Role{
		{name: RoleOwner, permissions: []string{Wildcard}, builtin: true},
		{name: RoleAdmin, permissions: admin, builtin: true},
		{name: RoleMember, permissions: member, builtin: true},
	}
}

// IsBuiltinRoleName reports whether name is owner, admin or member.
func IsBuiltinRoleName(name string) bool {
	return name == RoleOwner || name == RoleAdmin || name == RoleMember
}

// validRoleNameSyntax reports whether name is 2–32 characters of
// a-z, 0-9, "_" and "-".
func validRoleNameSyntax(name string) bool {
	if len(name) < MinRoleNameLength || len(name) > MaxRoleNameLength {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// checkCustomRoleName returns an Invalid error with code
// "tenancy.invalid_role" and a field error on "name" unless name is a valid
// custom role name.
func checkCustomRoleName(name string) error {
	switch {
	case !validRoleNameSyntax(name):
		return invalidField("role", "must be 2 to 32 characters of a-z, 0-9, _ and -")
	case IsBuiltinRoleName(name):
		return invalidField("role", fmt.Sprintf("%q is a built-in role", name))
	case strings.HasPrefix(name, RoleKind{}.Prefix()+"_"):
		// Routes take a role by name or ID; a name shaped like an ID would
		// make one of them unreachable.
		return invalidField("role", "must not start with \"rol_\", which role IDs use")
	}
	return nil
}

// NewCustomRole returns a custom role of organization orgID. It returns an
// Invalid error with code "tenancy.invalid_role" (field "name") for a name
// that is not 2–32 characters of [a-z0-9_-] or is a built-in's, and the
// Catalog.Validate error ("tenancy.unknown_permission") for permissions c
// does not know. Whether the creator may grant those permissions is
// CanGrant's to decide.
func NewCustomRole(orgID kernel.OrganizationID, name string, permissions []string, c *Catalog, now time.Time) (*Role, error) {
	if orgID.IsZero() {
		return nil, fmt.Errorf("new custom role: zero organization ID")
	}
	if err := checkRoleNameField(name); err != nil {
		return nil, err
	}
	if err := c.Validate(permissions); err != nil {
		return nil, err
	}
	return &Role{
		id: kernel.NewID[RoleKind](), orgID: orgID, name: name,
		permissions: normalizePermissions(permissions), createdAt: now, updatedAt: now,
	}, nil
}

// checkRoleNameField is checkCustomRoleName with the field named "name".
func checkRoleNameField(name string) error {
	if err := checkCustomRoleName(name); err != nil {
		e := kernel.AsError(err)
		f := e.Fields[0]
		f.Field = "name"
		return kernel.Invalid(e.Code, e.Detail, f)
	}
	return nil
}

// RoleSnapshot is a custom role's state, for repositories.
type RoleSnapshot struct {
	ID             RoleID
	OrganizationID kernel.OrganizationID
	Name           string
	Permissions    []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// RehydrateRole rebuilds a custom role from stored state without
// validating it; for repositories only.
func RehydrateRole(s RoleSnapshot) *Role {
	return &Role{
		id: s.ID, orgID: s.OrganizationID, name: s.Name, permissions: slices.Clone(s.Permissions),
		createdAt: s.CreatedAt, updatedAt: s.UpdatedAt,
	}
}

// Snapshot returns r's state for a repository to store.
func (r *Role) Snapshot() RoleSnapshot {
	return RoleSnapshot{
		ID: r.id, OrganizationID: r.orgID, Name: r.name, Permissions: slices.Clone(r.permissions),
		CreatedAt: r.createdAt, UpdatedAt: r.updatedAt,
	}
}

// ID returns the custom role's ID; zero for a built-in.
func (r *Role) ID() RoleID { return r.id }

// OrganizationID returns the owning organization; zero for a built-in.
func (r *Role) OrganizationID() kernel.OrganizationID { return r.orgID }

// Name returns the role's name.
func (r *Role) Name() string { return r.name }

// Permissions returns a copy of the role's permissions, sorted.
func (r *Role) Permissions() []string { return slices.Clone(r.permissions) }

// Grants returns the role's permissions as kernel.Grants.
func (r *Role) Grants() kernel.Grants { return kernel.Grants(slices.Clone(r.permissions)) }

// IsBuiltin reports whether r is owner, admin or member.
func (r *Role) IsBuiltin() bool { return r.builtin }

// CreatedAt returns when the custom role was created; zero for a built-in.
func (r *Role) CreatedAt() time.Time { return r.createdAt }

// UpdatedAt returns when the custom role last changed; zero for a built-in.
func (r *Role) UpdatedAt() time.Time { return r.updatedAt }

// Rename changes a custom role's name. It returns ErrBuiltinRole for a
// built-in and the NewCustomRole name error for a bad name. Memberships
// refer to roles by name, so the application renames them in the same
// transaction.
func (r *Role) Rename(name string, now time.Time) (changed bool, err error) {
	if r.builtin {
		return false, ErrBuiltinRole
	}
	if err := checkRoleNameField(name); err != nil {
		return false, err
	}
	if name == r.name {
		return false, nil
	}
	r.name, r.updatedAt = name, now
	return true, nil
}

// SetPermissions replaces a custom role's permissions. It returns
// ErrBuiltinRole for a built-in and the Catalog.Validate error for unknown
// permissions.
func (r *Role) SetPermissions(permissions []string, c *Catalog, now time.Time) (changed bool, err error) {
	if r.builtin {
		return false, ErrBuiltinRole
	}
	if err := c.Validate(permissions); err != nil {
		return false, err
	}
	p := normalizePermissions(permissions)
	if slices.Equal(p, r.permissions) {
		return false, nil
	}
	r.permissions, r.updatedAt = p, now
	return true, nil
}

// CanDelete returns ErrBuiltinRole for a built-in and a Conflict with code
// "tenancy.role_in_use" when inUse members hold the role.
func (r *Role) CanDelete(inUse int) error {
	if r.builtin {
		return ErrBuiltinRole
	}
	if inUse > 0 {
		return kernel.Conflict("tenancy.role_in_use", fmt.Sprintf("The role %q is held by %d members; reassign them first.", r.name, inUse))
	}
	return nil
}
