package featureflags_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/groundworkhq/groundwork/testkit"
)

// OFREP's shapes and codes, and the evaluation context taken from the
// session whatever the body claims.
func TestOFREP(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, h handles) {
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		acc := a.SignUp(t, testkit.NewEmail("own"), "Olga", true)
		org := organization(t, acc.Client, "ofrep-org")
		admin.Do(http.MethodPut, "/api/v1/platform/feature-flags/theme/organizations/"+org.String(), map[string]any{"value": "dark"}).RequireStatus(t, http.StatusOK)

		var one map[string]any
		acc.Post("/ofrep/v1/evaluate/flags/theme", map[string]any{"context": map[string]any{"targetingKey": "someone-else"}}).
			RequireStatus(t, http.StatusOK).JSON(t, &one)
		if one["key"] != "theme" || one["value"] != "dark" || one["reason"] != "TARGETING_MATCH" || one["variant"] != "organization-override" {
			t.Fatalf("single = %v", one)
		}
		// Anonymous, claiming the organization in the body: the global value.
		a.Client().Post("/ofrep/v1/evaluate/flags/theme", map[string]any{"context": map[string]any{"targetingKey": org.String(), "organizationId": org.String()}}).
			RequireStatus(t, http.StatusOK).JSON(t, &one)
		if one["value"] != "light" {
			t.Fatalf("anonymous claiming the organization = %v", one)
		}
		for key, want := range map[string]int{"nope": http.StatusNotFound, "internal-tool": http.StatusNotFound, "export-limit": http.StatusNotFound} {
			r := acc.Post("/ofrep/v1/evaluate/flags/"+key, map[string]any{"context": map[string]any{}})
			var e map[string]any
			r.RequireStatus(t, want).JSON(t, &e)
			if e["key"] != key || e["errorCode"] != "FLAG_NOT_FOUND" || e["errorDetails"] == "" {
				t.Errorf("%s = %v", key, e)
			}
		}
		for body, code := range map[string]string{`{"context": `: "PARSE_ERROR", `{"context": 3}`: "INVALID_CONTEXT", `[1]`: "INVALID_CONTEXT", `{} {}`: "PARSE_ERROR"} {
			var e map[string]any
			acc.Do(http.MethodPost, "/ofrep/v1/evaluate/flags/theme", body).RequireStatus(t, http.StatusBadRequest).JSON(t, &e)
			if e["errorCode"] != code {
				t.Errorf("%q = %v, want %s", body, e, code)
			}
		}

		// Bulk, with its ETag.
		r := acc.Post("/ofrep/v1/evaluate/flags", map[string]any{"context": map[string]any{}}).RequireStatus(t, http.StatusOK)
		var bulk struct {
			Flags []map[string]any `json:"flags"`
		}
		if err := json.Unmarshal(r.Body, &bulk); err != nil || len(bulk.Flags) != 2 {
			t.Fatalf("bulk = %s", r.Body)
		}
		etag := r.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		acc.Do(http.MethodPost, "/ofrep/v1/evaluate/flags", map[string]any{"context": map[string]any{}}, "If-None-Match", etag).RequireStatus(t, http.StatusNotModified)
		admin.Do(http.MethodPut, "/api/v1/platform/feature-flags/beta-dashboard/global", map[string]any{"value": true}).RequireStatus(t, http.StatusOK)
		r2 := acc.Do(http.MethodPost, "/ofrep/v1/evaluate/flags", map[string]any{"context": map[string]any{}}, "If-None-Match", etag).RequireStatus(t, http.StatusOK)
		if r2.Header.Get("ETag") == etag {
			t.Fatal("the ETag did not change with the answer")
		}
		acc.Do(http.MethodPost, "/ofrep/v1/evaluate/flags", "not json").RequireStatus(t, http.StatusBadRequest)
		_ = h
	})
}
