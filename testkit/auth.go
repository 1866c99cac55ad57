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
)

// As makes every later request of c act as user (empty: anonymous again).
func (c *Client) As(user kernel.UserID) *Client {
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
			ctx = kernel.WithPrincipal(ctx, kernel.Principal{UserID: id})
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
