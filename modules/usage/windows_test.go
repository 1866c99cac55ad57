package usage_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
)

func date(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

// window checks meter's current window for org: what it counts and its
// bounds.
func window(t *testing.T, a *testkit.App, org kernel.OrganizationID, meter string, used int64, start, resets time.Time) {
	t.Helper()
	st := check(t, a, org, meter)
	if st.Used != used || !st.WindowStart.Equal(start) || !st.ResetsAt.Equal(resets) {
		t.Fatalf("%s at %s: used %d in [%s, %s), want %d in [%s, %s)", meter, a.Clock.Now().Format(time.RFC3339),
			st.Used, st.WindowStart.Format(time.RFC3339), st.ResetsAt.Format(time.RFC3339),
			used, start.Format(time.RFC3339), resets.Format(time.RFC3339))
	}
}

// Without a subscription, windows are calendar months and years in UTC.
func TestWindows_calendar(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		org := newOrg()

		// A month's last instant, then its end.
		a.Clock.Set(time.Date(2026, 1, 31, 23, 59, 59, 999999000, time.UTC))
		inc(t, a, org, ticketsCreated.Key, 5)
		if qe := refused(t, a, org, ticketsCreated.Key, 1); !qe.ResetsAt.Equal(date(2026, 2, 1, 0)) {
			t.Fatalf("resets at %s", qe.ResetsAt)
		}
		a.Clock.Set(date(2026, 2, 1, 0))
		window(t, a, org, ticketsCreated.Key, 0, date(2026, 2, 1, 0), date(2026, 3, 1, 0))
		if left := inc(t, a, org, ticketsCreated.Key, 5); left != 0 {
			t.Fatalf("the new month left %d", left)
		}
		window(t, a, org, ticketsCreated.Key, 5, date(2026, 2, 1, 0), date(2026, 3, 1, 0))

		// February of a leap year ends after the 29th.
		a.Clock.Set(date(2028, 2, 29, 23))
		inc(t, a, org, ticketsCreated.Key, 5)
		window(t, a, org, ticketsCreated.Key, 5, date(2028, 2, 1, 0), date(2028, 3, 1, 0))
		refused(t, a, org, ticketsCreated.Key, 1)
		a.Clock.Set(date(2028, 3, 1, 0))
		inc(t, a, org, ticketsCreated.Key, 1)
		window(t, a, org, ticketsCreated.Key, 1, date(2028, 3, 1, 0), date(2028, 4, 1, 0))

		// A yearly meter counts the calendar year.
		a.Clock.Set(date(2026, 3, 10, 12))
		inc(t, a, org, reports.Key, 3)
		a.Clock.Set(time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC))
		if qe := refused(t, a, org, reports.Key, 1); qe.Used != 3 || !qe.ResetsAt.Equal(date(2027, 1, 1, 0)) {
			t.Fatalf("yearly refusal = %+v", qe)
		}
		a.Clock.Set(date(2027, 1, 1, 0))
		inc(t, a, org, reports.Key, 1)
		window(t, a, org, reports.Key, 1, date(2027, 1, 1, 0), date(2028, 1, 1, 0))

		// A lifetime meter never resets.
		inc(t, a, org, projects.Key, 2)
		a.Clock.Set(date(2040, 1, 1, 0))
		if st := check(t, a, org, projects.Key); st.Used != 2 || !st.ResetsAt.IsZero() {
			t.Fatalf("lifetime = %+v", st)
		}
	})
}

// With a subscription, windows follow its billing period: a window of the
// subscription's interval is the period itself, and the next starts where
// it ends; windows of another interval are anchored on the period's start,
// an anchor on the 31st falling on a shorter month's last day.
func TestWindows_billingPeriod(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		// Subscribed on 20 January at 10:00: months run from the 20th at 10:00.
		a.Clock.Set(date(2026, 1, 20, 10))
		acc, org := owner(t, a, "anchored")
		subscribe(t, a, acc.Client, "pro", "month")
		active, err := a.Billing().ActiveSubscription(t.Context(), org)
		if err != nil || !active.CurrentPeriodStart.Equal(date(2026, 1, 20, 10)) {
			t.Fatalf("subscription = %+v, %v", active, err)
		}
		a.Clock.Set(date(2026, 2, 1, 0))
		inc(t, a, org, ticketsCreated.Key, 50)
		window(t, a, org, ticketsCreated.Key, 50, date(2026, 1, 20, 10), date(2026, 2, 20, 10))
		refused(t, a, org, ticketsCreated.Key, 1)
		// The period is over (the sandbox renews nothing): the next window
		// starts where it ended, on the anchor.
		a.Clock.Set(date(2026, 2, 20, 10))
		inc(t, a, org, ticketsCreated.Key, 1)
		window(t, a, org, ticketsCreated.Key, 1, date(2026, 2, 20, 10), date(2026, 3, 20, 10))
	})
}

func TestWindows_anchoredOn31st(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		// A yearly subscription from 31 January: the yearly meter's window
		// is the period, monthly windows fall on each month's last day when
		// it has no 31st.
		a.Clock.Set(date(2026, 1, 31, 10))
		acc, org := owner(t, a, "on-the-31st")
		subscribe(t, a, acc.Client, "pro", "year")
		a.Clock.Set(date(2026, 2, 10, 0))
		inc(t, a, org, ticketsCreated.Key, 1)
		inc(t, a, org, reports.Key, 1)
		window(t, a, org, ticketsCreated.Key, 1, date(2026, 1, 31, 10), date(2026, 2, 28, 10))
		window(t, a, org, reports.Key, 1, date(2026, 1, 31, 10), date(2027, 1, 31, 10))
		a.Clock.Set(date(2026, 2, 28, 10))
		window(t, a, org, ticketsCreated.Key, 0, date(2026, 2, 28, 10), date(2026, 3, 31, 10))
		inc(t, a, org, ticketsCreated.Key, 2)
		window(t, a, org, ticketsCreated.Key, 2, date(2026, 2, 28, 10), date(2026, 3, 31, 10))
		a.Clock.Set(date(2026, 4, 2, 0))
		inc(t, a, org, ticketsCreated.Key, 3)
		window(t, a, org, ticketsCreated.Key, 3, date(2026, 3, 31, 10), date(2026, 4, 30, 10))
		window(t, a, org, reports.Key, 1, date(2026, 1, 31, 10), date(2027, 1, 31, 10))
	})
}

// A plan change takes effect at once and keeps what was used: the cap is
// read on every call; the count and its window stay.
func TestPlanChange(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc, org := owner(t, a, "upgrader")
		inc(t, a, org, ticketsCreated.Key, 5)
		refused(t, a, org, ticketsCreated.Key, 1)
		refused(t, a, org, customDomains.Key, 1)

		subscribe(t, a, acc.Client, "pro", "month") // on 15 January at 09:00
		if left := inc(t, a, org, ticketsCreated.Key, 1); left != 44 {
			t.Fatalf("after the upgrade remaining = %d, want 44", left)
		}
		inc(t, a, org, customDomains.Key, 1)
		// The window the count began in stays until it ends; the next
		// follows the billing period, starting where the last one ended.
		window(t, a, org, ticketsCreated.Key, 6, date(2026, 1, 1, 0), date(2026, 2, 1, 0))
		a.Clock.Set(date(2026, 2, 1, 0))
		inc(t, a, org, ticketsCreated.Key, 7)
		window(t, a, org, ticketsCreated.Key, 7, date(2026, 2, 1, 0), date(2026, 2, 15, 9))

		// Back on the free plan: its caps apply at once, the count stays.
		acc.Post("/api/auth/sign-in/email", map[string]any{"email": acc.Email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)
		acc.Post("/api/billing/cancel", map[string]any{"atPeriodEnd": false}).RequireStatus(t, http.StatusOK)
		waitPlan(t, acc.Client, "free")
		if qe := refused(t, a, org, ticketsCreated.Key, 1); qe.Limit != 5 || qe.Used != 7 {
			t.Fatalf("after the downgrade = %+v", qe)
		}
		if st := check(t, a, org, customDomains.Key); st.Used != 1 || st.Limit != 0 || st.Remaining != 0 {
			t.Fatalf("a meter the plan lost = %+v", st)
		}
	})
}

// The rollover records each ended window once, however often it runs and
// whether or not an increment rolled the window first, and starts the
// counter again.
func TestRollover(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		ctx, u := t.Context(), a.Usage()
		idle, busy := newOrg(), newOrg()
		inc(t, a, idle, ticketsCreated.Key, 3)
		inc(t, a, busy, ticketsCreated.Key, 4)
		inc(t, a, busy, projects.Key, 1)

		// busy counts in February before any rollover: its increment rolls
		// January over itself.
		a.Clock.Set(date(2026, 2, 1, 0).Add(time.Minute))
		inc(t, a, busy, ticketsCreated.Key, 2)
		for range 2 {
			if _, err := u.Rollover(ctx); err != nil {
				t.Fatal(err)
			}
		}
		jan := []struct {
			org  kernel.OrganizationID
			used int64
		}{{idle, 3}, {busy, 4}}
		for _, c := range jan {
			h, err := u.History(ctx, c.org, ticketsCreated.Key, time.Time{}, time.Time{}, 0)
			if err != nil || len(h) != 1 || h[0].Used != c.used || h[0].Cap != 5 ||
				!h[0].WindowStart.Equal(date(2026, 1, 1, 0)) || !h[0].WindowEnd.Equal(date(2026, 2, 1, 0)) {
				t.Fatalf("history of %s = %+v, %v", c.org, h, err)
			}
		}
		if n := rows(t, a, "usage_history", kernel.OrganizationID{}); n != 2 {
			t.Fatalf("history rows = %d, want 2", n)
		}
		// The idle counter starts again at zero in February; busy's keeps
		// February's count.
		c, ok := counter(t, a, idle, ticketsCreated.Key)
		if !ok || c.used != 0 || !c.start.Equal(date(2026, 2, 1, 0)) || !c.end.Equal(date(2026, 3, 1, 0)) || c.prev {
			t.Fatalf("idle counter = %+v", c)
		}
		if c, _ := counter(t, a, busy, ticketsCreated.Key); c.used != 2 || c.prev {
			t.Fatalf("busy counter = %+v", c)
		}

		// The periodic job does the same work, by its stable kind.
		a.Clock.Set(date(2026, 3, 1, 0))
		if _, err := a.Jobs().Insert(ctx, rolloverJob{}, nil); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "the rollover job to record February", func() bool {
			return rows(t, a, "usage_history", kernel.OrganizationID{}) == 4
		})
		h, _ := u.History(ctx, busy, ticketsCreated.Key, time.Time{}, time.Time{}, 0)
		if len(h) != 2 || h[0].Used != 2 || !h[0].WindowStart.Equal(date(2026, 2, 1, 0)) {
			t.Fatalf("busy's history = %+v", h)
		}
		if _, err := u.Rollover(ctx); err != nil {
			t.Fatal(err)
		}
		if n := rows(t, a, "usage_history", kernel.OrganizationID{}); n != 4 {
			t.Fatalf("history rows after another run = %d, want 4", n)
		}
		// A lifetime counter is never due.
		if h, _ := u.History(ctx, busy, projects.Key, time.Time{}, time.Time{}, 0); len(h) != 0 {
			t.Fatalf("lifetime history = %+v", h)
		}
	})
}

// rolloverJob is the rollover's job as anyone may enqueue it: its kind is
// stable.
type rolloverJob struct{}

func (rolloverJob) Kind() string { return "usage-period-rollover" }

type storedCounter struct {
	used       int64
	start, end time.Time
	prev       bool
}

// counter reads the stored counter itself, not the view Check gives.
func counter(t *testing.T, a *testkit.App, org kernel.OrganizationID, meter string) (storedCounter, bool) {
	t.Helper()
	var c storedCounter
	var prev *time.Time
	err := a.DB().Q(context.Background()).QueryRow(t.Context(), `SELECT used, window_start, window_end, prev_window_start
		FROM usage_counters WHERE organization_id = $1 AND meter = $2`, org, meter).Scan(&c.used, &c.start, &c.end, &prev)
	if err != nil {
		return c, false
	}
	c.prev = prev != nil
	return c, true
}

// Another process counting against the same database sees a plan change
// as soon as its notification arrives: billing's cached subscription is
// dropped there too.
func TestPlanChange_anotherProcess(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		other := testkit.Beside(t, a, testkit.WithEnv("USAGE_METERING_ENABLED", "true", "PLANS_FILE", a.Config.Payments.PlansFile,
			"PAYMENT_PROVIDER", "sandbox", "BILLING_SANDBOX_WEBHOOK_SECRET", sandboxSecret))
		for _, m := range testMeters {
			if err := other.Usage().Register(m); err != nil {
				t.Fatal(err)
			}
		}
		if err := other.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		acc, org := owner(t, a, "elsewhere")
		if _, err := other.Usage().CheckAndIncrement(t.Context(), org, customDomains.Key, 1); err == nil {
			t.Fatal("custom_domains counted on the free plan")
		}
		subscribe(t, a, acc.Client, "pro", "month")
		testkit.Eventually(t, "the other process to see pro", func() bool {
			_, err := other.Usage().CheckAndIncrement(t.Context(), org, customDomains.Key, 1)
			return err == nil
		})
	})
}
