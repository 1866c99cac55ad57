package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// Organizations stores the Organization aggregate in the organizations
// table.
type Organizations struct {
	db *db.DB
}

var _ application.Organizations = (*Organizations)(nil)

const organizationColumns = `id, name, slug, logo, created_at, updated_at`

var selectOrganization = `SELECT ` + organizationColumns + ` FROM organizations`

// Create stores a new organization, in the transaction ctx carries or on the
// writer. A taken slug gives application.ErrSlugTaken; on PostgreSQL it also
// aborts the caller's transaction, which the caller then rolls back.
func (r *Organizations) Create(ctx context.Context, o *domain.Organization) error {
	s := o.Snapshot()
	_, err := db.Exec(ctx, r.db.QW(ctx), "create organization", `INSERT INTO organizations (`+organizationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		s.ID, s.Name, s.Slug, nullIfEmpty(s.Logo), s.CreatedAt, s.UpdatedAt)
	return uniqueSlugError(err)
}

// ByID returns the organization, or application.ErrOrganizationNotFound.
func (r *Organizations) ByID(ctx context.Context, id kernel.OrganizationID) (*domain.Organization, error) {
	return r.one(ctx, selectOrganization+` WHERE id = $1`, id)
}

// BySlug returns the organization with that slug, or
// application.ErrOrganizationNotFound. The domain lower-cases slugs, so an
// exact match is a case-insensitive one.
func (r *Organizations) BySlug(ctx context.Context, slug domain.Slug) (*domain.Organization, error) {
	return r.one(ctx, selectOrganization+` WHERE slug = $1`, slug.String())
}

func (r *Organizations) one(ctx context.Context, query string, arg any) (*domain.Organization, error) {
	return db.QueryOne(ctx, r.db.Q(ctx), func(row db.Row) (*domain.Organization, error) { return scanOrganization(row) },
		application.ErrOrganizationNotFound, "get organization", query, arg)
}

// Lock locks the organization's row until the transaction in ctx ends, so
// that changes to one organization's memberships (an owner demoted, removed
// or leaving) serialize: on PostgreSQL with SELECT … FOR UPDATE, on SQLite
// by the single writer the transaction already holds. It returns
// application.ErrOrganizationNotFound for an unknown ID. Outside a
// transaction it only checks that the organization exists.
func (r *Organizations) Lock(ctx context.Context, id kernel.OrganizationID) error {
	var got kernel.OrganizationID
	err := r.db.Q(ctx).QueryRow(ctx, `SELECT id FROM organizations WHERE id = $1`+r.db.ForUpdate(), id).Scan(&got)
	if errors.Is(err, db.ErrNoRows) {
		return application.ErrOrganizationNotFound
	}
	if err != nil {
		return fmt.Errorf("lock organization: %w", err)
	}
	return nil
}

// Save stores the organization's name, slug, logo and update time. It returns
// application.ErrSlugTaken when the new slug is another organization's and
// application.ErrOrganizationNotFound when the row is gone.
func (r *Organizations) Save(ctx context.Context, o *domain.Organization) error {
	s := o.Snapshot()
	if err := db.ExecOne(ctx, r.db.QW(ctx), application.ErrOrganizationNotFound, "save organization", `UPDATE organizations SET name = $2, slug = $3, logo = $4, updated_at = $5 WHERE id = $1`,
		s.ID, s.Name, s.Slug, nullIfEmpty(s.Logo), s.UpdatedAt); err != nil {
		return uniqueSlugError(err)
	}
	return nil
}

// Delete removes the organization; its memberships, custom roles and
// invitations go with it (ON DELETE CASCADE). It returns
// application.ErrOrganizationNotFound for an unknown ID.
func (r *Organizations) Delete(ctx context.Context, id kernel.OrganizationID) error {
	n, err := r.db.QW(ctx).Exec(ctx, `DELETE FROM organizations WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete organization: %w", err)
	}
	if n == 0 {
		return application.ErrOrganizationNotFound
	}
	return accessChanged(ctx, r.db, id)
}

// ListForUser returns the organizations user belongs to, each with the
// user's membership, in one query: the most recently used first (see
// Memberships.Touch), then those never used, each group by name (in the
// database's collation) and then by ID.
func (r *Organizations) ListForUser(ctx context.Context, user kernel.UserID) ([]application.OrganizationMembership, error) {
	return db.QueryAll(ctx, r.db.Q(ctx), func(row db.Row) (application.OrganizationMembership, error) {
		var m domain.MembershipSnapshot
		o, err := scanOrganization(row, &m.ID, &m.Role, &m.JoinedAt, &m.SuspendedAt)
		if err != nil {
			return application.OrganizationMembership{}, err
		}
		m.OrganizationID, m.UserID = o.ID(), user
		return application.OrganizationMembership{Organization: o, Membership: domain.RehydrateMembership(m)}, nil
	}, "list organizations of user", `SELECT o.id, o.name, o.slug, o.logo, o.created_at, o.updated_at, m.id, m.role, m.joined_at, m.suspended_at
		FROM memberships m JOIN organizations o ON o.id = m.organization_id
		WHERE m.user_id = $1
		ORDER BY m.last_used_at DESC NULLS LAST, o.name, o.id`, user)
}

// scanOrganization reads organizationColumns, with the extra destinations
// after them. A NULL logo is no logo.
func scanOrganization(row db.Row, extra ...any) (*domain.Organization, error) {
	var s domain.OrganizationSnapshot
	var logo *string
	if err := row.Scan(append([]any{&s.ID, &s.Name, &s.Slug, &logo, &s.CreatedAt, &s.UpdatedAt}, extra...)...); err != nil {
		return nil, err
	}
	if logo != nil {
		s.Logo = *logo
	}
	return domain.RehydrateOrganization(s), nil
}

// nullIfEmpty is s, or NULL for "": how the organizations table stores no
// logo.
func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// uniqueSlugError maps a unique violation on the slug to
// application.ErrSlugTaken; other errors pass through. PostgreSQL's
// organizations_slug_key and SQLite's "organizations.slug" both mention it.
func uniqueSlugError(err error) error {
	if ce, ok := db.IsConstraint(err, db.Unique); ok && ce.Mentions("slug") {
		return application.ErrSlugTaken.WithCause(err)
	}
	return err
}
