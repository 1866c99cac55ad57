package tenancy_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/tenancy"
	"github.com/groundworkhq/groundwork/testkit"
)

func TestOrganizations_Lifecycle(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)

		// Anonymous: 401 everywhere.
		a.Client().Get("/api/organizations").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		a.Client().Post("/api/organizations", map[string]any{"name": "X"}).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")

		// No organization yet.
		var act activeJSON
		owner.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
		if act.Organization != nil || act.Role != "" {
			t.Fatalf("active before any = %+v", act)
		}

		r := owner.Post("/api/organizations", map[string]any{"name": "Acme Inc."}).RequireStatus(t, http.StatusCreated)
		var o orgJSON
		r.JSON(t, &o)
		if o.Slug != "acme-inc" || o.Role != "owner" || o.Name != "Acme Inc." {
			t.Fatalf("created = %+v", o)
		}
		found := false
		for _, c := range r.Cookies() {
			found = found || (c.Name == tenancy.ActiveCookieName && c.Value == o.ID)
		}
		if !found {
			t.Errorf("create did not set the active cookie: %q", r.Header.Values("Set-Cookie"))
		}
		owner.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
		if act.Organization == nil || act.Organization.ID != o.ID || act.Role != "owner" || len(act.Grants) != 1 || act.Grants[0] != "*" {
			t.Fatalf("active = %+v", act)
		}

		// By ID and by slug.
		var got orgJSON
		owner.Get("/api/organizations/"+o.ID).RequireStatus(t, http.StatusOK).JSON(t, &got)
		owner.Get("/api/organizations/acme-inc").RequireStatus(t, http.StatusOK).JSON(t, &got)
		if got.ID != o.ID || got.Role != "owner" {
			t.Fatalf("get = %+v", got)
		}

		// Bad input.
		p := owner.Post("/api/organizations", map[string]any{"name": "", "slug": "-bad-"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_organization")
		if len(p.Errors) != 2 {
			t.Errorf("field errors = %+v", p.Errors)
		}
		owner.Post("/api/organizations", map[string]any{"name": "Other", "slug": "acme-inc"}).RequireProblem(t, http.StatusConflict, "tenancy.slug_taken")
		owner.Post("/api/organizations", map[string]any{"name": "Other", "slug": "api"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.invalid_organization")
		owner.Post("/api/organizations", `{"name":`).RequireStatus(t, http.StatusBadRequest)

		// Update.
		a.Clock.Advance(time.Minute)
		other := createOrg(t, owner.Client, "Beta", "beta")
		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID, map[string]any{"slug": "beta"}).RequireProblem(t, http.StatusConflict, "tenancy.slug_taken")
		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID, map[string]any{"name": "Acme 2", "slug": "acme-two"}).RequireStatus(t, http.StatusOK).JSON(t, &got)
		if got.Name != "Acme 2" || got.Slug != "acme-two" {
			t.Fatalf("patched = %+v", got)
		}
		owner.Get("/api/organizations/acme-inc").RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")

		// List: most recently used first (beta was created, so used, last).
		var list page[orgJSON]
		owner.Get("/api/organizations").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 2 || list.Items[0].ID != other.ID || list.Items[1].Role != "owner" {
			t.Fatalf("list = %+v", list.Items)
		}
		a.Clock.Advance(time.Minute)
		owner.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
		owner.Get("/api/organizations").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if list.Items[0].ID != o.ID {
			t.Fatalf("after switching, list = %+v", list.Items)
		}

		// Delete: confirmed by the slug.
		owner.Do(http.MethodDelete, "/api/organizations/"+o.ID, nil).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.confirmation_mismatch")
		owner.Do(http.MethodDelete, "/api/organizations/"+o.ID, map[string]any{"confirm": "beta"}).RequireProblem(t, http.StatusUnprocessableEntity, "tenancy.confirmation_mismatch")
		owner.Do(http.MethodDelete, "/api/organizations/"+o.ID, map[string]any{"confirm": "acme-two"}).RequireStatus(t, http.StatusNoContent)
		owner.Get("/api/organizations/"+o.ID).RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		owner.Get("/api/organizations").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != other.ID {
			t.Fatalf("after delete, list = %+v", list.Items)
		}
		owner.Do(http.MethodDelete, "/api/organizations/"+other.ID+"?confirm=beta", nil).RequireStatus(t, http.StatusNoContent)
	})
}
