package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// Memberships stores memberships in the memberships table.
type Memberships struct {
	db    *db.DB
	cache *accessCache
}

var _ application.Memberships = (*Memberships)(nil)

const membershipColumns = `id, organization_id, user_id, role, joined_at, suspended_at`

var selectMembership = `SELECT ` + membershipColumns + ` FROM memberships`

// access is the check behind every organization-scoped request: one probe
// of the unique (organization_id, user_id) index and, for a custom role,
// one of roles' unique (organization_id, name), and the organization's
// members version by primary key. It reads nothing else.
const access = `SELECT m.role, r.permissions, o.members_version, m.suspended_at IS NOT NULL
	FROM memberships m
	JOIN organizations o ON o.id = m.organization_id
	LEFT JOIN roles r ON r.organization_id = m.organization_id AND r.name = m.role
	WHERE m.organization_id = $1 AND m.user_id = $2`

// Create stores a membership, in the transaction ctx carries or on the
// writer. It returns application.ErrAlreadyMember when the user already
// belongs to the organization and application.ErrOrganizationNotFound when
// the organization does not exist; on PostgreSQL either also aborts the
// caller's transaction.
func (r *Memberships) Create(ctx context.Context, m *domain.Membership) error {
	s := m.Snapshot()
	_, err := r.db.QW(ctx).Exec(ctx, `INSERT INTO memberships (`+membershipColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		s.ID, s.OrganizationID, s.UserID, s.Role, s.JoinedAt, s.SuspendedAt)
	if ce, ok := db.IsConstraint(err, db.Unique); ok && ce.Mentions("user_id") {
		return application.ErrAlreadyMember.WithCause(err)
	}
	if _, ok := db.IsConstraint(err, db.ForeignKey); ok {
		return application.ErrOrganizationNotFound
	}
	if err != nil {
		return fmt.Errorf("create membership: %w", err)
	}
	return r.bumpMembers(ctx, s.OrganizationID)
}

// ByUser returns user's membership in org, or application.ErrMemberNotFound.
func (r *Memberships) ByUser(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (*domain.Membership, error) {
	return r.one(ctx, selectMembership+` WHERE organization_id = $1 AND user_id = $2`, org, user)
}

// ByID returns the membership with that ID in org, or
// application.ErrMemberNotFound (also for another organization's).
func (r *Memberships) ByID(ctx context.Context, org kernel.OrganizationID, id domain.MembershipID) (*domain.Membership, error) {
	return r.one(ctx, selectMembership+` WHERE organization_id = $1 AND id = $2`, org, id)
}

func (r *Memberships) one(ctx context.Context, query string, args ...any) (*domain.Membership, error) {
	return db.QueryOne(ctx, r.db.Q(ctx), scanMembership, application.ErrMemberNotFound, "get membership", query, args...)
}

// List returns org's memberships ordered by ID (the order members joined
// in), after q.After, at most q.Limit (capped at MaxListLimit; non-positive
// means MaxListLimit).
func (r *Memberships) List(ctx context.Context, org kernel.OrganizationID, q application.MemberQuery) ([]*domain.Membership, error) {
	// The organization is the argument: not read back, one ID less to
	// decode per row of a list every page shows.
	query, args := `SELECT id, user_id, role, joined_at, suspended_at FROM memberships WHERE organization_id = $1`, []any{org}
	if !q.After.IsZero() {
		query, args = query+` AND id > $2`, append(args, q.After)
	}
	limit := q.Limit
	if limit <= 0 || limit > MaxListLimit {
		limit = MaxListLimit
	}
	query += fmt.Sprintf(` ORDER BY id LIMIT $%d`, len(args)+1)
	scan := func(row db.Row) (*domain.Membership, error) {
		s := domain.MembershipSnapshot{OrganizationID: org}
		if err := row.Scan(&s.ID, &s.UserID, &s.Role, &s.JoinedAt, &s.SuspendedAt); err != nil {
			return nil, err
		}
		return domain.RehydrateMembership(s), nil
	}
	return db.QueryAll(ctx, r.db.Q(ctx), scan, "list memberships", query, append(args, limit)...)
}

// ListUserIDs returns the user IDs of every member of org, ordered by user
// ID: the order of the unique (organization_id, user_id) index, which alone
// answers the query.
func (r *Memberships) ListUserIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return db.QueryAll(ctx, r.db.Q(ctx), db.ScanValue[kernel.UserID], "list member user IDs", `SELECT user_id FROM memberships WHERE organization_id = $1 ORDER BY user_id`, org)
}

// ListSuspendedUserIDs returns the user IDs of org's suspended members,
// ordered by user ID.
func (r *Memberships) ListSuspendedUserIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return db.QueryAll(ctx, r.db.Q(ctx), db.ScanValue[kernel.UserID], "list suspended members", `SELECT user_id FROM memberships WHERE organization_id = $1 AND suspended_at IS NOT NULL ORDER BY user_id`, org)
}

// ListByUser returns every membership of user, in the order they were made.
func (r *Memberships) ListByUser(ctx context.Context, user kernel.UserID) ([]*domain.Membership, error) {
	return db.QueryAll(ctx, r.db.Q(ctx), scanMembership, "list memberships of user", selectMembership+` WHERE user_id = $1 ORDER BY id`, user)
}

// Save stores m's role and suspension (NULL: active). It returns
// application.ErrMemberNotFound when the row is gone.
func (r *Memberships) Save(ctx context.Context, m *domain.Membership) error {
	if err := db.ExecOne(ctx, r.db.QW(ctx), application.ErrMemberNotFound, "save membership",
		`UPDATE memberships SET role = $3, suspended_at = $4 WHERE organization_id = $1 AND id = $2`,
		m.OrganizationID(), m.ID(), m.Role(), m.SuspendedAt()); err != nil {
		return err
	}
	return r.bumpMembers(ctx, m.OrganizationID())
}

// Delete removes the membership with that ID in org. It returns
// application.ErrMemberNotFound when org has no such membership.
func (r *Memberships) Delete(ctx context.Context, org kernel.OrganizationID, id domain.MembershipID) error {
	if err := db.ExecOne(ctx, r.db.QW(ctx), application.ErrMemberNotFound, "delete membership", `DELETE FROM memberships WHERE organization_id = $1 AND id = $2`, org, id); err != nil {
		return err
	}
	return r.bumpMembers(ctx, org)
}

// CountRole returns how many active (not suspended) members of org hold
// role. For the owners guard
// call it after Organizations.Lock in the same transaction: on PostgreSQL
// each statement then sees what the previous lock holder committed.
func (r *Memberships) CountRole(ctx context.Context, org kernel.OrganizationID, role string) (int, error) {
	var n int
	err := r.db.Q(ctx).QueryRow(ctx, `SELECT count(*) FROM memberships WHERE organization_id = $1 AND role = $2 AND suspended_at IS NULL`,
		org, role).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count role holders: %w", err)
	}
	return n, nil
}

// RenameRole moves every member of org holding role from to role to, as a
// custom role's rename requires in the same transaction.
func (r *Memberships) RenameRole(ctx context.Context, org kernel.OrganizationID, from, to string) error {
	if _, err := db.Exec(ctx, r.db.QW(ctx), "rename role of members", `UPDATE memberships SET role = $3 WHERE organization_id = $1 AND role = $2`,
		org, from, to); err != nil {
		return err
	}
	return r.bumpMembers(ctx, org)
}

// Touch records that user used org at t, which makes org their most
// recently used organization unless another was touched at a later t. No
// membership, no error.
func (r *Memberships) Touch(ctx context.Context, org kernel.OrganizationID, user kernel.UserID, t time.Time) error {
	_, err := db.Exec(ctx, r.db.QW(ctx), "touch membership", `UPDATE memberships SET last_used_at = $3 WHERE organization_id = $1 AND user_id = $2`,
		org, user, t)
	return err
}

// MostRecent returns the organization user touched last or, when they have
// touched none, the one they joined last, among those whose membership is
// not suspended; application.ErrMemberNotFound when there is none.
func (r *Memberships) MostRecent(ctx context.Context, user kernel.UserID) (kernel.OrganizationID, error) {
	var org kernel.OrganizationID
	err := r.db.Q(ctx).QueryRow(ctx, `SELECT organization_id FROM memberships WHERE user_id = $1 AND suspended_at IS NULL
		ORDER BY last_used_at DESC NULLS LAST, joined_at DESC, id DESC LIMIT 1`, user).Scan(&org)
	if errors.Is(err, db.ErrNoRows) {
		return kernel.OrganizationID{}, application.ErrMemberNotFound
	}
	if err != nil {
		return kernel.OrganizationID{}, fmt.Errorf("most recent organization: %w", err)
	}
	return org, nil
}

// Access returns the role of user's membership in org and, when it is a custom
// role of org, that role's permissions: from the access cache when it holds
// the answer and ctx carries no transaction, else in one query (which
// fills the cache). custom is false for a
// built-in role name, and also for a role name org has no custom role of:
// the caller grants such a membership nothing beyond a built-in's. It
// returns application.ErrMemberNotFound when user is not a member.
func (r *Memberships) Access(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (application.Access, error) {
	if db.InTx(ctx) {
		// A transaction reads what it may be changing: never the cache.
		return r.readAccess(ctx, org, user)
	}
	a, gen, ok := r.cache.get(org, user)
	if ok {
		return a, nil
	}
	a, err := r.readAccess(ctx, org, user)
	if err == nil {
		r.cache.put(org, user, a, gen)
	}
	return a, err
}

// readAccess is Access from the database.
func (r *Memberships) readAccess(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (application.Access, error) {
	var (
		a     application.Access
		perms *string
	)
	err := r.db.Q(ctx).QueryRow(ctx, access, org, user).Scan(&a.Role, &perms, &a.MembersVersion, &a.Suspended)
	if errors.Is(err, db.ErrNoRows) {
		return application.Access{}, application.ErrMemberNotFound
	}
	if err != nil {
		return application.Access{}, fmt.Errorf("check access: %w", err)
	}
	// Built-in names cannot be custom roles' (the domain refuses them); a
	// row that says otherwise does not override a built-in.
	if perms == nil || domain.IsBuiltinRoleName(a.Role) {
		return a, nil
	}
	if a.Permissions, err = decodePermissions(*perms); err != nil {
		return application.Access{}, kernel.Internal(fmt.Errorf("role %q of organization %s: %w", a.Role, org, err))
	}
	a.Custom = true
	return a, nil
}

// bumpMembers moves org's members version on, in the transaction of the
// change to its member list.
func (r *Memberships) bumpMembers(ctx context.Context, org kernel.OrganizationID) error {
	if _, err := db.Exec(ctx, r.db.QW(ctx), "bump members version", `UPDATE organizations SET members_version = members_version + 1 WHERE id = $1`, org); err != nil {
		return err
	}
	return accessChanged(ctx, r.db, org)
}

// ProfileChanged moves on the members version of every organization user
// belongs to: their name, email or image in member lists changed.
func (r *Memberships) ProfileChanged(ctx context.Context, user kernel.UserID) error {
	orgs, err := db.QueryAll(ctx, r.db.QW(ctx), db.ScanValue[kernel.OrganizationID], "bump members versions", `UPDATE organizations SET members_version = members_version + 1
		WHERE id IN (SELECT organization_id FROM memberships WHERE user_id = $1) RETURNING id`, user)
	if err != nil {
		return err
	}
	for _, org := range orgs {
		if err := accessChanged(ctx, r.db, org); err != nil {
			return err
		}
	}
	return nil
}

func scanMembership(row db.Row) (*domain.Membership, error) {
	var s domain.MembershipSnapshot
	if err := row.Scan(&s.ID, &s.OrganizationID, &s.UserID, &s.Role, &s.JoinedAt, &s.SuspendedAt); err != nil {
		return nil, err
	}
	return domain.RehydrateMembership(s), nil
}
