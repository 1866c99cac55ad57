package featureflags_test

import (
	"net/http"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
)

// BenchmarkFlagValue evaluates a boolean flag with rules — a global
// value, a 50% rollout and 1,000 organization overrides — from a request
// context (a user and an active organization not overridden), as a
// handler calls it:
//
//	go test ./modules/featureflags -run '^$' -bench FlagValue -benchmem
func BenchmarkFlagValue(b *testing.B) {
	a, h := boot(b, db.SQLite)
	admin := a.SignUpPlatformAdmin(b, testkit.NewEmail("admin"), "Ada")
	base := "/api/v1/platform/feature-flags/beta-dashboard"
	for range 1000 { // written straight to the table, then loaded by the next write
		if _, err := a.DB().QW(b.Context()).Exec(b.Context(), `INSERT INTO featureflags_overrides
			(flag_key, scope, subject_id, value, updated_at) VALUES ('beta-dashboard', 'organization', $1, 'true', $2)`,
			kernel.NewID[kernel.OrganizationKind]().String(), a.Clock.Now()); err != nil {
			b.Fatal(err)
		}
	}
	admin.Do(http.MethodPut, base+"/global", map[string]any{"value": true}).RequireStatus(b, http.StatusOK)
	admin.Do(http.MethodPut, base+"/rollout", map[string]any{"percentage": 50, "value": false}).RequireStatus(b, http.StatusOK)
	var got struct {
		Organizations []any `json:"organizations"`
	}
	admin.Get(base).RequireStatus(b, http.StatusOK).JSON(b, &got)
	if len(got.Organizations) != 1000 {
		b.Fatalf("%d overrides loaded", len(got.Organizations))
	}
	ctx := ctxOf(kernel.NewID[kernel.UserKind](), kernel.NewID[kernel.OrganizationKind]())
	h.beta.Value(ctx) // loads
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		h.beta.Value(ctx)
	}
}
