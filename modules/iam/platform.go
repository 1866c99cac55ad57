package iam

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// ErrLastPlatformAdmin is the answer to a change that would leave no
// platform admin (409 platform.last_admin).
var ErrLastPlatformAdmin = application.ErrLastPlatformAdmin

// AdminRoutes mounts iam's platform administration under
// /api/v1/platform: platform admins (GET, POST, DELETE /admins), users
// across organizations and impersonation.
func (m *Module) AdminRoutes(a *web.Admin) { m.http.RegisterAdmin(a) }

// CountPlatformAdmins returns how many platform admins exist, reading in
// the transaction ctx carries, if any.
func (m *Module) CountPlatformAdmins(ctx context.Context) (int, error) {
	return m.svc.CountPlatformAdmins(ctx)
}

// PlatformAdmins returns every platform admin, by ID.
func (m *Module) PlatformAdmins(ctx context.Context) ([]User, error) {
	return m.svc.PlatformAdmins(ctx)
}

// SetPlatformAdmin grants (admin true) or revokes user's platform
// administration, as by (zero: the operator, from the command line), in
// the transaction ctx carries if any. The last admin cannot be revoked
// (ErrLastPlatformAdmin), also when two revocations race; a deactivated
// user cannot be promoted.
func (m *Module) SetPlatformAdmin(ctx context.Context, by, user kernel.UserID, admin bool) (User, error) {
	u, err := m.svc.SetPlatformAdmin(ctx, by, user, admin)
	if err != nil {
		return User{}, fmt.Errorf("iam: %w", err)
	}
	return u, nil
}

// CreateAccount returns the account with email, creating it (with name,
// no password) when there is none: created is then true and the person is
// emailed a set-password link (valid 72 hours). It is the operator's way
// to make the first platform admin (groundwork admin create).
func (m *Module) CreateAccount(ctx context.Context, email, name string) (u User, created bool, err error) {
	u, created, err = m.svc.CreateAccount(ctx, email, name)
	if err != nil {
		return User{}, false, fmt.Errorf("iam: %w", err)
	}
	return u, created, nil
}
