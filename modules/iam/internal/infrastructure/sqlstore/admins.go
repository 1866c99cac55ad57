package sqlstore

import (
	"context"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
)

// platformAdminsLock names the lock LockPlatformAdmins takes.
const platformAdminsLock = "iam.platform_admins"

// CountPlatformAdmins returns how many users are platform admins.
func (r *Users) CountPlatformAdmins(ctx context.Context) (int, error) {
	return db.QueryOne(ctx, r.db.Q(ctx), db.ScanValue[int], nil, "count platform admins",
		`SELECT COUNT(*) FROM users WHERE platform_admin`)
}

// LockPlatformAdmins takes the platform admins' lock (db.LockKey) in the
// transaction ctx carries.
func (r *Users) LockPlatformAdmins(ctx context.Context) error {
	return r.db.LockKey(ctx, platformAdminsLock)
}

// UserOf returns the user a session belongs to, or
// application.ErrSessionNotFound.
func (r *Sessions) UserOf(ctx context.Context, id kernel.SessionID) (kernel.UserID, error) {
	return db.QueryOne(ctx, r.db.Q(ctx), db.ScanValue[kernel.UserID], application.ErrSessionNotFound, "find a session's user",
		`SELECT user_id FROM sessions WHERE id = $1`, id)
}
