package kernel

import "context"

// The answers of the access checks every module shares, so a client sees
// one code for one situation whichever module refused.
var (
	// ErrUnauthenticated: the request needs a signed-in user (401, Better
	// Auth's code).
	ErrUnauthenticated = Unauthenticated("UNAUTHORIZED", "Unauthorized")
	// ErrNoActiveOrganization: the request acts in the active organization
	// and the caller has none. 403 rather than 404: nothing is hidden, the
	// caller must choose an organization first.
	ErrNoActiveOrganization = Forbidden("tenancy.no_active_organization", "Choose an active organization first.")
	// ErrPlatformAdminOnly: only platform administrators may do this.
	ErrPlatformAdminOnly = Forbidden("platform.admin_only", "Only platform administrators may do this.")
)

// ErrMissingPermission is the answer to a member whose role does not grant
// permission in the active organization (403 "tenancy.forbidden").
func ErrMissingPermission(permission string) *Error {
	return Forbidden("tenancy.forbidden", "You need the "+permission+" permission in this organization.")
}

// RequireUser returns the signed-in principal, or ErrUnauthenticated.
func RequireUser(ctx context.Context) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	return p, nil
}

// RequirePermission is the one permission check: nil when a user is
// signed in and their active organization grants permission; otherwise
// ErrUnauthenticated, ErrNoActiveOrganization or ErrMissingPermission.
func RequirePermission(ctx context.Context, permission string) error {
	if _, err := RequireUser(ctx); err != nil {
		return err
	}
	org, ok := OrganizationFrom(ctx)
	if !ok {
		return ErrNoActiveOrganization
	}
	if !org.Grants.Allows(permission) {
		return ErrMissingPermission(permission)
	}
	return nil
}

// RequirePlatformAdmin returns the principal when it is a platform
// administrator; otherwise ErrUnauthenticated or ErrPlatformAdminOnly.
func RequirePlatformAdmin(ctx context.Context) (Principal, error) {
	p, err := RequireUser(ctx)
	if err != nil {
		return Principal{}, err
	}
	if !p.PlatformAdmin {
		return Principal{}, ErrPlatformAdminOnly
	}
	return p, nil
}
