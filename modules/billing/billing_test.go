package billing_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/sandbox"
	"github.com/groundworkhq/groundwork/testkit"
)

const sandboxSecret = "sandbox-test-secret"

func sandboxApp(t *testing.T, a func(t *testing.T, a *testkit.App), env ...string) {
	testkit.Run(t, a, testkit.WithEnv(append([]string{"PAYMENT_PROVIDER", "sandbox", "BILLING_SANDBOX_WEBHOOK_SECRET", sandboxSecret}, env...)...))
}

type subscriptionJSON struct {
	Plan              string     `json:"plan"`
	Status            *string    `json:"status"`
	Entitled          bool       `json:"entitled"`
	Interval          *string    `json:"interval"`
	CurrentPeriodEnd  *time.Time `json:"currentPeriodEnd"`
	TrialEnd          *time.Time `json:"trialEnd"`
	CancelAtPeriodEnd bool       `json:"cancelAtPeriodEnd"`
	Seats             int        `json:"seats"`
}

func (s subscriptionJSON) status() string {
	if s.Status == nil {
		return ""
	}
	return *s.Status
}

func subscription(t *testing.T, c *testkit.Client) subscriptionJSON {
	t.Helper()
	var s subscriptionJSON
	c.Get("/api/billing/subscription").RequireStatus(t, http.StatusOK).JSON(t, &s)
	return s
}

// organization creates an organization as c and makes it c's active one.
func organization(t *testing.T, c *testkit.Client, slug string) kernel.OrganizationID {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	c.Post("/api/organizations", map[string]any{"name": slug, "slug": slug}).RequireStatus(t, http.StatusCreated).JSON(t, &o)
	c.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
	id, err := kernel.ParseID[kernel.OrganizationKind](o.ID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// checkout starts a checkout and answers the sandbox page's form with
// action, as the buyer would.
func checkout(t *testing.T, a *testkit.App, c *testkit.Client, plan, interval, action string) {
	t.Helper()
	var out struct {
		URL string `json:"url"`
	}
	c.Post("/api/billing/checkout", map[string]any{"plan": plan, "interval": interval}).RequireStatus(t, http.StatusOK).JSON(t, &out)
	if !strings.HasPrefix(out.URL, a.URL+"/billing/sandbox/checkout/") {
		t.Fatalf("checkout url = %q", out.URL)
	}
	path := strings.TrimPrefix(out.URL, a.URL)
	c.Get(path).RequireStatus(t, http.StatusOK)
	r := c.Do(http.MethodPost, path, "action="+action, "Content-Type", "application/x-www-form-urlencoded")
	if r.StatusCode >= 400 {
		t.Fatalf("sandbox checkout %s: %d %s", action, r.StatusCode, r.Body)
	}
}

func waitStatus(t *testing.T, c *testkit.Client, want string) subscriptionJSON {
	t.Helper()
	var s subscriptionJSON
	testkit.Eventually(t, "the subscription to be "+want, func() bool {
		s = subscription(t, c)
		return s.status() == want
	})
	return s
}

func TestBilling_Sandbox(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		// The public plans, without signing in.
		var plans struct {
			Items []struct {
				Key    string `json:"key"`
				Prices []struct {
					Interval string `json:"interval"`
					Amount   int64  `json:"amount"`
				} `json:"prices"`
			} `json:"items"`
		}
		a.Client().Get("/api/billing/plans").RequireStatus(t, http.StatusOK).JSON(t, &plans)
		keys := []string{}
		for _, p := range plans.Items {
			keys = append(keys, p.Key)
		}
		if strings.Join(keys, ",") != "free,pro,business" {
			t.Fatalf("plans = %v", keys)
		}

		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "acme-billing")
		if s := subscription(t, owner.Client); s.Plan != "free" || s.Status != nil || !s.Entitled {
			t.Fatalf("before checkout = %+v", s)
		}
		if err := a.Billing().CheckSubscription(t.Context(), org); kernel.CodeOf(err) != "billing.subscription_required" {
			t.Fatalf("free plan passes the gate: %v", err)
		}

		// Bad input.
		p := owner.Post("/api/billing/checkout", map[string]any{"plan": "gold"}).RequireProblem(t, http.StatusUnprocessableEntity, "billing.invalid_plan")
		if _, ok := p.Field("body.plan"); !ok {
			t.Errorf("fields = %+v", p.Errors)
		}
		owner.Post("/api/billing/checkout", map[string]any{"plan": "free"}).RequireProblem(t, http.StatusUnprocessableEntity, "billing.invalid_plan")
		owner.Post("/api/billing/checkout", map[string]any{"plan": "pro", "interval": "week"}).RequireStatus(t, http.StatusUnprocessableEntity)
		owner.Post("/api/billing/cancel", map[string]any{}).RequireProblem(t, http.StatusNotFound, "billing.no_subscription")

		// Checkout through the sandbox's page: the webhook it sends makes
		// the subscription; pro starts with a trial.
		checkout(t, a, owner.Client, "pro", "month", "pay")
		s := waitStatus(t, owner.Client, "trialing")
		if s.Plan != "pro" || !s.Entitled || s.TrialEnd == nil {
			t.Fatalf("after checkout = %+v", s)
		}
		if err := a.Billing().CheckSubscription(t.Context(), org, "pro"); err != nil {
			t.Errorf("pro gate: %v", err)
		}
		err := a.Billing().CheckSubscription(t.Context(), org, "business")
		ke := kernel.AsError(err)
		if ke == nil || ke.Kind != kernel.KindPaymentRequired || fmt.Sprint(ke.Extra["plans"]) != "[business]" {
			t.Errorf("business gate: %v", err)
		}
		owner.Post("/api/billing/checkout", map[string]any{"plan": "business"}).RequireProblem(t, http.StatusConflict, "billing.already_subscribed")

		// Cancel at the period end, resume, change the plan.
		var after subscriptionJSON
		owner.Post("/api/billing/cancel", map[string]any{"atPeriodEnd": true}).RequireStatus(t, http.StatusOK).JSON(t, &after)
		if !after.CancelAtPeriodEnd || after.status() != "trialing" {
			t.Errorf("after cancel = %+v", after)
		}
		owner.Post("/api/billing/resume", nil).RequireStatus(t, http.StatusOK).JSON(t, &after)
		if after.CancelAtPeriodEnd {
			t.Errorf("after resume = %+v", after)
		}
		owner.Post("/api/billing/change-plan", map[string]any{"plan": "business", "interval": "year"}).RequireStatus(t, http.StatusOK).JSON(t, &after)
		if after.Plan != "business" || after.Interval == nil || *after.Interval != "year" {
			t.Errorf("after change = %+v", after)
		}
		owner.Post("/api/billing/change-plan", map[string]any{"plan": "free"}).RequireProblem(t, http.StatusUnprocessableEntity, "billing.invalid_plan")

		// The portal is the sandbox's page.
		var portal struct {
			URL string `json:"url"`
		}
		owner.Post("/api/billing/portal", nil).RequireStatus(t, http.StatusOK).JSON(t, &portal)
		if !strings.HasPrefix(portal.URL, a.URL+"/billing/sandbox/subscriptions/") {
			t.Fatalf("portal = %q", portal.URL)
		}

		// Cancel now: back on the free plan, and a new checkout is possible.
		owner.Post("/api/billing/cancel", map[string]any{"atPeriodEnd": false}).RequireStatus(t, http.StatusOK)
		testkit.Eventually(t, "the free plan", func() bool { return subscription(t, owner.Client).Plan == "free" })

		// The audit log has the provider's changes.
		var entries struct {
			Items []struct {
				Action    string `json:"action"`
				ActorType string `json:"actorType"`
			} `json:"items"`
		}
		owner.Get("/api/audit?action=subscription.").RequireStatus(t, http.StatusOK).JSON(t, &entries)
		seen := map[string]bool{}
		for _, e := range entries.Items {
			if e.ActorType == "sandbox" {
				seen[e.Action] = true
			}
		}
		for _, action := range []string{"subscription.activated", "subscription.plan_changed", "subscription.canceled"} {
			if !seen[action] {
				t.Errorf("no %s entry by the provider in %+v", action, entries.Items)
			}
		}
	})
}

// TestBilling_GracePeriod: a failed payment keeps the plan for
// BILLING_GRACE_DAYS (2 here), then the gate refuses; paying restores it.
func TestBilling_GracePeriod(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "grace-co")
		checkout(t, a, owner.Client, "business", "month", "pay")
		waitStatus(t, owner.Client, "active")

		var portal struct {
			URL string `json:"url"`
		}
		owner.Post("/api/billing/portal", nil).RequireStatus(t, http.StatusOK).JSON(t, &portal)
		page := strings.TrimPrefix(portal.URL, a.URL)
		page, _, _ = strings.Cut(page, "?")
		body := owner.Get(page).RequireStatus(t, http.StatusOK).Body
		ref := between(string(body), `name="subscription" value="`, `"`)
		form := func(action string) {
			t.Helper()
			r := owner.Do(http.MethodPost, page, "subscription="+url.QueryEscape(ref)+"&action="+action,
				"Content-Type", "application/x-www-form-urlencoded")
			if r.StatusCode >= 400 {
				t.Fatalf("%s: %d %s", action, r.StatusCode, r.Body)
			}
		}
		form("fail_payment")
		s := waitStatus(t, owner.Client, "past_due")
		if !s.Entitled {
			t.Error("past_due lost the plan at once")
		}
		if err := a.Billing().CheckSubscription(t.Context(), org, "business"); err != nil {
			t.Errorf("within the grace period: %v", err)
		}
		a.Clock.Advance(2*24*time.Hour + time.Minute)
		if err := a.Billing().CheckSubscription(t.Context(), org, "business"); kernel.CodeOf(err) != "billing.subscription_required" {
			t.Errorf("after the grace period: %v", err)
		}
		if s := subscription(t, owner.Client); s.Entitled {
			t.Errorf("after the grace period = %+v", s)
		}
		form("recover_payment")
		waitStatus(t, owner.Client, "active")
		if err := a.Billing().CheckSubscription(t.Context(), org, "business"); err != nil {
			t.Errorf("after paying: %v", err)
		}
	}, "BILLING_GRACE_DAYS", "2")
}

func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}

// TestBilling_Webhooks: the ingest verifies, records once and answers at
// once; a forged, stale or malformed delivery is 400 and stores nothing; a
// provider that is not configured is 404.
func TestBilling_Webhooks(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		c := a.Client()
		post := func(body string, at time.Time, secret string, headers ...string) *testkit.Response {
			h := append([]string{"Sandbox-Signature", sandbox.Sign([]byte(secret), []byte(body), at)}, headers...)
			return c.Do(http.MethodPost, "/webhooks/sandbox", body, h...)
		}
		now := a.Clock.Now()
		event := `{"id":"evt_unknown1","type":"customer.created","created":` + fmt.Sprint(now.Unix()) + `,"data":{}}`
		var out struct {
			Received  bool `json:"received"`
			Duplicate bool `json:"duplicate"`
		}
		post(event, now, sandboxSecret).RequireStatus(t, http.StatusOK).JSON(t, &out)
		if !out.Received || out.Duplicate {
			t.Fatalf("first delivery = %+v", out)
		}
		post(event, now, sandboxSecret).RequireStatus(t, http.StatusOK).JSON(t, &out)
		if !out.Duplicate {
			t.Errorf("second delivery = %+v", out)
		}
		jobs := 0
		if err := a.DB().Q(t.Context()).QueryRow(t.Context(), `SELECT COUNT(*) FROM river_job WHERE kind = 'billing.webhook'`).Scan(&jobs); err != nil || jobs != 1 {
			t.Errorf("webhook jobs = %d, %v", jobs, err)
		}
		forged := `{"id":"evt_forged","type":"subscription.updated","created":1,"data":{}}`
		post(forged, now, "another secret").RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
		post(forged, now.Add(-301*time.Second), sandboxSecret).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
		post(`{not json`, now, sandboxSecret).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
		c.Do(http.MethodPost, "/webhooks/sandbox", forged).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
		c.Do(http.MethodPost, "/webhooks/stripe", forged).RequireProblem(t, http.StatusNotFound, "billing.unknown_provider")
		var n int
		if err := a.DB().Q(t.Context()).QueryRow(t.Context(), `SELECT COUNT(*) FROM billing_webhook_events`).Scan(&n); err != nil || n != 1 {
			t.Errorf("ledger rows = %d, %v", n, err)
		}
		// The unknown type is processed as ignored.
		testkit.Eventually(t, "the event processed", func() bool {
			var outcome string
			_ = a.DB().Q(t.Context()).QueryRow(t.Context(), `SELECT outcome FROM billing_webhook_events WHERE event_id = 'evt_unknown1'`).Scan(&outcome)
			return outcome == "ignored"
		})
	})
}

// TestBilling_Permissions: billing:manage for changes, billing:read to
// look, and another organization's subscription is not this one's.
func TestBilling_Permissions(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "perm-co")
		checkout(t, a, owner.Client, "business", "month", "pay")
		waitStatus(t, owner.Client, "active")

		member := a.SignUp(t, testkit.NewEmail("member"), "Max", true)
		if err := a.Tenancy().AddMember(t.Context(), owner.ID, org, member.ID); err != nil {
			t.Fatal(err)
		}
		member.Post("/api/organizations/active", map[string]any{"organizationId": org.String()}).RequireStatus(t, http.StatusOK)
		for _, path := range []string{"/api/billing/checkout", "/api/billing/portal", "/api/billing/cancel", "/api/billing/resume", "/api/billing/change-plan"} {
			member.Post(path, map[string]any{"plan": "pro"}).RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		}
		member.Get("/api/billing/subscription").RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		a.Client().Get("/api/billing/subscription").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")

		other := a.SignUp(t, testkit.NewEmail("other"), "Otto", true)
		organization(t, other.Client, "other-co")
		if s := subscription(t, other.Client); s.Plan != "free" {
			t.Errorf("another organization sees %+v", s)
		}
		other.Post("/api/billing/cancel", map[string]any{}).RequireProblem(t, http.StatusNotFound, "billing.no_subscription")
		if s := subscription(t, owner.Client); s.status() != "active" {
			t.Errorf("the other's cancel touched this one: %+v", s)
		}
	})
}

// TestBilling_Admin: the platform's billing routes — list, detail with
// the webhook events, sync, replay, comp — and the overview's section.
func TestBilling_Admin(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "admin-co")
		checkout(t, a, owner.Client, "business", "month", "pay")
		waitStatus(t, owner.Client, "active")
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		owner.Get("/api/v1/platform/billing/subscriptions").RequireProblem(t, http.StatusForbidden, "platform.forbidden")

		var page struct {
			Items []struct {
				ID, OrganizationID, Plan, Status, Provider string
			} `json:"items"`
		}
		admin.Get("/api/v1/platform/billing/subscriptions?status=active").RequireStatus(t, http.StatusOK).JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].OrganizationID != org.String() || page.Items[0].Provider != "sandbox" {
			t.Fatalf("list = %+v", page)
		}
		admin.Get("/api/v1/platform/billing/subscriptions?cursor=nope").RequireProblem(t, http.StatusUnprocessableEntity, "billing.invalid_filter")
		admin.Get("/api/v1/platform/billing/subscriptions?organizationId=x").RequireProblem(t, http.StatusUnprocessableEntity, "billing.invalid_filter")
		id := page.Items[0].ID
		var detail struct {
			Status string `json:"status"`
			Events []struct {
				Provider, ID, Type, Outcome string
			} `json:"events"`
		}
		admin.Get("/api/v1/platform/billing/subscriptions/"+id).RequireStatus(t, http.StatusOK).JSON(t, &detail)
		if detail.Status != "active" || len(detail.Events) == 0 || detail.Events[0].Outcome != "applied" {
			t.Fatalf("detail = %+v", detail)
		}
		admin.Get("/api/v1/platform/billing/subscriptions/sub_nope").RequireProblem(t, http.StatusNotFound, "billing.subscription_not_found")
		admin.Post("/api/v1/platform/billing/subscriptions/"+id+"/sync", nil).RequireStatus(t, http.StatusOK)
		ev := detail.Events[0]
		admin.Post("/api/v1/platform/billing/events/"+ev.Provider+"/"+ev.ID+"/replay", nil).RequireStatus(t, http.StatusAccepted)
		admin.Post("/api/v1/platform/billing/events/sandbox/evt_nope/replay", nil).RequireProblem(t, http.StatusNotFound, "billing.unknown_event")

		// A comp: a second organization gets pro until a date.
		other := a.SignUp(t, testkit.NewEmail("other"), "Otto", true)
		otherOrg := organization(t, other.Client, "comp-co")
		until := a.Clock.Now().Add(30 * 24 * time.Hour)
		comp := map[string]any{"organizationId": otherOrg.String(), "plan": "pro", "until": until, "reason": "design partner"}
		admin.Post("/api/v1/platform/billing/comps", comp).RequireStatus(t, http.StatusCreated)
		if s := subscription(t, other.Client); s.Plan != "pro" || !s.Entitled {
			t.Errorf("comped = %+v", s)
		}
		admin.Post("/api/v1/platform/billing/comps", comp).RequireProblem(t, http.StatusConflict, "billing.already_subscribed")
		bad := map[string]any{"organizationId": org.String(), "plan": "pro", "until": until, "reason": "no"}
		p := admin.Post("/api/v1/platform/billing/comps", bad).RequireProblem(t, http.StatusUnprocessableEntity, "billing.invalid_comp")
		if _, ok := p.Field("body.reason"); !ok {
			t.Errorf("fields = %+v", p.Errors)
		}
		admin.Post("/api/v1/platform/billing/comps", map[string]any{"organizationId": "org_nope", "plan": "pro", "until": until, "reason": "partner"}).
			RequireProblem(t, http.StatusNotFound, "billing.organization_not_found")

		// The overview has billing's section.
		var ov struct {
			Billing struct {
				Subscriptions map[string]map[string]int `json:"subscriptions"`
				MRR           map[string]int64          `json:"mrr"`
			} `json:"billing"`
		}
		admin.Get("/api/v1/platform/overview").RequireStatus(t, http.StatusOK).JSON(t, &ov)
		if ov.Billing.Subscriptions["business"]["active"] != 1 || ov.Billing.Subscriptions["pro"]["active"] != 1 || ov.Billing.MRR["usd"] <= 0 {
			t.Errorf("overview = %+v", ov.Billing)
		}
		// The comp ends by itself.
		a.Clock.Set(until.Add(time.Minute))
		if err := a.Billing().CheckSubscription(t.Context(), otherOrg, "pro"); kernel.CodeOf(err) != "billing.subscription_required" {
			t.Errorf("an ended comp still passes: %v", err)
		}
	})
}

// TestBilling_SeatsFollowMembers: a per-seat plan's quantity follows the
// member count, through the seat-sync job, on a provider with quantities.
func TestBilling_SeatsFollowMembers(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "seats-co")
		checkout(t, a, owner.Client, "business", "month", "pay")
		if s := waitStatus(t, owner.Client, "active"); s.Seats != 1 {
			t.Fatalf("seats at checkout = %d", s.Seats)
		}
		var members []testkit.Account
		for range 2 {
			m := a.SignUp(t, testkit.NewEmail("seat"), "Seat", true)
			if err := a.Tenancy().AddMember(t.Context(), owner.ID, org, m.ID); err != nil {
				t.Fatal(err)
			}
			members = append(members, m)
		}
		testkit.Eventually(t, "3 seats", func() bool { return subscription(t, owner.Client).Seats == 3 })
		owner.Do(http.MethodDelete, "/api/users/"+members[0].ID.String(), nil).RequireStatus(t, http.StatusNoContent)
		testkit.Eventually(t, "2 seats", func() bool { return subscription(t, owner.Client).Seats == 2 })
	})
}

// TestBilling_ReconcileRepairsDrift: a change at the provider that no
// webhook announced is repaired by reconciliation.
func TestBilling_ReconcileRepairsDrift(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "drift-co")
		checkout(t, a, owner.Client, "business", "month", "pay")
		waitStatus(t, owner.Client, "active")
		// Behind our back: the provider's side now says unpaid.
		ctx := t.Context()
		later := a.Clock.Now().Add(time.Minute)
		if _, err := a.DB().QW(ctx).Exec(ctx, `UPDATE sandbox_subscriptions SET status = 'unpaid', updated_at = $1 WHERE organization_id = $2`,
			later, org.String()); err != nil {
			t.Fatal(err)
		}
		if s := subscription(t, owner.Client); s.status() != "active" {
			t.Fatalf("before reconciling = %+v", s)
		}
		n, err := a.Billing().Reconcile(ctx, org)
		if err != nil || n != 1 {
			t.Fatalf("reconcile = %d, %v", n, err)
		}
		if s := subscription(t, owner.Client); s.status() != "unpaid" || s.Entitled {
			t.Errorf("after reconciling = %+v", s)
		}
		// An older snapshot never overwrites a newer one: the provider's
		// row going back in time changes nothing.
		if _, err := a.DB().QW(ctx).Exec(ctx, `UPDATE sandbox_subscriptions SET status = 'active', updated_at = $1 WHERE organization_id = $2`,
			later.Add(-time.Hour), org.String()); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Billing().Reconcile(ctx, org); err != nil {
			t.Fatal(err)
		}
		if s := subscription(t, owner.Client); s.status() != "unpaid" {
			t.Errorf("a stale snapshot was applied: %+v", s)
		}
	})
}

// TestBilling_ForeignAndRacingCheckouts: an event about a subscription the
// provider does not know is acknowledged and ignored; two checkouts at
// once make one customer, and paying both leaves one live subscription.
func TestBilling_ForeignAndRacingCheckouts(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		now := a.Clock.Now()
		body := `{"id":"evt_foreign","type":"subscription.updated","created":` + fmt.Sprint(now.Unix()) +
			`,"data":{"subscription":"ssub_nobodys","customer":"scus_nobodys"}}`
		a.Client().Do(http.MethodPost, "/webhooks/sandbox", body, "Sandbox-Signature", sandbox.Sign([]byte(sandboxSecret), []byte(body), now)).
			RequireStatus(t, http.StatusOK)
		testkit.Eventually(t, "the foreign event processed", func() bool {
			var outcome string
			_ = a.DB().Q(t.Context()).QueryRow(t.Context(), `SELECT outcome FROM billing_webhook_events WHERE event_id = 'evt_foreign'`).Scan(&outcome)
			return outcome == "foreign"
		})

		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "race-co")
		urls := make(chan string, 2)
		for range 2 {
			go func() {
				var out struct {
					URL string `json:"url"`
				}
				r := owner.Post("/api/billing/checkout", map[string]any{"plan": "business"})
				if r.StatusCode == http.StatusOK {
					r.JSON(t, &out)
				}
				urls <- out.URL
			}()
		}
		var paid int
		for range 2 {
			if u := <-urls; u != "" {
				path := strings.TrimPrefix(u, a.URL)
				owner.Do(http.MethodPost, path, "action=pay", "Content-Type", "application/x-www-form-urlencoded")
				paid++
			}
		}
		if paid == 0 {
			t.Fatal("no checkout succeeded")
		}
		waitStatus(t, owner.Client, "active")
		var customers, live int
		ctx := t.Context()
		_ = a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM billing_customers WHERE organization_id = $1`, org.String()).Scan(&customers)
		testkit.Eventually(t, "every event processed", func() bool {
			var pending int
			_ = a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM billing_webhook_events WHERE processed_at IS NULL`).Scan(&pending)
			return pending == 0
		})
		_ = a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM billing_subscriptions WHERE organization_id = $1 AND status <> 'canceled'`, org.String()).Scan(&live)
		if customers != 1 || live != 1 {
			t.Errorf("%d checkouts paid: %d customers, %d live subscriptions", paid, customers, live)
		}
		// A checkout paid twice leaves no second subscription billing at
		// the provider.
		var providerLive int
		testkit.Eventually(t, "one live subscription at the provider", func() bool {
			_ = a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM sandbox_subscriptions WHERE organization_id = $1 AND status <> 'canceled'`,
				org.String()).Scan(&providerLive)
			return providerLive == 1
		})
	})
}

// TestBilling_ManagePage: Groundwork's own page (the portal of a provider
// without one) shows the subscription and cancels or resumes it, for a
// caller with billing:manage.
func TestBilling_ManagePage(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		a.Client().Get("/billing/manage").RequireStatus(t, http.StatusUnauthorized)
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "manage-co")
		if body := string(owner.Get("/billing/manage").RequireStatus(t, http.StatusOK).Body); !strings.Contains(body, "free plan") {
			t.Errorf("free page: %s", body)
		}
		checkout(t, a, owner.Client, "business", "month", "pay")
		waitStatus(t, owner.Client, "active")
		r := owner.Get("/billing/manage").RequireStatus(t, http.StatusOK)
		if body := string(r.Body); !strings.Contains(body, "business") || strings.Contains(body, "<script") {
			t.Errorf("page: %s", body)
		}
		form := func(action string) string {
			return string(owner.Do(http.MethodPost, "/billing/manage", "action="+action, "Content-Type", "application/x-www-form-urlencoded").
				RequireStatus(t, http.StatusOK).Body)
		}
		if body := form("cancel_at_period_end"); !strings.Contains(body, "ends with the period") || !subscription(t, owner.Client).CancelAtPeriodEnd {
			t.Errorf("cancel at period end: %s", body)
		}
		form("resume")
		if subscription(t, owner.Client).CancelAtPeriodEnd {
			t.Error("not resumed")
		}
		owner.Do(http.MethodPost, "/billing/manage", "action=cancel", "Content-Type", "application/x-www-form-urlencoded",
			"Origin", "https://evil.example").RequireStatus(t, http.StatusForbidden)
		member := a.SignUp(t, testkit.NewEmail("member"), "Max", true)
		if err := a.Tenancy().AddMember(t.Context(), owner.ID, org, member.ID); err != nil {
			t.Fatal(err)
		}
		member.Post("/api/organizations/active", map[string]any{"organizationId": org.String()}).RequireStatus(t, http.StatusOK)
		member.Get("/billing/manage").RequireStatus(t, http.StatusForbidden)
		form("cancel")
		testkit.Eventually(t, "the free plan", func() bool { return subscription(t, owner.Client).Plan == "free" })
	})
}

// TestBilling_ProviderDown: a provider that fails during a checkout is 503
// billing.provider_unavailable, and nothing is half-written: the
// customer's claim is released, so the next checkout tries again.
func TestBilling_ProviderDown(t *testing.T) {
	var calls atomic.Int64
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(down.Close)
	plans, err := filepath.Abs("testdata/polar-plans.yaml")
	if err != nil {
		t.Fatal(err)
	}
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "down-co")
		for range 2 {
			owner.Post("/api/billing/checkout", map[string]any{"plan": "pro"}).RequireProblem(t, http.StatusServiceUnavailable, "billing.provider_unavailable")
		}
		var n int
		if err := a.DB().Q(t.Context()).QueryRow(t.Context(), `SELECT COUNT(*) FROM billing_customers WHERE organization_id = $1`, org.String()).Scan(&n); err != nil || n != 0 {
			t.Errorf("customers = %d, %v", n, err)
		}
		if calls.Load() < 2 {
			t.Errorf("the provider was called %d times; the second checkout must try again", calls.Load())
		}
	}, testkit.WithEnv("PAYMENT_PROVIDER", "polar", "POLAR_ACCESS_TOKEN", "polar_oat_test", "POLAR_WEBHOOK_SECRET", "whsec_test",
		"POLAR_API_BASE", down.URL, "PLANS_FILE", plans))
}

// TestBilling_CheckoutPaidTwice: two open checkouts of one organization,
// both paid: one subscription lives, the other is canceled at the
// provider before it bills.
func TestBilling_CheckoutPaidTwice(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "twice-co")
		var paths []string
		for range 2 {
			var out struct {
				URL string `json:"url"`
			}
			owner.Post("/api/billing/checkout", map[string]any{"plan": "business"}).RequireStatus(t, http.StatusOK).JSON(t, &out)
			paths = append(paths, strings.TrimPrefix(out.URL, a.URL))
		}
		for _, p := range paths {
			owner.Do(http.MethodPost, p, "action=pay", "Content-Type", "application/x-www-form-urlencoded")
		}
		ctx := t.Context()
		testkit.Eventually(t, "one live subscription at the provider", func() bool {
			var n int
			_ = a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM sandbox_subscriptions WHERE organization_id = $1 AND status <> 'canceled'`,
				org.String()).Scan(&n)
			return n == 1
		})
		testkit.Eventually(t, "the duplicate's event recorded", func() bool {
			var duplicates int
			_ = a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM billing_webhook_events WHERE outcome = 'duplicate'`).Scan(&duplicates)
			return duplicates == 1
		})
		var live int
		_ = a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM billing_subscriptions WHERE organization_id = $1 AND status <> 'canceled'`, org.String()).Scan(&live)
		if live != 1 {
			t.Errorf("live %d", live)
		}
		if s := subscription(t, owner.Client); s.status() != "active" {
			t.Errorf("the organization's subscription = %+v", s)
		}
	})
}

// TestBilling_SandboxPeriodEnds: the sandbox's "End the period now" is
// time passing — a renewal moves the period billing shows, and a
// cancellation at the period end takes effect — through signed webhooks
// and the ingest, as a provider's would.
func TestBilling_SandboxPeriodEnds(t *testing.T) {
	sandboxApp(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		organization(t, owner.Client, "renew-co")
		checkout(t, a, owner.Client, "pro", "month", "pay")
		waitStatus(t, owner.Client, "trialing") // pro starts with a trial
		var portal struct {
			URL string `json:"url"`
		}
		owner.Post("/api/billing/portal", nil).RequireStatus(t, http.StatusOK).JSON(t, &portal)
		page, _, _ := strings.Cut(strings.TrimPrefix(portal.URL, a.URL), "?")
		body := owner.Get(page).RequireStatus(t, http.StatusOK).Body
		if !strings.Contains(string(body), `value="end_period"`) {
			t.Fatalf("the subscription page has no End the period now:\n%s", body)
		}
		ref := between(string(body), `name="subscription" value="`, `"`)
		form := func(action string) {
			t.Helper()
			r := owner.Do(http.MethodPost, page, "subscription="+url.QueryEscape(ref)+"&action="+action,
				"Content-Type", "application/x-www-form-urlencoded")
			if r.StatusCode >= 400 {
				t.Fatalf("%s: %d %s", action, r.StatusCode, r.Body)
			}
		}
		form("end_period") // the trial ends: active, its first period from now
		first := waitStatus(t, owner.Client, "active")
		if first.TrialEnd != nil || first.CurrentPeriodEnd == nil {
			t.Fatalf("after the trial = %+v", first)
		}
		a.Clock.Advance(2 * 24 * time.Hour) // within the session's week
		form("end_period")
		testkit.Eventually(t, "the renewed period", func() bool {
			s := subscription(t, owner.Client)
			return s.status() == "active" && s.CurrentPeriodEnd != nil && s.CurrentPeriodEnd.After(*first.CurrentPeriodEnd)
		})
		form("cancel_at_period_end")
		testkit.Eventually(t, "the cancellation pending", func() bool { return subscription(t, owner.Client).CancelAtPeriodEnd })
		form("end_period") // the cancellation takes effect: back on the free plan
		testkit.Eventually(t, "the free plan", func() bool { return subscription(t, owner.Client).Plan == "free" })
	})
}
