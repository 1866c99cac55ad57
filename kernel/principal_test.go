package kernel_test

import (
	"context"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
)

func TestGrantsAllows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		grants     kernel.Grants
		permission string
		want       bool
	}{
		{"exact match", kernel.Grants{"users:read"}, "users:read", true},
		{"exact among others", kernel.Grants{"audit:read", "users:read"}, "users:read", true},
		{"other action", kernel.Grants{"users:read"}, "users:write", false},
		{"resource wildcard", kernel.Grants{"users:*"}, "users:delete", true},
		{"resource wildcard, other resource", kernel.Grants{"users:*"}, "billing:read", false},
		{"everything", kernel.Grants{"*"}, "billing:manage", true},
		{"non-matching resource", kernel.Grants{"audit:read"}, "users:read", false},
		{"no grants", nil, "users:read", false},
		{"empty grants", kernel.Grants{}, "users:read", false},
		{"prefix trickery: user:* vs users:read", kernel.Grants{"user:*"}, "users:read", false},
		{"prefix trickery: users:* vs user:read", kernel.Grants{"users:*"}, "user:read", false},
		{"prefix trickery: users:re vs users:read", kernel.Grants{"users:re"}, "users:read", false},
		{"prefix trickery: users vs users:read", kernel.Grants{"users"}, "users:read", false},
		{"case matters", kernel.Grants{"Users:Read"}, "users:read", false},
		{"empty grant", kernel.Grants{""}, "users:read", false},
		{"grant :*", kernel.Grants{":*"}, "users:read", false},
		{"grant *:read is not a wildcard", kernel.Grants{"*:read"}, "users:read", false},
		{"grant users:** is not a wildcard", kernel.Grants{"users:**"}, "users:read", false},

		// Malformed permissions fail closed, even against "*".
		{"empty permission", kernel.Grants{"*"}, "", false},
		{"no action", kernel.Grants{"*"}, "users", false},
		{"empty action", kernel.Grants{"*"}, "users:", false},
		{"empty resource", kernel.Grants{"*"}, ":read", false},
		{"too many parts", kernel.Grants{"*"}, "a:b:c", false},
		{"too many parts, exact grant", kernel.Grants{"a:b:c"}, "a:b:c", false},
		{"too many parts, resource wildcard", kernel.Grants{"a:*"}, "a:b:c", false},
		{"colon only", kernel.Grants{"*", ":"}, ":", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.grants.Allows(tt.permission); got != tt.want {
				t.Errorf("%q.Allows(%q) = %v, want %v", tt.grants, tt.permission, got, tt.want)
			}
		})
	}
}

func TestGrantsAllowsAll(t *testing.T) {
	t.Parallel()
	g := kernel.Grants{"users:*", "audit:read"}
	tests := []struct {
		name        string
		permissions []string
		want        bool
	}{
		{"all granted", []string{"users:read", "users:delete", "audit:read"}, true},
		{"one missing", []string{"users:read", "billing:read"}, false},
		{"one malformed", []string{"users:read", "users"}, false},
		{"none asked", nil, true},
	}
	for _, tt := range tests {
		if got := g.AllowsAll(tt.permissions...); got != tt.want {
			t.Errorf("%s: AllowsAll(%q) = %v, want %v", tt.name, tt.permissions, got, tt.want)
		}
	}
}

func TestPrincipalContext(t *testing.T) {
	t.Parallel()
	if _, ok := kernel.PrincipalFrom(context.Background()); ok {
		t.Error("PrincipalFrom(empty context) reported a principal")
	}

	p := kernel.Principal{
		UserID:         kernel.NewID[kernel.UserKind](),
		SessionID:      kernel.NewID[kernel.SessionKind](),
		PlatformAdmin:  true,
		ImpersonatorID: kernel.NewID[kernel.UserKind](),
	}
	got, ok := kernel.PrincipalFrom(kernel.WithPrincipal(context.Background(), p))
	if !ok || got != p {
		t.Errorf("PrincipalFrom = %+v, %v; want %+v", got, ok, p)
	}

	// A principal without a user is no principal.
	if _, ok := kernel.PrincipalFrom(kernel.WithPrincipal(context.Background(), kernel.Principal{})); ok {
		t.Error("PrincipalFrom reported a principal with a zero UserID")
	}
}

func TestOrganizationContext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, ok := kernel.OrganizationFrom(ctx); ok {
		t.Error("OrganizationFrom(empty context) reported an organization")
	}
	if g := kernel.GrantsFrom(ctx); len(g) != 0 || g.Allows("users:read") {
		t.Errorf("GrantsFrom(empty context) = %q", g)
	}

	o := kernel.OrganizationContext{
		OrganizationID: kernel.NewID[kernel.OrganizationKind](),
		Role:           "admin",
		Grants:         kernel.Grants{"users:*"},
	}
	ctx = kernel.WithOrganization(ctx, o)
	got, ok := kernel.OrganizationFrom(ctx)
	if !ok || got.OrganizationID != o.OrganizationID || got.Role != o.Role || len(got.Grants) != 1 || got.Grants[0] != "users:*" {
		t.Errorf("OrganizationFrom = %+v, %v; want %+v", got, ok, o)
	}
	if g := kernel.GrantsFrom(ctx); !g.Allows("users:read") || g.Allows("billing:read") {
		t.Errorf("GrantsFrom = %q", g)
	}

	// The organization and the principal live side by side.
	p := kernel.Principal{UserID: kernel.NewID[kernel.UserKind]()}
	ctx = kernel.WithPrincipal(ctx, p)
	if _, ok := kernel.OrganizationFrom(ctx); !ok {
		t.Error("WithPrincipal hid the organization")
	}

	// An organization context without an organization is none.
	ctx = kernel.WithOrganization(context.Background(), kernel.OrganizationContext{Role: "owner"})
	if _, ok := kernel.OrganizationFrom(ctx); ok {
		t.Error("OrganizationFrom reported an organization with a zero ID")
	}
}

func TestNoOrganizationMeansNoGrants(t *testing.T) {
	t.Parallel()
	ctx := kernel.WithOrganization(context.Background(), kernel.OrganizationContext{Grants: kernel.Grants{"*"}})
	if g := kernel.GrantsFrom(ctx); g.Allows("users:read") {
		t.Errorf("GrantsFrom without an organization = %q, want none", g)
	}
	if o, ok := kernel.OrganizationFrom(ctx); !ok && len(o.Grants) != 0 {
		t.Errorf("OrganizationFrom returned grants %q with ok=false", o.Grants)
	}
	ctx = kernel.WithPrincipal(context.Background(), kernel.Principal{PlatformAdmin: true})
	if p, ok := kernel.PrincipalFrom(ctx); !ok && p.PlatformAdmin {
		t.Error("PrincipalFrom returned PlatformAdmin=true with ok=false")
	}
}
