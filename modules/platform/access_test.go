package platform_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
)

// platformRoute is one operation under /api/v1/platform, from the OpenAPI
// document, with its path parameters filled in.
type platformRoute struct{ method, path string }

func (r platformRoute) String() string { return r.method + " " + r.path }

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// platformRoutes reads every /api/v1/platform operation the app documents:
// its own, and every module's AdminRoutes.
func platformRoutes(t *testing.T, a *testkit.App) []platformRoute {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	a.Client().Get("/api/openapi.json").RequireStatus(t, http.StatusOK).JSON(t, &doc)
	var out []platformRoute
	for path, ops := range doc.Paths {
		if !strings.HasPrefix(path, "/api/v1/platform/") {
			continue
		}
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
				out = append(out, platformRoute{strings.ToUpper(method), pathParam.ReplaceAllString(path, "x1")})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// call sends the route's request with an empty JSON body where one may go.
func (r platformRoute) call(c *testkit.Client) *testkit.Response {
	var body any
	if r.method != http.MethodGet {
		body = map[string]any{}
	}
	return c.Do(r.method, r.path, body)
}

func problemCode(t *testing.T, r *testkit.Response) string {
	t.Helper()
	var p testkit.Problem
	_ = json.Unmarshal(r.Body, &p)
	return p.Code
}

// TestPlatformAccessMatrix: every route under /api/v1/platform, for every
// kind of caller — anonymous, a member, an organization owner, an
// impersonated session, a platform admin — answers what the gate says,
// before reading any input.
func TestPlatformAccessMatrix(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Admin")
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Owner", true)
		member := a.SignUp(t, testkit.NewEmail("member"), "Member", true)
		var org struct {
			ID string `json:"id"`
		}
		owner.Post("/api/organizations", map[string]any{"name": "Matrix", "slug": "matrix-" + strings.ToLower(owner.ID.String()[4:14])}).
			RequireStatus(t, http.StatusCreated).JSON(t, &org)
		orgID, err := kernel.ParseID[kernel.OrganizationKind](org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Tenancy().AddMember(t.Context(), owner.ID, orgID, member.ID); err != nil {
			t.Fatal(err)
		}
		// An impersonation, by a second admin, of a third user.
		impersonator := a.SignUpPlatformAdmin(t, testkit.NewEmail("imp"), "Impersonator")
		target := a.SignUp(t, testkit.NewEmail("target"), "Target", true)
		impersonator.Post("/api/v1/platform/users/"+target.ID.String()+"/impersonate", map[string]any{"reason": "access matrix"}).
			RequireStatus(t, http.StatusOK)

		routes := platformRoutes(t, a)
		if len(routes) < 15 {
			t.Fatalf("only %d platform routes documented: %v", len(routes), routes)
		}
		const bootstrap, stop = "POST /api/v1/platform/bootstrap", "POST /api/v1/platform/impersonation/stop"
		for _, r := range routes {
			// Anonymous: 401 everywhere.
			if got := r.call(a.Client()); got.StatusCode != http.StatusUnauthorized || problemCode(t, got) != "UNAUTHORIZED" {
				t.Errorf("anonymous %s: %d %s", r, got.StatusCode, got.Body)
			}
			// A member and an owner: 403 platform.forbidden, except the two
			// routes meant for them.
			for who, c := range map[string]*testkit.Client{"member": member.Client, "owner": owner.Client} {
				got := r.call(c)
				switch r.String() {
				case bootstrap, stop:
					if got.StatusCode == http.StatusForbidden || got.StatusCode == http.StatusUnauthorized || got.StatusCode >= 500 {
						t.Errorf("%s %s: %d %s", who, r, got.StatusCode, got.Body)
					}
				default:
					if got.StatusCode != http.StatusForbidden || problemCode(t, got) != "platform.forbidden" {
						t.Errorf("%s %s: %d %s", who, r, got.StatusCode, got.Body)
					}
				}
			}
			// An impersonated session: 403 platform.impersonating; the stop
			// is checked last.
			if r.String() != stop {
				if got := r.call(impersonator.Client); got.StatusCode != http.StatusForbidden || problemCode(t, got) != "platform.impersonating" {
					t.Errorf("impersonated %s: %d %s", r, got.StatusCode, got.Body)
				}
			}
			// The admin: past the gate (whatever the empty input earns).
			if got := r.call(admin.Client); got.StatusCode == http.StatusUnauthorized || got.StatusCode == http.StatusForbidden || got.StatusCode >= 500 {
				if r.String() != bootstrap { // an admin exists: the bootstrap is over (410), or 422 for the empty body
					t.Errorf("admin %s: %d %s", r, got.StatusCode, got.Body)
				}
			}
		}
		impersonator.Post("/api/v1/platform/impersonation/stop", nil).RequireStatus(t, http.StatusOK)
		impersonator.Get("/api/v1/platform/users").RequireStatus(t, http.StatusOK)
		t.Logf("%d platform routes checked", len(routes))
	})
}
