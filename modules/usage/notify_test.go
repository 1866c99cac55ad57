package usage_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/testkit"
)

type inAppJSON struct {
	Type  string         `json:"type"`
	Title string         `json:"title"`
	Body  string         `json:"body"`
	Link  string         `json:"link"`
	Data  map[string]any `json:"data"`
}

func usageInApp(t *testing.T, c *testkit.Client) []inAppJSON {
	t.Helper()
	var page struct {
		Items []inAppJSON `json:"items"`
	}
	c.Get("/api/notifications?limit=100").RequireStatus(t, http.StatusOK).JSON(t, &page)
	return slices.DeleteFunc(page.Items, func(n inAppJSON) bool { return n.Type != "usage.threshold_reached" })
}

// Crossing 80% and 100% of a cap emails and notifies the owners once per
// threshold and window; a lifetime meter's says it does not reset.
func TestThresholdNotifications(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc, org := owner(t, a, "notified")
		inc(t, a, org, ticketsCreated.Key, 3) // 60%: nothing
		inc(t, a, org, ticketsCreated.Key, 1) // 80%
		warn := a.WaitEmail(t, acc.Email, "usage_threshold")
		if warn.Subject != "notified has used 80% of its tickets" ||
			!strings.Contains(warn.Text, "has used 4 of 5 tickets (80%) its free plan includes for Tickets opened") ||
			!strings.Contains(warn.Text, "until the quota starts again on") {
			t.Errorf("80%% email = %q\n%s", warn.Subject, warn.Text)
		}
		inc(t, a, org, ticketsCreated.Key, 1) // 100%
		emails := a.WaitEmails(t, acc.Email, "usage_threshold", 2)
		if full := emails[1]; full.Subject != "notified has used all its tickets" ||
			!strings.Contains(full.Text, "has used all 5 tickets its free plan includes") {
			t.Errorf("100%% email = %q\n%s", full.Subject, full.Text)
		}
		// A lifetime meter filled at once: 100 only, with no reset date.
		inc(t, a, org, projects.Key, 2)
		emails = a.WaitEmails(t, acc.Email, "usage_threshold", 3)
		if p := emails[2]; p.Subject != "notified has used all its projects" || !strings.Contains(p.Text, "Nothing more can be counted on this plan.") {
			t.Errorf("lifetime email = %q\n%s", p.Subject, p.Text)
		}
		refused(t, a, org, ticketsCreated.Key, 1) // refusals notify nothing

		got := usageInApp(t, acc.Client)
		if len(got) != 3 {
			t.Fatalf("in-app = %+v", got)
		}
		// Newest first.
		if n := got[2]; n.Title != "notified has used 80% of its tickets" || n.Data["percent"] != float64(80) || n.Data["meter"] != "tickets_created" ||
			n.Data["resetsAt"] == nil || n.Data["limit"] != float64(5) || n.Data["plan"] != "free" {
			t.Errorf("80%% notification = %+v", n)
		}
		if n := got[1]; n.Title != "notified has used all its tickets" || n.Data["percent"] != float64(100) {
			t.Errorf("100%% notification = %+v", n)
		}
		if n := got[0]; n.Data["meter"] != "projects" || n.Data["resetsAt"] != nil {
			t.Errorf("lifetime notification = %+v", n)
		}

		// The next window arms them again.
		a.Clock.Set(date(2026, 2, 1, 1))
		acc.Post("/api/auth/sign-in/email", map[string]any{"email": acc.Email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)
		inc(t, a, org, ticketsCreated.Key, 4)
		a.WaitEmails(t, acc.Email, "usage_threshold", 4)
		time.Sleep(200 * time.Millisecond)
		if n := len(a.WaitEmails(t, acc.Email, "usage_threshold", 4)); n != 4 {
			t.Errorf("%d emails, want 4", n)
		}
	})
}
