package kernel

import (
	"context"
	"strings"
)

// Principal is who is making a request: the signed-in user and the session
// they used. ImpersonatorID is set when a platform admin acts as the user.
type Principal struct {
	UserID         UserID
	SessionID      SessionID
	PlatformAdmin  bool
	ImpersonatorID UserID
}

// OrganizationContext is the caller's active organization, their role in it
// and the grants that role carries. It is computed per request from a
// re-checked membership, never trusted from a cookie.
type OrganizationContext struct {
	OrganizationID OrganizationID
	Role           string
	Grants         Grants
}

type principalKey struct{}
type organizationKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx and whether there is one.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	return valueFrom(ctx, principalKey{}, func(p Principal) bool { return !p.UserID.IsZero() })
}

// WithOrganization returns ctx carrying the active organization context.
func WithOrganization(ctx context.Context, o OrganizationContext) context.Context {
	return context.WithValue(ctx, organizationKey{}, o)
}

// OrganizationFrom returns the active organization context in ctx, if any.
func OrganizationFrom(ctx context.Context) (OrganizationContext, bool) {
	return valueFrom(ctx, organizationKey{}, func(o OrganizationContext) bool { return !o.OrganizationID.IsZero() })
}

// valueFrom returns the T that ctx carries under key, if there is one and
// set says it is set.
func valueFrom[T any](ctx context.Context, key any, set func(T) bool) (T, bool) {
	v, ok := ctx.Value(key).(T)
	if !ok || !set(v) {
		var zero T
		return zero, false
	}
	return v, true
}

// GrantsFrom returns the grants of the active organization in ctx; none
// without one.
func GrantsFrom(ctx context.Context) Grants {
	o, _ := OrganizationFrom(ctx)
	return o.Grants
}

// Grants is a set of permission strings "resource:action". A grant may be
// "resource:*" (every action on resource) or "*" (everything).
type Grants []string

// Allows reports whether the grants include permission, honouring wildcards.
// An empty or malformed permission is never allowed: checks fail closed.
func (g Grants) Allows(permission string) bool {
	resource, action, ok := strings.Cut(permission, ":")
	if !ok || resource == "" || action == "" || strings.Contains(action, ":") {
		return false
	}
	for _, grant := range g {
		switch {
		case grant == "*":
			return true
		case grant == permission:
			return true
		case strings.HasSuffix(grant, ":*") && strings.TrimSuffix(grant, ":*") == resource:
			return true
		}
	}
	return false
}

// AllowsAll reports whether every permission is allowed.
func (g Grants) AllowsAll(permissions ...string) bool {
	for _, p := range permissions {
		if !g.Allows(p) {
			return false
		}
	}
	return true
}

// Permission is a permission a module declares at boot, with what it
// allows in a sentence; roles are built from them.
type Permission struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type recheckKey struct{}

// WithSessionRecheck returns ctx carrying check, which answers whether the
// session behind the principal in ctx is still live (not signed out,
// revoked, expired or its user deactivated). The session middleware sets it
// so that long-lived responses (event streams) can end with their session.
func WithSessionRecheck(ctx context.Context, check func(context.Context) bool) context.Context {
	return context.WithValue(ctx, recheckKey{}, check)
}

// SessionStillLive runs the check WithSessionRecheck put in ctx. Without
// one (a principal set another way, as tests do) it answers true.
func SessionStillLive(ctx context.Context) bool {
	check, ok := ctx.Value(recheckKey{}).(func(context.Context) bool)
	return !ok || check(ctx)
}
