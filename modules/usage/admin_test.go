package usage_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/testkit"
)

type adminMeterJSON struct {
	meterJSON
	PlanLimit int64 `json:"planLimit"`
	Override  *struct {
		Limit  int64     `json:"limit"`
		Reason string    `json:"reason"`
		SetBy  string    `json:"setBy"`
		SetAt  time.Time `json:"setAt"`
	} `json:"override"`
}

type adminUsageJSON struct {
	OrganizationID string           `json:"organizationId"`
	Name           string           `json:"name"`
	Plan           string           `json:"plan"`
	Meters         []adminMeterJSON `json:"meters"`
}

func adminMeter(t *testing.T, c *testkit.Client, org kernel.OrganizationID, meter string) adminMeterJSON {
	t.Helper()
	var out adminUsageJSON
	c.Get("/api/v1/platform/usage/organizations/"+org.String()).RequireStatus(t, http.StatusOK).JSON(t, &out)
	for _, m := range out.Meters {
		if m.Meter == meter {
			return m
		}
	}
	t.Fatalf("no %s in %+v", meter, out)
	return adminMeterJSON{}
}

func put(c *testkit.Client, path string, body any) *testkit.Response {
	return c.Do(http.MethodPut, path, body)
}

// A platform admin sees an organization's meters, overrides a cap with a
// reason (the increment counts against it at once), resets a count and
// clears the override; each change is in the organization's audit chain.
func TestAdmin_overrideAndReset(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc, org := owner(t, a, "overridden")
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		base := "/api/v1/platform/usage/organizations/" + org.String()
		inc(t, a, org, ticketsCreated.Key, 5)
		refused(t, a, org, ticketsCreated.Key, 1)

		var u adminUsageJSON
		admin.Get(base).RequireStatus(t, http.StatusOK).JSON(t, &u)
		if u.OrganizationID != org.String() || u.Name != "overridden" || u.Plan != "free" || len(u.Meters) != len(testMeters) {
			t.Fatalf("usage = %+v", u)
		}
		if m := u.Meters[0]; m.Meter != ticketsCreated.Key || m.Used != 5 || m.Limit != 5 || m.PlanLimit != 5 || m.Override != nil {
			t.Fatalf("tickets_created = %+v", m)
		}

		// Raise the cap: the next increments count against it.
		var m adminMeterJSON
		put(admin.Client, base+"/overrides/tickets_created", map[string]any{"limit": 8, "reason": "  support ticket 4711 "}).
			RequireStatus(t, http.StatusOK).JSON(t, &m)
		if m.Limit != 8 || m.PlanLimit != 5 || m.Remaining != 3 || m.Override == nil || m.Override.Limit != 8 ||
			m.Override.Reason != "support ticket 4711" || m.Override.SetBy != admin.ID.String() {
			t.Fatalf("after the override = %+v (%+v)", m, m.Override)
		}
		if left := inc(t, a, org, ticketsCreated.Key, 3); left != 0 {
			t.Errorf("remaining = %d", left)
		}
		if qe := refused(t, a, org, ticketsCreated.Key, 1); qe.Limit != 8 || qe.Used != 8 {
			t.Errorf("refusal = %+v", qe)
		}
		if items := listUsage(t, acc.Client); items[0].Limit != 8 || items[0].Used != 8 {
			t.Errorf("the owner sees %+v", items[0])
		}
		// Unlimited, and a meter the plan does not include made available.
		put(admin.Client, base+"/overrides/projects", map[string]any{"limit": -1, "reason": "enterprise pilot"}).RequireStatus(t, http.StatusOK)
		if left := inc(t, a, org, projects.Key, 100); left != usage.Unlimited {
			t.Errorf("unlimited remaining = %d", left)
		}
		put(admin.Client, base+"/overrides/custom_domains", map[string]any{"limit": 1, "reason": "trial of domains"}).RequireStatus(t, http.StatusOK)
		inc(t, a, org, customDomains.Key, 1)
		refused(t, a, org, customDomains.Key, 1)
		// Lowering the cap below what is used keeps the count and refuses.
		put(admin.Client, base+"/overrides/tickets_created", map[string]any{"limit": 6, "reason": "back to normal-ish"}).RequireStatus(t, http.StatusOK)
		if st := check(t, a, org, ticketsCreated.Key); st.Used != 8 || st.Limit != 6 || st.Remaining != 0 || st.PlanLimit != 5 {
			t.Errorf("lowered = %+v", st)
		}

		// Reset: the window counts from zero again, against the override.
		admin.Post(base+"/meters/tickets_created/reset", map[string]any{"reason": "customer double-submitted"}).
			RequireStatus(t, http.StatusOK).JSON(t, &m)
		if m.Used != 0 || m.Limit != 6 || m.Remaining != 6 {
			t.Errorf("after the reset = %+v", m)
		}
		inc(t, a, org, ticketsCreated.Key, 6)
		refused(t, a, org, ticketsCreated.Key, 1)
		// Nothing to reset: no change, no entry.
		admin.Post(base+"/meters/reports/reset", map[string]any{"reason": "nothing counted yet"}).RequireStatus(t, http.StatusOK)

		// Clear: the plan's cap again.
		admin.Do(http.MethodDelete, base+"/overrides/tickets_created", nil).RequireStatus(t, http.StatusNoContent)
		if m := adminMeter(t, admin.Client, org, ticketsCreated.Key); m.Override != nil || m.Limit != 5 || m.Used != 6 {
			t.Errorf("after clearing = %+v", m)
		}
		refused(t, a, org, ticketsCreated.Key, 1)
		admin.Do(http.MethodDelete, base+"/overrides/tickets_created", nil).RequireProblem(t, http.StatusNotFound, "usage.override_not_found")

		// The audit log: who, what, why.
		var entries struct {
			Items []struct {
				Action     string         `json:"action"`
				ActorID    string         `json:"actorId"`
				TargetType string         `json:"targetType"`
				TargetID   string         `json:"targetId"`
				Metadata   map[string]any `json:"metadata"`
			} `json:"items"`
		}
		acc.Get("/api/audit?action=usage.").RequireStatus(t, http.StatusOK).JSON(t, &entries)
		count := map[string]int{}
		for _, e := range entries.Items {
			count[e.Action]++
			if e.ActorID != admin.ID.String() || e.TargetType != "usage_meter" {
				t.Errorf("entry = %+v", e)
			}
			if e.Action == "usage.counter_reset" && (e.TargetID != "tickets_created" || e.Metadata["used"] != float64(8) ||
				e.Metadata["reason"] != "customer double-submitted") {
				t.Errorf("reset entry = %+v", e)
			}
		}
		if count["usage.override_set"] != 4 || count["usage.counter_reset"] != 1 || count["usage.override_cleared"] != 1 {
			t.Errorf("audit entries = %v", count)
		}
	})
}

// Bad requests are refused with the field named, and nothing changes; an
// unknown meter or organization is 404; only platform admins get in.
func TestAdmin_badInput(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc, org := owner(t, a, "refusing")
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		base := "/api/v1/platform/usage/organizations/" + org.String()
		for _, tc := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"cap below -1", map[string]any{"limit": -2, "reason": "a good reason"}, "body.limit"},
			{"short reason", map[string]any{"limit": 3, "reason": "  ab  "}, "body.reason"},
		} {
			p := put(admin.Client, base+"/overrides/tickets_created", tc.body).RequireProblem(t, http.StatusUnprocessableEntity, usage.CodeInvalidOverride)
			if _, ok := p.Field(tc.field); !ok {
				t.Errorf("%s: fields = %+v", tc.name, p.Errors)
			}
		}
		put(admin.Client, base+"/overrides/tickets_created", map[string]any{"limit": 3}).RequireStatus(t, http.StatusUnprocessableEntity)
		put(admin.Client, base+"/overrides/tickets_created", map[string]any{"reason": "no limit given"}).RequireStatus(t, http.StatusUnprocessableEntity)
		put(admin.Client, base+"/overrides/tickets_created", map[string]any{"limit": "3", "reason": "a string limit"}).RequireStatus(t, http.StatusUnprocessableEntity)
		admin.Post(base+"/meters/tickets_created/reset", map[string]any{"reason": "x"}).RequireProblem(t, http.StatusUnprocessableEntity, usage.CodeInvalidOverride)
		if m := adminMeter(t, admin.Client, org, ticketsCreated.Key); m.Override != nil || m.Limit != 5 {
			t.Errorf("after refusals = %+v", m)
		}

		put(admin.Client, base+"/overrides/nope", map[string]any{"limit": 3, "reason": "a good reason"}).RequireProblem(t, http.StatusNotFound, usage.CodeUnknownMeter)
		admin.Post(base+"/meters/nope/reset", map[string]any{"reason": "a good reason"}).RequireProblem(t, http.StatusNotFound, usage.CodeUnknownMeter)
		stranger := "/api/v1/platform/usage/organizations/" + newOrg().String()
		admin.Get(stranger).RequireProblem(t, http.StatusNotFound, "usage.organization_not_found")
		put(admin.Client, stranger+"/overrides/tickets_created", map[string]any{"limit": 3, "reason": "a good reason"}).
			RequireProblem(t, http.StatusNotFound, "usage.organization_not_found")
		admin.Get("/api/v1/platform/usage/organizations/not-an-id").RequireProblem(t, http.StatusNotFound, "usage.organization_not_found")
		if n := rows(t, a, "usage_overrides", kernel.OrganizationID{}); n != 0 {
			t.Errorf("%d overrides stored", n)
		}

		// Not a platform admin: the owner of the organization itself.
		acc.Get(base).RequireProblem(t, http.StatusForbidden, "platform.forbidden")
		put(acc.Client, base+"/overrides/tickets_created", map[string]any{"limit": 99, "reason": "I want more"}).
			RequireProblem(t, http.StatusForbidden, "platform.forbidden")
		a.Client().Get(base).RequireStatus(t, http.StatusUnauthorized)
	})
}

// The platform overview lists the counters closest to their caps, the
// closest first, and counts those at 80% and 100%.
func TestAdmin_overview(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		full, near, calm := newOrg(), newOrg(), newOrg()
		inc(t, a, full, ticketsCreated.Key, 5) // 100%
		inc(t, a, near, apiCalls.Key, 45)      // 90%
		inc(t, a, near, ticketsCreated.Key, 4) // 80%
		inc(t, a, calm, ticketsCreated.Key, 1) // 20%
		inc(t, a, calm, exports.Key, 500)      // unlimited
		var out struct {
			Usage struct {
				Enforced bool `json:"enforced"`
				Warning  int  `json:"warning"`
				Reached  int  `json:"reached"`
				Closest  []struct {
					OrganizationID string     `json:"organizationId"`
					Meter          string     `json:"meter"`
					Used           int64      `json:"used"`
					Limit          int64      `json:"limit"`
					Percent        int64      `json:"percent"`
					ResetsAt       *time.Time `json:"resetsAt"`
				} `json:"closest"`
			} `json:"usage"`
		}
		admin.Get("/api/v1/platform/overview").RequireStatus(t, http.StatusOK).JSON(t, &out)
		u := out.Usage
		if !u.Enforced || u.Warning != 2 || u.Reached != 1 || len(u.Closest) != 3 {
			t.Fatalf("usage section = %+v", u)
		}
		want := []struct {
			org     kernel.OrganizationID
			meter   string
			percent int64
		}{{full, "tickets_created", 100}, {near, "api_calls", 90}, {near, "tickets_created", 80}}
		for i, w := range want {
			c := u.Closest[i]
			if c.OrganizationID != w.org.String() || c.Meter != w.meter || c.Percent != w.percent || c.ResetsAt == nil {
				t.Errorf("closest[%d] = %+v, want %+v", i, c, w)
			}
		}
		// A window that ended is no longer close to anything.
		a.Clock.Set(date(2026, 2, 1, 1))
		admin.Post("/api/auth/sign-in/email", map[string]any{"email": admin.Email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)
		admin.Get("/api/v1/platform/overview").RequireStatus(t, http.StatusOK).JSON(t, &out)
		if out.Usage.Reached != 0 || out.Usage.Warning != 0 || len(out.Usage.Closest) != 0 {
			t.Errorf("after the month = %+v", out.Usage)
		}
	})
}
