package sqlstore

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// Roles stores custom roles in the roles table; the built-in roles are
// computed from the permission catalog and never stored.
type Roles struct {
	db *db.DB
}

var _ application.Roles = (*Roles)(nil)

const roleColumns = `id, organization_id, name, permissions, created_at, updated_at`

var selectRole = `SELECT ` + roleColumns + ` FROM roles`

// Create stores a custom role, in the transaction ctx carries or on the
// writer. It returns application.ErrRoleExists when the organization has a
// role of that name and application.ErrOrganizationNotFound when the
// organization does not exist; on PostgreSQL either also aborts the
// caller's transaction.
func (r *Roles) Create(ctx context.Context, role *domain.Role) error {
	s := role.Snapshot()
	perms, err := encodePermissions(s.Permissions)
	if err != nil {
		return fmt.Errorf("create role: %w", err)
	}
	_, err = r.db.QW(ctx).Exec(ctx, `INSERT INTO roles (`+roleColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		s.ID, s.OrganizationID, s.Name, perms, s.CreatedAt, s.UpdatedAt)
	if _, ok := db.IsConstraint(err, db.ForeignKey); ok {
		return application.ErrOrganizationNotFound
	}
	if err != nil {
		return fmt.Errorf("create role: %w", uniqueRoleNameError(err))
	}
	// A membership may name a role that did not exist (see Access).
	return accessChanged(ctx, r.db, s.OrganizationID)
}

// ByID returns the custom role with that ID in org, or
// application.ErrRoleNotFound (also for another organization's).
func (r *Roles) ByID(ctx context.Context, org kernel.OrganizationID, id domain.RoleID) (*domain.Role, error) {
	return r.one(ctx, selectRole+` WHERE organization_id = $1 AND id = $2`, org, id)
}

// ByName returns org's custom role of that name, or
// application.ErrRoleNotFound (always for a built-in's name).
func (r *Roles) ByName(ctx context.Context, org kernel.OrganizationID, name string) (*domain.Role, error) {
	return r.one(ctx, selectRole+` WHERE organization_id = $1 AND name = $2`, org, name)
}

func (r *Roles) one(ctx context.Context, query string, args ...any) (*domain.Role, error) {
	return db.QueryOne(ctx, r.db.Q(ctx), scanRole, application.ErrRoleNotFound, "get role", query, args...)
}

// List returns org's custom roles ordered by name.
func (r *Roles) List(ctx context.Context, org kernel.OrganizationID) ([]*domain.Role, error) {
	return db.QueryAll(ctx, r.db.Q(ctx), scanRole, "list roles", selectRole+` WHERE organization_id = $1 ORDER BY name`, org)
}

// Save stores the role's name, permissions and update time. It returns
// application.ErrRoleExists when the new name is another role's of the
// organization and application.ErrRoleNotFound when the row is gone.
// Renaming the role's holders is Memberships.RenameRole's, in the same
// transaction.
func (r *Roles) Save(ctx context.Context, role *domain.Role) error {
	s := role.Snapshot()
	perms, err := encodePermissions(s.Permissions)
	if err != nil {
		return fmt.Errorf("save role: %w", err)
	}
	if err := db.ExecOne(ctx, r.db.QW(ctx), application.ErrRoleNotFound, "save role", `UPDATE roles SET name = $3, permissions = $4, updated_at = $5
		WHERE organization_id = $1 AND id = $2`,
		s.OrganizationID, s.ID, s.Name, perms, s.UpdatedAt); err != nil {
		return uniqueRoleNameError(err)
	}
	return accessChanged(ctx, r.db, s.OrganizationID)
}

// Delete removes the custom role with that ID in org. It returns
// application.ErrRoleNotFound when org has no such role. Whether members
// still hold it is the caller's to check (Role.CanDelete).
func (r *Roles) Delete(ctx context.Context, org kernel.OrganizationID, id domain.RoleID) error {
	if err := db.ExecOne(ctx, r.db.QW(ctx), application.ErrRoleNotFound, "delete role", `DELETE FROM roles WHERE organization_id = $1 AND id = $2`, org, id); err != nil {
		return err
	}
	return accessChanged(ctx, r.db, org)
}

func scanRole(row db.Row) (*domain.Role, error) {
	var (
		s     domain.RoleSnapshot
		perms string
	)
	if err := row.Scan(&s.ID, &s.OrganizationID, &s.Name, &perms, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	var err error
	if s.Permissions, err = decodePermissions(perms); err != nil {
		return nil, kernel.Internal(fmt.Errorf("role %s: %w", s.ID, err))
	}
	return domain.RehydrateRole(s), nil
}

// uniqueRoleNameError maps a unique violation on the role name to
// application.ErrRoleExists; other errors pass through. PostgreSQL's
// roles_organization_id_name_key and SQLite's "roles.organization_id,
// roles.name" both mention it.
func uniqueRoleNameError(err error) error {
	if ce, ok := db.IsConstraint(err, db.Unique); ok && ce.Mentions("name") {
		return application.ErrRoleExists.WithCause(err)
	}
	return err
}
