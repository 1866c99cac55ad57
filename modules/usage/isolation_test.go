package usage_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/testkit"
)

// An organization's usage is its own: another organization's owner cannot
// make it their active one, reads only their own usage and history, and
// counting for them leaves it as it was.
func TestIsolation(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		ctx := t.Context()
		_, orgA := owner(t, a, "tenant-a")
		ownerB, orgB := owner(t, a, "tenant-b")
		inc(t, a, orgA, ticketsCreated.Key, 3)
		inc(t, a, orgA, projects.Key, 1)
		a.Clock.Set(date(2026, 2, 1, 1))
		if _, err := a.Usage().Rollover(ctx); err != nil {
			t.Fatal(err)
		}
		inc(t, a, orgA, ticketsCreated.Key, 2)
		state := func(org kernel.OrganizationID) ([]usage.Status, []usage.HistoryWindow) {
			t.Helper()
			list, err := a.Usage().Usage(ctx, org)
			if err != nil {
				t.Fatal(err)
			}
			h, err := a.Usage().History(ctx, org, ticketsCreated.Key, date(2000, 1, 1, 0), date(2100, 1, 1, 0), 0)
			if err != nil {
				t.Fatal(err)
			}
			return list, h
		}
		beforeList, beforeHistory := state(orgA)
		if len(beforeHistory) != 1 {
			t.Fatalf("A's history = %+v", beforeHistory)
		}

		// B's owner signs in again (the clock moved past the session) and
		// tries A.
		ownerB.Post("/api/auth/sign-in/email", map[string]any{"email": ownerB.Email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)
		ownerB.Post("/api/organizations/active", map[string]any{"organizationId": orgA.String()}).
			RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		ownerB.Post("/api/organizations/active", map[string]any{"organizationId": orgB.String()}).RequireStatus(t, http.StatusOK)
		for _, m := range listUsage(t, ownerB.Client) {
			if m.Used != 0 {
				t.Errorf("B sees %+v", m)
			}
		}
		if h := history(t, ownerB.Client, "/api/usage/tickets_created/history"); len(h) != 0 {
			t.Errorf("B sees the history %+v", h)
		}
		inc(t, a, orgB, ticketsCreated.Key, 5)
		refused(t, a, orgB, ticketsCreated.Key, 1)
		if err := a.Usage().Refund(ctx, orgB, ticketsCreated.Key, 5); err != nil {
			t.Fatal(err)
		}

		afterList, afterHistory := state(orgA)
		if !reflect.DeepEqual(beforeList, afterList) || !reflect.DeepEqual(beforeHistory, afterHistory) {
			t.Errorf("A changed:\nbefore %+v %+v\nafter  %+v %+v", beforeList, beforeHistory, afterList, afterHistory)
		}
	})
}
