package domain

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/groundworkhq/groundwork/kernel"
)

// Wildcard is the grant that allows every permission.
const Wildcard = "*"

// PermissionInfo describes a declared permission, as GET /api/permissions
// lists it.
type PermissionInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Catalog is the set of permissions the installed modules declare at boot.
// Roles may only name what it holds (Validate), so a typo fails loudly
// instead of granting nothing. It is safe for concurrent use; declare
// everything before building roles from it (BuiltinRoles).
type Catalog struct {
	mu    sync.RWMutex
	perms map[string]string
}

// NewCatalog returns an empty Catalog.
func NewCatalog() *Catalog { return &Catalog{perms: map[string]string{}} }

// validPermissionName reports whether p is "resource:action" with both
// parts in [a-z_]+.
func validPermissionName(p string) bool {
	resource, action, ok := strings.Cut(p, ":")
	return ok && lowerUnderscore(resource) && lowerUnderscore(action)
}

func lowerUnderscore(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}

// Declare adds a permission with a human description. It returns an
// Invalid error with code "tenancy.invalid_permission" when perm is not
// "resource:action" in [a-z_]+ or the description is empty, and a Conflict
// with code "tenancy.duplicate_permission" when perm is already declared:
// two modules claiming one name is a wiring bug.
func (c *Catalog) Declare(perm, description string) error {
	if !validPermissionName(perm) {
		return kernel.Invalid("tenancy.invalid_permission", fmt.Sprintf("Permission %q must look like resource:action in lower case.", perm))
	}
	if strings.TrimSpace(description) == "" {
		return kernel.Invalid("tenancy.invalid_permission", fmt.Sprintf("Permission %q needs a description.", perm))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.perms == nil {
		c.perms = map[string]string{}
	}
	if _, dup := c.perms[perm]; dup {
		return kernel.Conflict("tenancy.duplicate_permission", fmt.Sprintf("Permission %q is already declared.", perm))
	}
	c.perms[perm] = strings.TrimSpace(description)
	return nil
}

// Has reports whether perm is declared. Wildcards are never declared.
func (c *Catalog) Has(perm string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.perms[perm]
	return ok
}

// hasResource reports whether some declared permission belongs to resource.
func (c *Catalog) hasResource(resource string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for p := range c.perms {
		if r, _, _ := strings.Cut(p, ":"); r == resource {
			return true
		}
	}
	return false
}

// List returns the declared permissions sorted by name.
func (c *Catalog) List() []PermissionInfo {
	c.mu.RLock()
	out := make([]PermissionInfo, 0, len(c.perms))
	for p, d := range c.perms {
		out = append(out, PermissionInfo{Name: p, Description: d})
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(a, b PermissionInfo) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// names returns the declared permission names, sorted.
func (c *Catalog) names() []string {
	infos := c.List()
	out := make([]string, len(infos))
	for i, p := range infos {
		out[i] = p.Name
	}
	return out
}

// Validate checks that every entry of perms is a declared permission, a
// wildcard "resource:*" whose resource has declared permissions, or "*".
// It fails closed: anything else, the empty string included, makes it
// return an Invalid error with code "tenancy.unknown_permission" and one
// field error on "permissions" per unknown entry.
func (c *Catalog) Validate(perms []string) error {
	var fields []kernel.FieldError
	var unknown []string
	for _, p := range perms {
		if c.known(p) {
			continue
		}
		unknown = append(unknown, p)
		fields = append(fields, kernel.FieldError{Field: "permissions", Code: "unknown_permission",
			Message: fmt.Sprintf("%q is not a known permission", p), Value: p})
	}
	if len(unknown) > 0 {
		return kernel.Invalid("tenancy.unknown_permission",
			fmt.Sprintf("Unknown permissions: %s.", strings.Join(quoteAll(unknown), ", ")), fields...)
	}
	return nil
}

func (c *Catalog) known(p string) bool {
	if p == Wildcard {
		return true
	}
	if resource, ok := strings.CutSuffix(p, ":*"); ok {
		return lowerUnderscore(resource) && c.hasResource(resource)
	}
	return c.Has(p)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// normalizePermissions returns perms sorted with duplicates removed.
func normalizePermissions(perms []string) []string {
	out := slices.Clone(perms)
	slices.Sort(out)
	return slices.Compact(out)
}

// The tenancy module's own permissions.
const (
	PermOrganizationUpdate   = "organization:update"
	PermOrganizationDelete   = "organization:delete"
	PermOrganizationTransfer = "organization:transfer"
	PermMembersRead          = "members:read"
	PermMembersInvite        = "members:invite"
	PermMembersUpdate        = "members:update"
	PermMembersRemove        = "members:remove"
	PermRolesRead            = "roles:read"
	PermRolesCreate          = "roles:create"
	PermRolesUpdate          = "roles:update"
	PermRolesDelete          = "roles:delete"
)

// Permissions lists the tenancy module's permissions with their
// descriptions, in the order DeclarePermissions declares them.
var Permissions = []PermissionInfo{
	{PermOrganizationUpdate, "Change the organization's name and slug."},
	{PermOrganizationDelete, "Delete the organization and everything in it."},
	{PermOrganizationTransfer, "Transfer ownership of the organization."},
	{PermMembersRead, "List the organization's members."},
	{PermMembersInvite, "Invite people to the organization."},
	{PermMembersUpdate, "Change members' roles."},
	{PermMembersRemove, "Remove members from the organization."},
	{PermRolesRead, "List the organization's roles."},
	{PermRolesCreate, "Create custom roles."},
	{PermRolesUpdate, "Change custom roles."},
	{PermRolesDelete, "Delete custom roles."},
}

// DeclarePermissions declares the tenancy module's Permissions in c. It
// returns Declare's first error.
func DeclarePermissions(c *Catalog) error {
	for _, p := range Permissions {
		if err := c.Declare(p.Name, p.Description); err != nil {
			return fmt.Errorf("declare tenancy permissions: %w", err)
		}
	}
	return nil
}
