package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// VerificationTokens stores single-use verification, reset and set-password
// tokens (hashed) in the verification_tokens table.
type VerificationTokens struct {
	db *db.DB
}

var _ application.VerificationTokens = (*VerificationTokens)(nil)

const tokenColumns = `id, purpose, user_id, email, token_hash, expires_at, used_at, created_at`

// Create stores a new token, in the transaction ctx carries or on the
// writer. It returns application.ErrUserNotFound when the user does not
// exist.
func (r *VerificationTokens) Create(ctx context.Context, t *domain.VerificationToken) error {
	v := t.Snapshot()
	_, err := r.db.QW(ctx).Exec(ctx, `INSERT INTO verification_tokens (`+tokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		v.ID, v.Purpose.String(), v.UserID, v.Email, v.TokenHash[:], v.ExpiresAt, v.UsedAt, v.CreatedAt)
	if _, ok := db.IsConstraint(err, db.ForeignKey); ok {
		return application.ErrUserNotFound
	}
	if err != nil {
		return fmt.Errorf("create verification token: %w", err)
	}
	return nil
}

// ByHash returns the token with that hash, used or expired alike, or
// application.ErrTokenNotFound.
func (r *VerificationTokens) ByHash(ctx context.Context, hash [32]byte) (*domain.VerificationToken, error) {
	var (
		v       domain.VerificationTokenSnapshot
		purpose string
	)
	err := r.db.Q(ctx).QueryRow(ctx, `SELECT id, purpose, user_id, email, expires_at, used_at, created_at
		FROM verification_tokens WHERE token_hash = $1`, hash[:]).
		Scan(&v.ID, &purpose, &v.UserID, &v.Email, &v.ExpiresAt, &v.UsedAt, &v.CreatedAt)
	if errors.Is(err, db.ErrNoRows) {
		return nil, application.ErrTokenNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get verification token: %w", err)
	}
	if v.Purpose, err = domain.ParseVerificationPurpose(purpose); err != nil {
		return nil, kernel.Internal(fmt.Errorf("verification token %s: stored purpose: %w", v.ID, err))
	}
	v.TokenHash = hash
	return domain.RehydrateVerificationToken(v), nil
}

// MarkUsed sets the token's used_at to now if it is unset, in one
// conditional UPDATE, and reports whether it did: of two concurrent uses
// exactly one gets true. An unknown token gives false.
func (r *VerificationTokens) MarkUsed(ctx context.Context, id domain.VerificationTokenID, now time.Time) (bool, error) {
	n, err := r.db.QW(ctx).Exec(ctx, `UPDATE verification_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL`, now, id)
	if err != nil {
		return false, fmt.Errorf("mark verification token used: %w", err)
	}
	return n == 1, nil
}

// DeleteForUser removes the user's unused tokens of purpose; used ones stay
// until DeleteExpired.
func (r *VerificationTokens) DeleteForUser(ctx context.Context, user kernel.UserID, purpose domain.VerificationPurpose) error {
	_, err := db.Exec(ctx, r.db.QW(ctx), "delete verification tokens", `DELETE FROM verification_tokens
		WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, user, purpose.String())
	return err
}

// DeleteExpired removes the tokens expired at now (expires_at <= now) and
// those used at or before now, and returns how many. A used token is
// useless however long it had left; the purge job passes the current time.
func (r *VerificationTokens) DeleteExpired(ctx context.Context, now time.Time) (int, error) {
	return db.Exec(ctx, r.db.QW(ctx), "delete expired verification tokens", `DELETE FROM verification_tokens
		WHERE expires_at <= $1 OR used_at <= $1`, now)
}
