package storage_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/testkit"
)

// orgLogo is the organization's logo as tenancy shows it.
func orgLogo(t testing.TB, c *testkit.Client, org string) *string {
	t.Helper()
	var o struct {
		Logo *string `json:"logo"`
	}
	c.Get("/api/organizations/"+org).RequireStatus(t, http.StatusOK).JSON(t, &o)
	return o.Logo
}

// An owner uploads the organization's logo (shown on the organization,
// served forever-cached), replaces and removes it; a member without
// organization:update is 403; someone outside is 404, as is another
// organization's logo; deleting the organization deletes its logo.
func TestLogo(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("own"), "Owen", true)
		org := organization(t, owner.Client, "acme-logo").String()
		path := "/api/organizations/" + org + "/logo"
		url := urlOf(t, putRaw(owner.Client, path, pngOf(t, 800, 800, 2), "image/png"), "logo")
		if !strings.Contains(url, "/uploads/logos/"+org+"-") || !strings.HasSuffix(url, ".png") {
			t.Fatalf("logo url = %q", url)
		}
		if l := orgLogo(t, owner.Client, org); l == nil || *l != url {
			t.Fatalf("organization logo = %v", l)
		}
		if st, _, h := fetch(t, url); st != http.StatusOK || h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Fatalf("GET logo = %d %v", st, h)
		}

		// A member (no organization:update) and an outsider.
		member := a.SignUp(t, testkit.NewEmail("mem"), "Mem", true)
		if err := a.Tenancy().AddMember(t.Context(), owner.ID, mustOrg(t, org), member.ID); err != nil {
			t.Fatal(err)
		}
		putRaw(member.Client, path, pngOf(t, 8, 8, 3), "image/png").RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		member.Do(http.MethodDelete, path, nil).RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		outsider := a.SignUp(t, testkit.NewEmail("out"), "Otto", true)
		other := organization(t, outsider.Client, "other-logo").String()
		putRaw(outsider.Client, path, pngOf(t, 8, 8, 4), "image/png").RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		putRaw(owner.Client, "/api/organizations/"+other+"/logo", pngOf(t, 8, 8, 4), "image/png").RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		putRaw(owner.Client, "/api/organizations/not-an-id/logo", pngOf(t, 8, 8, 4), "image/png").RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		putRaw(owner.Client, path, []byte("<svg/>"), "image/svg+xml").RequireProblem(t, http.StatusUnsupportedMediaType, "storage.unsupported_type")
		if l := orgLogo(t, owner.Client, org); l == nil || *l != url {
			t.Fatalf("logo changed to %v", l)
		}

		next := urlOf(t, putRaw(owner.Client, path, jpegOf(t, 100, 60), "image/jpeg"), "logo")
		testkit.Eventually(t, "the replaced logo deleted", func() bool { st, _, _ := fetch(t, url); return st == http.StatusNotFound })
		owner.Do(http.MethodDelete, path, nil).RequireStatus(t, http.StatusOK)
		if l := orgLogo(t, owner.Client, org); l != nil {
			t.Fatalf("logo after removal = %q", *l)
		}
		testkit.Eventually(t, "the removed logo deleted", func() bool { st, _, _ := fetch(t, next); return st == http.StatusNotFound })

		// The organization's deletion deletes its logo.
		last := urlOf(t, putRaw(owner.Client, path, pngOf(t, 30, 30, 9), "image/png"), "logo")
		owner.Do(http.MethodDelete, "/api/organizations/"+org, map[string]any{"confirm": "acme-logo"}).RequireStatus(t, http.StatusNoContent)
		testkit.Eventually(t, "the deleted organization's logo deleted", func() bool {
			st, _, _ := fetch(t, last)
			_, kept := objects(t, a)[keyOf(last)]
			return st == http.StatusNotFound && !kept
		})
	})
}
