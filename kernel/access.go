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
	// ErrPlatformForbidden: only platform administrators may do this.
	ErrPlatformForbidden = Forbidden("platform.forbidden", "Only platform administrators may do this.")
	// ErrImpersonating: a platform admin acting as another user cannot
	// administer the platform (nor do what only the account's person may)
	// until they stop impersonating.
	ErrImpersonating = Forbidden("platform.impersonating",
		"You are impersonating a user; stop impersonating (POST /api/v1/platform/impersonation/stop) to do this.")
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
// administrator acting as themselves; otherwise ErrUnauthenticated,
// ErrImpersonating (an impersonated session, whoever started it) or
// ErrPlatformForbidden.
func RequirePlatformAdmin(ctx context.Context) (Principal, error) {
	p, err := RequireOwnSession(ctx)
	if err != nil {
		return Principal{}, err
	}
	if !p.PlatformAdmin {
		return Principal{}, ErrPlatformForbidden
	}
	return p, nil
}

// RequireOwnSession returns the signed-in principal unless the session is
// an impersonation: what only the account's person may do (change the
// password, email, second factors or sessions, delete the account) answers
// ErrImpersonating then.
func RequireOwnSession(ctx context.Context) (Principal, error) {
	p, err := RequireUser(ctx)
	if err != nil {
		return Principal{}, err
	}
	if !p.ImpersonatorID.IsZero() {
		return Principal{}, ErrImpersonating
	}
	return p, nil
}
