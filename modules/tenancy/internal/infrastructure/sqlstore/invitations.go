package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// Invitations stores invitations, their tokens as SHA-256 hashes, in the
// invitations table.
//
// Queries for pending invitations write status = 'pending' as a literal,
// not a parameter: only then may PostgreSQL use the partial index on email.
type Invitations struct {
	db *db.DB
}

var _ application.Invitations = (*Invitations)(nil)

const invitationColumns = `id, organization_id, email, role, inviter_id, token_hash, status, expires_at, created_at, updated_at`

var selectInvitation = `SELECT ` + invitationColumns + ` FROM invitations`

// newestFirst orders invitations by creation, newest first; IDs are
// time-ordered, so they break ties the same way.
const newestFirst = ` ORDER BY created_at DESC, id DESC`

// Create stores a new invitation, in the transaction ctx carries or on the
// writer. It returns application.ErrOrganizationNotFound when the
// organization does not exist.
func (r *Invitations) Create(ctx context.Context, i *domain.Invitation) error {
	s := i.Snapshot()
	_, err := r.db.QW(ctx).Exec(ctx, `INSERT INTO invitations (`+invitationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		s.ID, s.OrganizationID, s.Email, s.Role, s.InviterID, s.TokenHash[:], s.Status.String(),
		s.ExpiresAt, s.CreatedAt, s.UpdatedAt)
	if _, ok := db.IsConstraint(err, db.ForeignKey); ok {
		return application.ErrOrganizationNotFound
	}
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	return nil
}

// ByID returns the invitation with that ID in org, or
// application.ErrInvitationNotFound (also for another organization's).
func (r *Invitations) ByID(ctx context.Context, org kernel.OrganizationID, id domain.InvitationID) (*domain.Invitation, error) {
	return r.one(ctx, selectInvitation+` WHERE organization_id = $1 AND id = $2`, org, id)
}

// ByIDAnyOrganization returns the invitation with that ID whatever its
// organization, or application.ErrInvitationNotFound. It is for the
// invitee, who is no member yet: the caller checks the invitation's email
// against theirs.
func (r *Invitations) ByIDAnyOrganization(ctx context.Context, id domain.InvitationID) (*domain.Invitation, error) {
	return r.one(ctx, selectInvitation+` WHERE id = $1`, id)
}

// ByTokenHash returns the invitation whose current token hashes to hash,
// whatever its status or expiry, or application.ErrInvitationNotFound.
func (r *Invitations) ByTokenHash(ctx context.Context, hash [32]byte) (*domain.Invitation, error) {
	return r.one(ctx, selectInvitation+` WHERE token_hash = $1`, hash[:])
}

// PendingFor returns org's pending invitation for email (the newest, should
// there be several), or application.ErrInvitationNotFound. It looks at the
// status, not the expiry.
func (r *Invitations) PendingFor(ctx context.Context, org kernel.OrganizationID, email domain.Email) (*domain.Invitation, error) {
	return r.one(ctx, selectInvitation+` WHERE organization_id = $1 AND email = $2 AND status = 'pending'`+
		newestFirst+` LIMIT 1`, org, email.String())
}

// LockSenders locks the send counts of inviter, then of network, until
// the transaction ends (db.LockKey).
func (r *Invitations) LockSenders(ctx context.Context, inviter kernel.UserID, network string) error {
	if err := r.db.LockKey(ctx, "tenancy.invitation_sends:inviter:"+inviter.String()); err != nil {
		return err
	}
	if network == "" {
		return nil
	}
	return r.db.LockKey(ctx, "tenancy.invitation_sends:network:"+network)
}

// CountSends counts, in one query, the sends at or after q.Since of q's
// organization, inviter and network; each condition has its own index,
// which the OR combines.
func (r *Invitations) CountSends(ctx context.Context, q application.SendQuery) (application.SendCounts, error) {
	var n application.SendCounts
	err := r.db.Q(ctx).QueryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN organization_id = $1 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN inviter_id = $2 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN network = $3 THEN 1 ELSE 0 END), 0)
		FROM invitation_sends
		WHERE (organization_id = $1 AND sent_at >= $4) OR (inviter_id = $2 AND sent_at >= $4) OR (network = $3 AND sent_at >= $4)`,
		q.Organization, q.Inviter, q.Network, q.Since).Scan(&n.Organization, &n.Inviter, &n.Network)
	if err != nil {
		return application.SendCounts{}, fmt.Errorf("count invitation sends: %w", err)
	}
	return n, nil
}

// RecordSend records one send at at.
func (r *Invitations) RecordSend(ctx context.Context, q application.SendQuery, at time.Time) error {
	_, err := db.Exec(ctx, r.db.QW(ctx), "record invitation send", `INSERT INTO invitation_sends (organization_id, inviter_id, network, sent_at) VALUES ($1, $2, $3, $4)`,
		q.Organization, q.Inviter, q.Network, at)
	return err
}

// DeleteSendsBefore removes the sends before t.
func (r *Invitations) DeleteSendsBefore(ctx context.Context, t time.Time) (int, error) {
	return db.Exec(ctx, r.db.QW(ctx), "delete invitation sends", `DELETE FROM invitation_sends WHERE sent_at < $1`, t)
}

// RenameRole moves org's pending invitations offering role from to role
// to.
func (r *Invitations) RenameRole(ctx context.Context, org kernel.OrganizationID, from, to string) error {
	_, err := db.Exec(ctx, r.db.QW(ctx), "rename invitations' role", `UPDATE invitations SET role = $3
		WHERE organization_id = $1 AND role = $2 AND status = 'pending'`, org, from, to)
	return err
}

// CountPending returns how many of org's invitations offering role are
// pending and unexpired at now.
func (r *Invitations) CountPending(ctx context.Context, org kernel.OrganizationID, role string, now time.Time) (int, error) {
	var n int
	err := r.db.Q(ctx).QueryRow(ctx, `SELECT count(*) FROM invitations
		WHERE organization_id = $1 AND role = $2 AND status = 'pending' AND expires_at > $3`, org, role, now).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count pending invitations: %w", err)
	}
	return n, nil
}

func (r *Invitations) one(ctx context.Context, query string, args ...any) (*domain.Invitation, error) {
	return db.QueryOne(ctx, r.db.Q(ctx), scanInvitation, application.ErrInvitationNotFound, "get invitation", query, args...)
}

// List returns org's invitations, newest first; pendingOnly keeps those
// whose status is pending, expired or not (the caller compares with now).
func (r *Invitations) List(ctx context.Context, org kernel.OrganizationID, pendingOnly bool) ([]*domain.Invitation, error) {
	query := selectInvitation + ` WHERE organization_id = $1`
	if pendingOnly {
		query += ` AND status = 'pending'`
	}
	return db.QueryAll(ctx, r.db.Q(ctx), scanInvitation, "list invitations", query+newestFirst, org)
}

// ListPendingForEmail returns the invitations sent to email whose status is
// pending, newest first, across organizations.
func (r *Invitations) ListPendingForEmail(ctx context.Context, email domain.Email) ([]*domain.Invitation, error) {
	return db.QueryAll(ctx, r.db.Q(ctx), scanInvitation, "list invitations for email",
		selectInvitation+` WHERE email = $1 AND status = 'pending'`+newestFirst, email.String())
}

// Save stores the invitation's status, token hash, expiry and update time.
// It returns application.ErrInvitationNotFound when the row is gone.
func (r *Invitations) Save(ctx context.Context, i *domain.Invitation) error {
	s := i.Snapshot()
	return db.ExecOne(ctx, r.db.QW(ctx), application.ErrInvitationNotFound, "save invitation", `UPDATE invitations SET status = $3, token_hash = $4, expires_at = $5, updated_at = $6
		WHERE organization_id = $1 AND id = $2`,
		s.OrganizationID, s.ID, s.Status.String(), s.TokenHash[:], s.ExpiresAt, s.UpdatedAt)
}

// DeleteClosedBefore removes the invitations closed (accepted, declined,
// revoked or marked expired) before t, and those expiring before t whatever
// their status, and returns how many. It is the purge job's.
func (r *Invitations) DeleteClosedBefore(ctx context.Context, t time.Time) (int, error) {
	return db.Exec(ctx, r.db.QW(ctx), "delete closed invitations", `DELETE FROM invitations
		WHERE (status <> 'pending' AND updated_at < $1) OR expires_at < $1`, t)
}

func scanInvitation(row db.Row) (*domain.Invitation, error) {
	var (
		s      domain.InvitationSnapshot
		hash   []byte
		status string
	)
	if err := row.Scan(&s.ID, &s.OrganizationID, &s.Email, &s.Role, &s.InviterID, &hash, &status,
		&s.ExpiresAt, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	if len(hash) != len(s.TokenHash) {
		return nil, kernel.Internal(fmt.Errorf("invitation %s: token hash of %d bytes", s.ID, len(hash)))
	}
	copy(s.TokenHash[:], hash)
	var err error
	if s.Status, err = domain.ParseInvitationStatus(status); err != nil {
		return nil, kernel.Internal(fmt.Errorf("invitation %s: stored status: %w", s.ID, err))
	}
	return domain.RehydrateInvitation(s), nil
}
