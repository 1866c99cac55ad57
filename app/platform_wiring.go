package app

import (
	"context"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/platform"
)

// platformAdmins is the platform module's Admins port over iam.
type platformAdmins struct{ iam *iam.Module }

var _ platform.Admins = platformAdmins{}

func (p platformAdmins) CountPlatformAdmins(ctx context.Context) (int, error) {
	return p.iam.CountPlatformAdmins(ctx)
}

func (p platformAdmins) EmailVerified(ctx context.Context, user kernel.UserID) (bool, error) {
	u, err := p.iam.User(ctx, user)
	return u.EmailVerified, err
}

func (p platformAdmins) PromoteFirst(ctx context.Context, user kernel.UserID) error {
	_, err := p.iam.SetPlatformAdmin(ctx, user, user, true)
	return err
}

// Platform returns the platform module: the admin gate, the bootstrap and
// the overview.
func (a *App) Platform() *platform.Module { return a.builtins.platform }
