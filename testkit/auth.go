package testkit

import (
	"net/http"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// Headers the test kit reads to act as a user and an organization, so a
// module's routes can be tested before, and apart from, real sign-in. The
// middleware that reads them exists only in apps built by the test kit.
const (
	HeaderUser   = "X-Testkit-User"
	HeaderOrg    = "X-Testkit-Org"
	HeaderRole   = "X-Testkit-Role"
	HeaderGrants = "X-Testkit-Grants"
	// HeaderPlatformAdmin ("true") makes the user a platform admin;
	// HeaderImpersonator (a user ID) makes the session an impersonation
	// by that admin.
	HeaderPlatformAdmin = "X-Testkit-Platform-Admin"
	HeaderImpersonator  = "X-Testkit-Impersonator"
)

// AsPlatformAdmin makes every later request of c act as user, a platform
// admin.
func (c *Client) AsPlatformAdmin(user kernel.UserID) *Client {
	c.As(user)
	c.header.Set(HeaderPlatformAdmin, "true")
	return c
}

// As makes every later request of c act as user (empty: anonymous again),
// not a platform admin.
func (c *Client) As(user kernel.UserID) *Client {
	c.header.Del(HeaderPlatformAdmin)
	c.header.Del(HeaderImpersonator)
	if user.IsZero() {
		c.header.Del(HeaderUser)
	} else {
		c.header.Set(HeaderUser, user.String())
	}
	return c
}

// InOrganization makes every later request of c act within org with the
// role and grants given (zero org: no organization again).
func (c *Client) InOrganization(org kernel.OrganizationID, role string, grants ...string) *Client {
	if org.IsZero() {
		c.header.Del(HeaderOrg)
		c.header.Del(HeaderRole)
		c.header.Del(HeaderGrants)
		return c
	}
	c.header.Set(HeaderOrg, org.String())
	c.header.Set(HeaderRole, role)
	c.header.Set(HeaderGrants, strings.Join(grants, ","))
	return c
}

// testAuth puts the principal and organization named by the test kit's
// headers in the request context. A malformed ID is a test bug: 400.
func testAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if v := r.Header.Get(HeaderUser); v != "" {
			id, err := kernel.ParseID[kernel.UserKind](v)
			if err != nil {
				http.Error(w, "testkit: bad "+HeaderUser, http.StatusBadRequest)
				return
			}
			p := kernel.Principal{UserID: id, PlatformAdmin: r.Header.Get(HeaderPlatformAdmin) == "true"}
			if v := r.Header.Get(HeaderImpersonator); v != "" {
				if p.ImpersonatorID, err = kernel.ParseID[kernel.UserKind](v); err != nil {
					http.Error(w, "testkit: bad "+HeaderImpersonator, http.StatusBadRequest)
					return
				}
			}
			ctx = kernel.WithPrincipal(ctx, p)
		}
		if v := r.Header.Get(HeaderOrg); v != "" {
			id, err := kernel.ParseID[kernel.OrganizationKind](v)
			if err != nil {
				http.Error(w, "testkit: bad "+HeaderOrg, http.StatusBadRequest)
				return
			}
			var grants kernel.Grants
			for g := range strings.SplitSeq(r.Header.Get(HeaderGrants), ",") {
				if g = strings.TrimSpace(g); g != "" {
					grants = append(grants, g)
				}
			}
			ctx = kernel.WithOrganization(ctx, kernel.OrganizationContext{OrganizationID: id, Role: r.Header.Get(HeaderRole), Grants: grants})
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
