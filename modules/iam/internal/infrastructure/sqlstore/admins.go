package sqlstore

import (
	"context"

	"github.com/groundworkhq/groundwork/db"
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
