package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// Sessions stores sign-in sessions in the sessions table.
type Sessions struct {
	db *db.DB
}

var _ application.Sessions = (*Sessions)(nil)

const sessionColumns = `id, user_id, token_hash, expires_at, created_at, updated_at, ip_address, user_agent, impersonator_id`

// byTokenHash is the lookup behind every authenticated request: one probe of
// the unique index on token_hash and one of users' primary key. It reads
// neither the hash nor user_id back: they are the argument and u.id. Nor
// does it read the user's password hash: nothing a session does needs it
// (a password check loads the user again), so the hydrated user's is empty.
var byTokenHash = `SELECT ` + strings.Replace(selectColumns("u", userColumns), "u.password_hash", "''", 1) + `,
	s.id, s.expires_at, s.created_at, s.updated_at, s.ip_address, s.user_agent, s.impersonator_id
	FROM sessions s JOIN users u ON u.id = s.user_id
	WHERE s.token_hash = $1`

// Create stores a new session, in the transaction ctx carries or on the
// writer. It returns application.ErrUserNotFound when the user (or the
// impersonator) does not exist.
func (r *Sessions) Create(ctx context.Context, s *domain.Session) error {
	v := s.Snapshot()
	_, err := r.db.QW(ctx).Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		v.ID, v.UserID, v.TokenHash[:], v.ExpiresAt, v.CreatedAt, v.UpdatedAt, v.IPAddress, v.UserAgent, v.ImpersonatorID)
	if _, ok := db.IsConstraint(err, db.ForeignKey); ok {
		return application.ErrUserNotFound
	}
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// ByTokenHash returns the session with that token hash and its user in one
// query, or application.ErrSessionNotFound. It does not look at the expiry:
// the caller decides with Session.Expired.
func (r *Sessions) ByTokenHash(ctx context.Context, hash [32]byte) (*domain.Session, *domain.User, error) {
	var v domain.SessionSnapshot
	u, err := scanUser(r.db.Q(ctx).QueryRow(ctx, byTokenHash, hash[:]),
		&v.ID, &v.ExpiresAt, &v.CreatedAt, &v.UpdatedAt, &v.IPAddress, &v.UserAgent, &v.ImpersonatorID)
	if errors.Is(err, db.ErrNoRows) {
		return nil, nil, application.ErrSessionNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get session: %w", err)
	}
	v.UserID, v.TokenHash = u.ID(), hash
	return domain.RehydrateSession(v), u, nil
}

// Refresh stores s's expiry and update time. It returns
// application.ErrSessionNotFound when the session is gone (revoked
// meanwhile).
func (r *Sessions) Refresh(ctx context.Context, s *domain.Session) error {
	return db.ExecOne(ctx, r.db.QW(ctx), application.ErrSessionNotFound, "refresh session", `UPDATE sessions SET expires_at = $2, updated_at = $3 WHERE id = $1`,
		s.ID(), s.ExpiresAt(), s.UpdatedAt())
}

// ListByUser returns the user's sessions still live at now (expiring after
// it), newest first.
func (r *Sessions) ListByUser(ctx context.Context, user kernel.UserID, now time.Time) ([]*domain.Session, error) {
	return db.QueryAll(ctx, r.db.Q(ctx), scanSession, "list sessions", `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = $1 AND expires_at > $2
		ORDER BY created_at DESC, id DESC`, user, now)
}

// Delete removes the user's session id. It returns
// application.ErrSessionNotFound when the user has no such session, another
// user's included.
func (r *Sessions) Delete(ctx context.Context, user kernel.UserID, id kernel.SessionID) error {
	return db.ExecOne(ctx, r.db.QW(ctx), application.ErrSessionNotFound, "delete session", `DELETE FROM sessions WHERE id = $1 AND user_id = $2`, id, user)
}

// DeleteAllForUser removes the user's sessions except keep (zero: none is
// kept) and returns the IDs it removed, in no particular order.
func (r *Sessions) DeleteAllForUser(ctx context.Context, user kernel.UserID, keep kernel.SessionID) ([]kernel.SessionID, error) {
	query, args := `DELETE FROM sessions WHERE user_id = $1`, []any{user}
	if !keep.IsZero() {
		// Not "id <> NULL", which is never true: a zero keep adds no clause.
		query, args = query+` AND id <> $2`, append(args, keep)
	}
	return db.QueryAll(ctx, r.db.QW(ctx), db.ScanValue[kernel.SessionID], "delete sessions", query+` RETURNING id`, args...)
}

// DeleteExpired removes every session expired at now (expires_at <= now,
// as Session.Expired says) and returns how many. It is the purge job's.
func (r *Sessions) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	return db.Exec(ctx, r.db.QW(ctx), "delete expired sessions", `DELETE FROM sessions WHERE expires_at <= $1`, now)
}

func scanSession(row db.Row) (*domain.Session, error) {
	var (
		v    domain.SessionSnapshot
		hash []byte
	)
	if err := row.Scan(&v.ID, &v.UserID, &hash, &v.ExpiresAt, &v.CreatedAt, &v.UpdatedAt,
		&v.IPAddress, &v.UserAgent, &v.ImpersonatorID); err != nil {
		return nil, err
	}
	if len(hash) != len(v.TokenHash) {
		return nil, fmt.Errorf("session %s: token hash of %d bytes", v.ID, len(hash))
	}
	copy(v.TokenHash[:], hash)
	return domain.RehydrateSession(v), nil
}
