package featureflags_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/featureflags"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// handles are the flags the tests declare in code.
type handles struct {
	beta   *featureflags.Flag[bool]
	theme  *featureflags.Flag[string]
	limit  *featureflags.Flag[int64]
	secret *featureflags.Flag[bool]
}

// boot starts an app with the test flags declared, as a product does.
func boot(t testing.TB, dialect db.Dialect, opts ...testkit.Option) (*testkit.App, handles) {
	t.Helper()
	a := testkit.New(t, dialect, append([]testkit.Option{testkit.WithoutMigrations()}, opts...)...)
	var h handles
	var err error
	ff := a.FeatureFlags()
	must := func(e error) {
		if e != nil {
			t.Fatal(e)
		}
	}
	h.beta, err = featureflags.Bool(ff, "beta-dashboard", false, "The new dashboard.", featureflags.ClientVisible(), featureflags.OrgConfigurable())
	must(err)
	h.theme, err = featureflags.String(ff, "theme", "light", "The default theme.", featureflags.ClientVisible())
	must(err)
	h.limit, err = featureflags.Int(ff, "export-limit", 100, "Rows per export.")
	must(err)
	h.secret, err = featureflags.Bool(ff, "internal-tool", false, "Never leaves the server.")
	must(err)
	must(a.Migrate(t.Context()))
	must(a.Start(context.Background()))
	return a, h
}

func run(t *testing.T, fn func(t *testing.T, a *testkit.App, h handles)) {
	t.Helper()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) { a, h := boot(t, dialect); fn(t, a, h) })
}

// organization creates an organization of c's user and makes it active.
func organization(t *testing.T, c *testkit.Client, slug string) kernel.OrganizationID {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	c.Post("/api/organizations", map[string]any{"name": slug, "slug": slug}).RequireStatus(t, http.StatusCreated).JSON(t, &o)
	c.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
	return kernel.MustParseID[kernel.OrganizationKind](o.ID)
}

type evaluated struct {
	Key     string `json:"key"`
	Value   any    `json:"value"`
	Reason  string `json:"reason"`
	Variant string `json:"variant"`
}

func visible(t testing.TB, c *testkit.Client) map[string]evaluated {
	t.Helper()
	var out struct {
		Flags []evaluated `json:"flags"`
	}
	c.Get("/api/feature-flags").RequireStatus(t, http.StatusOK).JSON(t, &out)
	m := map[string]evaluated{}
	for _, f := range out.Flags {
		m[f.Key] = f
	}
	return m
}

// ctxOf is a request context of the user in org, as the session gives it.
func ctxOf(user kernel.UserID, org kernel.OrganizationID) context.Context {
	ctx := kernel.WithPrincipal(context.Background(), kernel.Principal{UserID: user})
	if !org.IsZero() {
		ctx = kernel.WithOrganization(ctx, kernel.OrganizationContext{OrganizationID: org})
	}
	return ctx
}

// The precedence end to end: global, rollout, plan, organization and
// user overrides, kill switch — through the admin routes, read by the
// typed handles and GET /api/feature-flags; hidden flags never leave.
func TestPrecedence(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, h handles) {
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		acc := a.SignUp(t, testkit.NewEmail("own"), "Olga", true)
		org := organization(t, acc.Client, "acme-flags")
		ctx := ctxOf(acc.ID, org)
		base := "/api/v1/platform/feature-flags/beta-dashboard"

		if h.beta.Value(ctx) || h.theme.Value(ctx) != "light" || h.limit.Value(ctx) != 100 {
			t.Fatal("defaults wrong")
		}
		flags := visible(t, acc.Client)
		if len(flags) != 2 || flags["beta-dashboard"].Reason != "DEFAULT" || flags["theme"].Value != "light" {
			t.Fatalf("visible = %+v", flags)
		}
		admin.Do(http.MethodPut, base+"/global", map[string]any{"value": true}).RequireStatus(t, http.StatusOK)
		if !h.beta.Value(ctx) {
			t.Fatal("global true not seen")
		}
		if f := visible(t, a.Client())["beta-dashboard"]; f.Value != true || f.Reason != "STATIC" {
			t.Fatalf("anonymous = %+v", f)
		}
		admin.Do(http.MethodPut, base+"/organizations/"+org.String(), map[string]any{"value": false}).RequireStatus(t, http.StatusOK)
		if h.beta.Value(ctx) {
			t.Fatal("organization override not seen")
		}
		if f := visible(t, acc.Client)["beta-dashboard"]; f.Reason != "TARGETING_MATCH" || f.Variant != "organization-override" {
			t.Fatalf("with the override = %+v", f)
		}
		admin.Do(http.MethodPut, base+"/users/"+acc.ID.String(), map[string]any{"value": true}).RequireStatus(t, http.StatusOK)
		if !h.beta.Value(ctx) || h.beta.Value(ctxOf(kernel.NewID[kernel.UserKind](), org)) {
			t.Fatal("user override above organization's not seen")
		}
		admin.Do(http.MethodPut, base+"/kill-switch", map[string]any{"enabled": true}).RequireStatus(t, http.StatusOK)
		if h.beta.Value(ctx) || visible(t, acc.Client)["beta-dashboard"].Reason != "DISABLED" {
			t.Fatal("kill switch not above everything")
		}
		admin.Do(http.MethodPut, base+"/kill-switch", map[string]any{"enabled": false}).RequireStatus(t, http.StatusOK)
		admin.Do(http.MethodDelete, base+"/users/"+acc.ID.String(), nil).RequireStatus(t, http.StatusNoContent)
		admin.Do(http.MethodDelete, base+"/organizations/"+org.String(), nil).RequireStatus(t, http.StatusNoContent)

		// Rollout at 100% for an organization, 0% for another flag; the plan rule.
		admin.Do(http.MethodPut, "/api/v1/platform/feature-flags/export-limit/rollout", map[string]any{"percentage": 100, "value": 500}).RequireStatus(t, http.StatusOK)
		if h.limit.Value(ctx) != 500 || h.limit.Value(ctxOf(acc.ID, kernel.OrganizationID{})) != 100 {
			t.Fatal("rollout by organization wrong")
		}
		admin.Do(http.MethodPut, "/api/v1/platform/feature-flags/export-limit/plans", map[string]any{"plans": []string{"free"}, "value": 7}).RequireStatus(t, http.StatusOK)
		if got := h.limit.Value(ctx); got != 7 {
			t.Fatalf("plan rule (free) = %d", got)
		}
		// Hidden flags never leave the server.
		if _, ok := visible(t, acc.Client)["internal-tool"]; ok {
			t.Fatal("a hidden flag was listed")
		}
		var got struct {
			Items []map[string]any `json:"items"`
		}
		admin.Get("/api/v1/platform/feature-flags").RequireStatus(t, http.StatusOK).JSON(t, &got)
		if len(got.Items) != 4 {
			t.Fatalf("admin list = %d flags", len(got.Items))
		}
		// The writes are audited with before and after.
		testkit.Eventually(t, "the audit entries", func() bool {
			var n int
			_ = a.DB().Q(t.Context()).QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_entries WHERE target_type = 'feature_flag'`).Scan(&n)
			return n >= 8
		})
	})
}

// Runtime flags: created by a platform admin, evaluated by key and OFREP,
// archived; bad input is 422 naming the field, 404 and 409.
func TestRuntimeFlags_andBadInput(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, h handles) {
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		base := "/api/v1/platform/feature-flags"
		admin.Post(base, map[string]any{"key": "banner", "type": "object", "default": map[string]any{"text": "hi"}, "clientVisible": true}).RequireStatus(t, http.StatusCreated)
		admin.Post(base, map[string]any{"key": "banner", "type": "boolean", "default": false}).RequireProblem(t, http.StatusConflict, "featureflags.exists")
		admin.Post(base, map[string]any{"key": "theme", "type": "string", "default": "x"}).RequireProblem(t, http.StatusConflict, "featureflags.exists")
		admin.Post(base, map[string]any{"key": "Bad Key", "type": "boolean", "default": false}).RequireStatus(t, http.StatusUnprocessableEntity)
		admin.Post(base, map[string]any{"key": "n", "type": "integer", "default": "ten"}).RequireProblem(t, http.StatusUnprocessableEntity, "featureflags.invalid_value")
		if f := visible(t, a.Client())["banner"]; f.Value.(map[string]any)["text"] != "hi" {
			t.Fatalf("banner = %+v", f)
		}
		admin.Do(http.MethodPut, base+"/theme/global", map[string]any{"value": 3}).RequireProblem(t, http.StatusUnprocessableEntity, "featureflags.invalid_value")
		p := admin.Do(http.MethodPut, base+"/theme/rollout", map[string]any{"percentage": 101, "value": "dark"}).RequireProblem(t, http.StatusUnprocessableEntity, "featureflags.invalid_percentage")
		if len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Location, "percentage") {
			t.Errorf("percentage field error = %+v", p.Errors)
		}
		admin.Do(http.MethodPut, base+"/theme/plans", map[string]any{"plans": []string{"platinum"}, "value": "dark"}).RequireProblem(t, http.StatusUnprocessableEntity, "featureflags.unknown_plan")
		admin.Do(http.MethodPut, base+"/nope/global", map[string]any{"value": true}).RequireProblem(t, http.StatusNotFound, "featureflags.not_found")
		admin.Do(http.MethodPut, base+"/theme/organizations/not-an-id", map[string]any{"value": "x"}).RequireStatus(t, http.StatusNotFound)
		admin.Post(base+"/theme/archive", nil).RequireProblem(t, http.StatusConflict, "featureflags.declared")
		admin.Post(base+"/banner/archive", nil).RequireStatus(t, http.StatusNoContent)
		if _, ok := visible(t, a.Client())["banner"]; ok {
			t.Fatal("an archived flag is listed")
		}
		// Not a platform admin.
		acc := a.SignUp(t, testkit.NewEmail("user"), "Ursula", true)
		acc.Get(base).RequireStatus(t, http.StatusForbidden)
		_ = h
	})
}

// An organization's admins switch an orgConfigurable flag for their own
// organization (featureflags:manage); a member cannot; a flag not
// configurable is 403.
func TestOrganizationSwitch(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, h handles) {
		owner := a.SignUp(t, testkit.NewEmail("own"), "Olga", true)
		org := organization(t, owner.Client, "beta-org")
		owner.Do(http.MethodPut, "/api/feature-flags/beta-dashboard/organization", map[string]any{"value": true}).RequireStatus(t, http.StatusNoContent)
		if !h.beta.Value(ctxOf(owner.ID, org)) || h.beta.Value(ctxOf(owner.ID, kernel.NewID[kernel.OrganizationKind]())) {
			t.Fatal("the organization's switch is not its own")
		}
		owner.Do(http.MethodPut, "/api/feature-flags/theme/organization", map[string]any{"value": "dark"}).RequireProblem(t, http.StatusForbidden, "featureflags.not_configurable")
		owner.Do(http.MethodPut, "/api/feature-flags/beta-dashboard/organization", map[string]any{"value": "yes"}).RequireProblem(t, http.StatusUnprocessableEntity, "featureflags.invalid_value")
		member := a.SignUp(t, testkit.NewEmail("mem"), "Mem", true)
		if err := a.Tenancy().AddMember(t.Context(), owner.ID, org, member.ID); err != nil {
			t.Fatal(err)
		}
		member.Post("/api/organizations/active", map[string]any{"organizationId": org.String()}).RequireStatus(t, http.StatusOK)
		member.Do(http.MethodPut, "/api/feature-flags/beta-dashboard/organization", map[string]any{"value": false}).RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		if f := visible(t, member.Client)["beta-dashboard"]; f.Value != true {
			t.Fatalf("the member sees %+v", f)
		}
		owner.Do(http.MethodDelete, "/api/feature-flags/beta-dashboard/organization", nil).RequireStatus(t, http.StatusNoContent)
		if h.beta.Value(ctxOf(owner.ID, org)) {
			t.Fatal("cleared switch still on")
		}
	})
}

// A write in one process changes another's answer within a second: on
// PostgreSQL through LISTEN/NOTIFY, on SQLite through the polled table.
func TestAnotherProcess(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, h handles) {
		env := []string{"DATA_DIR", a.Config.Database.DataDir}
		if a.Dialect == db.Postgres {
			env = append(env, "DATABASE_URL", a.Config.Database.URL)
		}
		b, _ := boot(t, a.Dialect, testkit.WithEnv(env...))
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		// The other process answers from its memory first.
		if visible(t, b.Client())["theme"].Value != "light" {
			t.Fatal("the other process does not answer")
		}
		admin.Do(http.MethodPut, "/api/v1/platform/feature-flags/theme/global", map[string]any{"value": "dark"}).RequireStatus(t, http.StatusOK)
		start := time.Now()
		testkit.EventuallyWithin(t, "the other process sees the write", time.Second, func() bool {
			return visible(t, b.Client())["theme"].Value == "dark"
		})
		t.Logf("seen after %v", time.Since(start))
		_ = h
	})
}
