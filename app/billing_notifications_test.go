package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// TestBillingNotifications_PaymentFailedAndCanceled: a failed payment and
// a cancellation reach every active owner of the organization, by email in
// their locale and in-app, linking to the front end's billing page; a
// suspended owner and a plain member hear nothing.
func TestBillingNotifications_PaymentFailedAndCanceled(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := sandboxBillingApp(t, dialect, "WEB_ORIGINS", "https://app.example.com")
		ctx := t.Context()
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := billingOrganization(t, owner.Client, "billing-notices")
		coOwner := a.SignUp(t, testkit.NewEmail("coowner"), "Caio", true)
		coOwner.Post("/api/auth/update-user", map[string]any{"locale": "pt-BR"}).RequireStatus(t, http.StatusOK)
		suspended := a.SignUp(t, testkit.NewEmail("suspended"), "Sara", true)
		member := a.SignUp(t, testkit.NewEmail("member"), "Max", true)
		for _, u := range []testkit.Account{coOwner, suspended, member} {
			if err := a.Tenancy().AddMember(ctx, owner.ID, org, u.ID); err != nil {
				t.Fatal(err)
			}
		}
		members := "/api/organizations/" + org.String() + "/members/"
		for _, u := range []testkit.Account{coOwner, suspended} {
			owner.Do(http.MethodPatch, members+u.ID.String(), map[string]any{"role": "owner"}).RequireStatus(t, http.StatusOK)
		}
		owner.Do(http.MethodPatch, members+suspended.ID.String(), map[string]any{"status": "suspended"}).RequireStatus(t, http.StatusOK)
		owners, err := a.Tenancy().Owners(ctx, org)
		if err != nil || !slices.Equal(owners, []kernel.UserID{owner.ID, coOwner.ID}) {
			t.Fatalf("Owners = %v, %v; want the creator then the co-owner, not the suspended owner", owners, err)
		}

		billingCheckout(t, a, owner.Client, "business")
		waitBillingStatus(t, owner.Client, "active")
		portal := sandboxPortal(t, a, owner.Client)
		portal("fail_payment")
		waitBillingStatus(t, owner.Client, "past_due")

		const link = "https://app.example.com/billing"
		m := a.WaitEmail(t, owner.Email, "billing_payment_failed")
		if want := "The payment for billing-notices on Groundwork failed"; m.Subject != want {
			t.Errorf("subject = %q, want %q", m.Subject, want)
		}
		if got := m.Link(t, "https://"); got != link || !strings.Contains(m.Text, "Hi Olga,") ||
			!strings.Contains(m.Text, "business plan") || !strings.Contains(m.Text, "keeps the plan for 7 days") {
			t.Errorf("payment failed email links to %s:\n%s", got, m.Text)
		}
		m = a.WaitEmail(t, coOwner.Email, "billing_payment_failed")
		if want := "Não conseguimos cobrar o pagamento da organização billing-notices"; m.Subject != want {
			t.Errorf("co-owner's subject = %q, want %q (pt-BR)", m.Subject, want)
		}

		portal("cancel")
		testkit.Eventually(t, "the free plan", func() bool { return billingSubscription(t, owner.Client).Plan == "free" })
		m = a.WaitEmail(t, owner.Email, "billing_subscription_canceled")
		if got := m.Link(t, "https://"); got != link || !strings.Contains(m.Text, "The business subscription of billing-notices") {
			t.Errorf("canceled email links to %s:\n%s", got, m.Text)
		}
		a.WaitEmail(t, coOwner.Email, "billing_subscription_canceled")

		// Each email was enqueued once, in the transaction that applied
		// the change; those transactions committed, so nothing more comes.
		for _, tc := range []struct {
			who  testkit.Account
			want int
		}{{owner, 1}, {coOwner, 1}, {suspended, 0}, {member, 0}} {
			for _, tmpl := range []string{"billing_payment_failed", "billing_subscription_canceled", "billing_trial_ending"} {
				want := tc.want
				if tmpl == "billing_trial_ending" {
					want = 0
				}
				if n := emailJobsTo(t, a, tc.who.Email, tmpl); n != want {
					t.Errorf("%s: %d %s emails, want %d", tc.who.Name, n, tmpl, want)
				}
			}
		}

		// In-app, newest first, in the owner's language.
		for _, tc := range []struct {
			who            testkit.Account
			failed, cancel string
		}{
			{owner, "Payment failed for billing-notices", "Subscription canceled for billing-notices"},
			{coOwner, "Falha no pagamento da organização billing-notices", "Assinatura cancelada da organização billing-notices"},
		} {
			got := billingInApp(t, tc.who.Client)
			if len(got) != 2 || got[0].Type != "billing.subscription_canceled" || got[1].Type != "billing.payment_failed" {
				t.Fatalf("%s's billing notifications = %+v", tc.who.Name, got)
			}
			canceled, failed := got[0], got[1]
			if failed.Title != tc.failed || canceled.Title != tc.cancel {
				t.Errorf("%s's titles = %q, %q; want %q, %q", tc.who.Name, failed.Title, canceled.Title, tc.failed, tc.cancel)
			}
			for _, n := range got {
				if n.Link != link || n.OrganizationID != org.String() || !strings.Contains(n.Body, "business") ||
					n.Data["plan"] != "business" || n.Data["organizationName"] != "billing-notices" {
					t.Errorf("%s's notification = %+v", tc.who.Name, n)
				}
			}
			if failed.Data["graceDays"] != 7.0 {
				t.Errorf("graceDays = %v, want 7", failed.Data["graceDays"])
			}
		}
		for _, who := range []testkit.Account{suspended, member} {
			if got := billingInApp(t, who.Client); len(got) != 0 {
				t.Errorf("%s got billing notifications: %+v", who.Name, got)
			}
		}
	})
}

// TestBillingNotifications_TrialEnding: once a trial is within three days
// of its end, applying the subscription tells the owner once, by email and
// in-app, linking to SERVER_URL when there is no front end; applying it
// again, or before the three days, says nothing.
func TestBillingNotifications_TrialEnding(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := sandboxBillingApp(t, dialect)
		ctx := t.Context()
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := billingOrganization(t, owner.Client, "trial-notices")
		member := a.SignUp(t, testkit.NewEmail("member"), "Max", true)
		if err := a.Tenancy().AddMember(ctx, owner.ID, org, member.ID); err != nil {
			t.Fatal(err)
		}
		billingCheckout(t, a, owner.Client, "pro") // a 14-day trial
		s := waitBillingStatus(t, owner.Client, "trialing")
		if s.TrialEnd == nil {
			t.Fatalf("trialing without a trial end: %+v", s)
		}
		reconcile := func() {
			t.Helper()
			if _, err := a.Billing().Reconcile(ctx, org); err != nil {
				t.Fatalf("reconcile: %v", err)
			}
		}
		reconcile()
		if n := emailJobsTo(t, a, owner.Email, "billing_trial_ending"); n != 0 {
			t.Fatalf("%d trial ending emails eleven days early", n)
		}

		a.Clock.Set(s.TrialEnd.Add(-3*24*time.Hour + time.Hour))
		reconcile()
		reconcile()
		m := a.WaitEmail(t, owner.Email, "billing_trial_ending")
		end := s.TrialEnd.UTC()
		date := fmt.Sprintf("%s %d, %d at %s UTC", end.Month(), end.Day(), end.Year(), end.Format("3:04 PM"))
		if !strings.Contains(m.Text, "The free trial of the pro plan for trial-notices on Groundwork ends on "+date+".") {
			t.Errorf("trial ending email lacks the date %q:\n%s", date, m.Text)
		}
		if got, want := m.Link(t, a.URL), a.Config.Server.URL.String(); got != want {
			t.Errorf("trial ending email links to %s, want SERVER_URL %s", got, want)
		}
		if n := emailJobsTo(t, a, owner.Email, "billing_trial_ending"); n != 1 {
			t.Errorf("%d trial ending emails to the owner, want 1", n)
		}
		if n := emailJobsTo(t, a, member.Email, "billing_trial_ending"); n != 0 {
			t.Errorf("%d trial ending emails to a member, want 0", n)
		}

		// The sessions of eleven days ago have expired: sign in again.
		c := a.Client()
		c.Post("/api/auth/sign-in/email", map[string]any{"email": owner.Email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)
		got := billingInApp(t, c)
		if len(got) != 1 || got[0].Type != "billing.trial_ending" || got[0].Title != "The trial of trial-notices ends soon" ||
			got[0].Link != a.Config.Server.URL.String() || got[0].OrganizationID != org.String() {
			t.Fatalf("billing notifications = %+v", got)
		}
		if at, err := time.Parse(time.RFC3339Nano, fmt.Sprint(got[0].Data["trialEnd"])); err != nil || !at.Equal(*s.TrialEnd) {
			t.Errorf("trialEnd = %v, want %v", got[0].Data["trialEnd"], s.TrialEnd)
		}
	})
}

// sandboxBillingApp boots an app whose payment provider is the sandbox,
// with env on top.
func sandboxBillingApp(t *testing.T, dialect db.Dialect, env ...string) *testkit.App {
	t.Helper()
	env = append([]string{"PAYMENT_PROVIDER", "sandbox", "BILLING_SANDBOX_WEBHOOK_SECRET", "s"}, env...)
	return testkit.New(t, dialect, testkit.WithEnv(env...))
}

// billingOrganization creates the organization name (also its slug) as c
// and makes it c's active one.
func billingOrganization(t *testing.T, c *testkit.Client, name string) kernel.OrganizationID {
	t.Helper()
	var o struct {
		ID kernel.OrganizationID `json:"id"`
	}
	c.Post("/api/organizations", map[string]any{"name": name, "slug": name}).RequireStatus(t, http.StatusCreated).JSON(t, &o)
	c.Post("/api/organizations/active", map[string]any{"organizationId": o.ID.String()}).RequireStatus(t, http.StatusOK)
	return o.ID
}

// billingCheckout checks plan out monthly through the sandbox's page and
// pays, as the buyer would.
func billingCheckout(t *testing.T, a *testkit.App, c *testkit.Client, plan string) {
	t.Helper()
	var out struct {
		URL string `json:"url"`
	}
	c.Post("/api/billing/checkout", map[string]any{"plan": plan, "interval": "month"}).RequireStatus(t, http.StatusOK).JSON(t, &out)
	path, ok := strings.CutPrefix(out.URL, a.URL+"/billing/sandbox/checkout/")
	if !ok {
		t.Fatalf("checkout url = %q", out.URL)
	}
	path = "/billing/sandbox/checkout/" + path
	c.Get(path).RequireStatus(t, http.StatusOK)
	if r := c.Do(http.MethodPost, path, "action=pay", "Content-Type", "application/x-www-form-urlencoded"); r.StatusCode >= 400 {
		t.Fatalf("sandbox checkout: %d %s", r.StatusCode, r.Body)
	}
}

// sandboxPortal opens the sandbox's subscription page through the billing
// portal and returns a func that answers its form with an action.
func sandboxPortal(t *testing.T, a *testkit.App, c *testkit.Client) func(action string) {
	t.Helper()
	var portal struct {
		URL string `json:"url"`
	}
	c.Post("/api/billing/portal", nil).RequireStatus(t, http.StatusOK).JSON(t, &portal)
	page, _, _ := strings.Cut(strings.TrimPrefix(portal.URL, a.URL), "?")
	body := string(c.Get(page).RequireStatus(t, http.StatusOK).Body)
	_, rest, _ := strings.Cut(body, `name="subscription" value="`)
	ref, _, _ := strings.Cut(rest, `"`)
	if ref == "" {
		t.Fatalf("no subscription on the sandbox page:\n%s", body)
	}
	return func(action string) {
		t.Helper()
		r := c.Do(http.MethodPost, page, "subscription="+url.QueryEscape(ref)+"&action="+action,
			"Content-Type", "application/x-www-form-urlencoded")
		if r.StatusCode >= 400 {
			t.Fatalf("sandbox %s: %d %s", action, r.StatusCode, r.Body)
		}
	}
}

type billingSubscriptionJSON struct {
	Plan     string     `json:"plan"`
	Status   *string    `json:"status"`
	TrialEnd *time.Time `json:"trialEnd"`
}

func billingSubscription(t *testing.T, c *testkit.Client) billingSubscriptionJSON {
	t.Helper()
	var s billingSubscriptionJSON
	c.Get("/api/billing/subscription").RequireStatus(t, http.StatusOK).JSON(t, &s)
	return s
}

// waitBillingStatus waits for the sandbox's webhook to make the active
// organization's subscription status.
func waitBillingStatus(t *testing.T, c *testkit.Client, status string) billingSubscriptionJSON {
	t.Helper()
	var s billingSubscriptionJSON
	testkit.Eventually(t, "the subscription to be "+status, func() bool {
		s = billingSubscription(t, c)
		return s.Status != nil && *s.Status == status
	})
	return s
}

type notificationJSON struct {
	Type           string         `json:"type"`
	Title          string         `json:"title"`
	Body           string         `json:"body"`
	Link           string         `json:"link"`
	OrganizationID string         `json:"organizationId"`
	Data           map[string]any `json:"data"`
}

// billingInApp lists c's user's billing notifications, newest first.
func billingInApp(t *testing.T, c *testkit.Client) []notificationJSON {
	t.Helper()
	var page struct {
		Items []notificationJSON `json:"items"`
	}
	c.Get("/api/notifications?limit=100").RequireStatus(t, http.StatusOK).JSON(t, &page)
	return slices.DeleteFunc(page.Items, func(n notificationJSON) bool { return !strings.HasPrefix(n.Type, "billing.") })
}

// emailJobsTo counts the email jobs of template to the address: every one
// enqueued, sent or not.
func emailJobsTo(t *testing.T, a *testkit.App, to, template string) int {
	t.Helper()
	rows, err := a.Jobs().List(t.Context(), jobs.ListParams{Kind: "notifications.email", Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		var args struct {
			Email struct {
				To   []string
				Tags map[string]string
			} `json:"email"`
		}
		if err := json.Unmarshal(r.EncodedArgs, &args); err != nil {
			t.Fatalf("email job %d: %v", r.ID, err)
		}
		if slices.Contains(args.Email.To, to) && args.Email.Tags["template"] == template {
			n++
		}
	}
	return n
}
