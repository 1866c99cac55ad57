package tickets_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/testkit"

	"example.com/helpdesk/tickets"
)

type ticketJSON struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	AuthorID       string `json:"authorId"`
	Title          string `json:"title"`
	Status         string `json:"status"`
	Priority       string `json:"priority"`
}

// withTickets boots the whole platform with the helpdesk's module, on
// SQLite and, with TEST_POSTGRES_URL, PostgreSQL, as main.go runs it: its
// plans file, quotas enforced, and the sandbox payment provider for the
// checkouts.
var withTickets = testkit.WithAppOptions(app.WithModules(tickets.New))

// withPlans is the helpdesk's configuration.
func withPlans(t *testing.T) testkit.Option {
	t.Helper()
	plans, err := filepath.Abs(filepath.Join("..", "plans.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return testkit.WithEnv("PLANS_FILE", plans, "USAGE_METERING_ENABLED", "true",
		"PAYMENT_PROVIDER", "sandbox", "BILLING_SANDBOX_WEBHOOK_SECRET", "helpdesk-sandbox-secret")
}

// organization creates an organization as c and makes it active.
func organization(t *testing.T, c *testkit.Client, slug string) string {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	c.Post("/api/organizations", map[string]any{"name": slug, "slug": slug}).RequireStatus(t, http.StatusCreated).JSON(t, &o)
	c.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
	return o.ID
}

func TestTickets(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia", true)
		org := organization(t, owner.Client, "acme")

		var tk ticketJSON
		owner.Post("/api/tickets", map[string]any{"title": "  The printer is on fire  "}).RequireStatus(t, http.StatusCreated).JSON(t, &tk)
		if !strings.HasPrefix(tk.ID, "tkt_") || tk.Title != "The printer is on fire" || tk.Status != "open" ||
			tk.OrganizationID != org || tk.AuthorID != owner.ID.String() {
			t.Fatalf("ticket = %+v", tk)
		}
		var list struct {
			Items []ticketJSON `json:"items"`
		}
		owner.Get("/api/tickets").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != tk.ID {
			t.Fatalf("list = %+v", list)
		}

		// Bad input is a problem naming the field, and nothing is stored.
		for _, title := range []string{"", "   ", strings.Repeat("x", tickets.MaxTitle+1), "two\nlines", "rtl\u202eevil"} {
			owner.Post("/api/tickets", map[string]any{"title": title}).RequireProblem(t, http.StatusUnprocessableEntity, "tickets.invalid_title")
		}
		owner.Post("/api/tickets", map[string]any{"title": 7}).RequireStatus(t, http.StatusUnprocessableEntity)

		// Another organization sees none of it.
		other := a.SignUp(t, testkit.NewEmail("other"), "Otto", true)
		organization(t, other.Client, "globex")
		other.Get("/api/tickets").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("another organization sees %+v", list.Items)
		}

		// The permission gate: anonymous 401, no organization 403.
		a.Client().Get("/api/tickets").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		loner := a.SignUp(t, testkit.NewEmail("loner"), "Lone", true)
		loner.Post("/api/tickets", map[string]any{"title": "hi"}).RequireProblem(t, http.StatusForbidden, "tenancy.no_active_organization")

		// The permissions are declared: a custom role may hold them.
		var perms struct {
			Items []struct {
				Name string `json:"name"`
			} `json:"items"`
		}
		owner.Get("/api/permissions").RequireStatus(t, http.StatusOK).JSON(t, &perms)
		found := 0
		for _, p := range perms.Items {
			if p.Name == tickets.PermRead || p.Name == tickets.PermCreate {
				found++
			}
		}
		if found != 2 {
			t.Errorf("permissions = %+v", perms)
		}

		// The platform admin route: behind the platform's gate, across
		// organizations.
		a.Client().Get("/api/v1/platform/tickets/stats").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		owner.Get("/api/v1/platform/tickets/stats").RequireProblem(t, http.StatusForbidden, "platform.forbidden")
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("admin"), "Ada")
		other.Post("/api/tickets", map[string]any{"title": "Globex too"}).RequireStatus(t, http.StatusCreated)
		var stats struct {
			ByStatus map[string]int `json:"byStatus"`
		}
		admin.Get("/api/v1/platform/tickets/stats").RequireStatus(t, http.StatusOK).JSON(t, &stats)
		if stats.ByStatus["open"] != 2 {
			t.Errorf("stats = %+v", stats)
		}

		// Every sign-up got its welcome, through the listener and the job.
		ctx := context.Background()
		testkit.Eventually(t, "four welcomes", func() bool {
			var n int
			err := a.DB().Q(ctx).QueryRow(ctx, `SELECT count(*) FROM ticket_welcomes`).Scan(&n)
			return err == nil && n == 4
		})
	}, withTickets, withPlans(t))
}

// The module's own setting is read from the environment the platform's
// configuration came from, with its rules: HELPDESK_LIST_LIMIT caps a list,
// and a bad value stops start-up naming the variable.
func TestListLimitSetting(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia", true)
		organization(t, owner.Client, "acme")
		var newest ticketJSON
		for _, title := range []string{"first", "second"} {
			owner.Post("/api/tickets", map[string]any{"title": title}).RequireStatus(t, http.StatusCreated).JSON(t, &newest)
		}
		var list struct {
			Items []ticketJSON `json:"items"`
		}
		owner.Get("/api/tickets").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != newest.ID {
			t.Errorf("with HELPDESK_LIST_LIMIT=1 the list is %+v, want only %s", list.Items, newest.ID)
		}
	}, withTickets, withPlans(t), testkit.WithEnv("HELPDESK_LIST_LIMIT", "1"))

	for _, bad := range []string{"0", "1001", "many"} {
		_, err := tickets.New(app.Deps{Env: func(k string) (string, bool) { return bad, k == "HELPDESK_LIST_LIMIT" }})
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Variable != "HELPDESK_LIST_LIMIT" || ce.Value != bad {
			t.Errorf("HELPDESK_LIST_LIMIT=%s: New = %v, want a configuration error naming it", bad, err)
		}
	}
}

type problemJSON struct {
	Code     string     `json:"code"`
	Meter    string     `json:"meter"`
	Limit    int64      `json:"limit"`
	Used     int64      `json:"used"`
	ResetsAt *time.Time `json:"resetsAt"`
	Plans    []string   `json:"plans"`
}

type usageJSON struct {
	Items []struct {
		Meter     string `json:"meter"`
		Used      int64  `json:"used"`
		Limit     int64  `json:"limit"`
		Remaining int64  `json:"remaining"`
	} `json:"items"`
}

// subscribe buys plan monthly through the sandbox's checkout page, as a
// buyer does, and waits until the organization is on it.
func subscribe(t *testing.T, a *testkit.App, c *testkit.Client, plan string) {
	t.Helper()
	var out struct {
		URL string `json:"url"`
	}
	c.Post("/api/billing/checkout", map[string]any{"plan": plan, "interval": "month"}).RequireStatus(t, http.StatusOK).JSON(t, &out)
	path := strings.TrimPrefix(out.URL, a.URL)
	c.Get(path).RequireStatus(t, http.StatusOK)
	if r := c.Do(http.MethodPost, path, "action=pay", "Content-Type", "application/x-www-form-urlencoded"); r.StatusCode >= 400 {
		t.Fatalf("sandbox checkout: %d %s", r.StatusCode, r.Body)
	}
	testkit.Eventually(t, "the plan to be "+plan, func() bool {
		var s struct {
			Plan string `json:"plan"`
		}
		c.Get("/api/billing/subscription").RequireStatus(t, http.StatusOK).JSON(t, &s)
		return s.Plan == plan
	})
}

// The free plan opens ten tickets a month: the eleventh is refused with
// the quota's members and stores nothing; urgent tickets need a paid plan,
// and buying one raises the quota at once, keeping what was used.
func TestQuotaAndPlans(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia", true)
		organization(t, owner.Client, "acme")
		for i := range 10 {
			owner.Post("/api/tickets", map[string]any{"title": "ticket " + string(rune('a'+i))}).RequireStatus(t, http.StatusCreated)
		}
		r := owner.Post("/api/tickets", map[string]any{"title": "one too many"})
		r.RequireProblem(t, http.StatusPaymentRequired, "usage.quota_exceeded")
		var p problemJSON
		r.JSON(t, &p)
		if p.Meter != "tickets_created" || p.Limit != 10 || p.Used != 10 || p.ResetsAt == nil || !p.ResetsAt.After(a.Clock.Now()) {
			t.Errorf("402 = %+v", p)
		}
		var list struct {
			Items []ticketJSON `json:"items"`
		}
		owner.Get("/api/tickets").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 10 {
			t.Errorf("%d tickets stored, want 10", len(list.Items))
		}
		var u usageJSON
		owner.Get("/api/usage").RequireStatus(t, http.StatusOK).JSON(t, &u)
		if len(u.Items) != 1 || u.Items[0].Meter != "tickets_created" || u.Items[0].Used != 10 || u.Items[0].Remaining != 0 {
			t.Errorf("usage = %+v", u)
		}
		// A bad title counts nothing.
		owner.Post("/api/tickets", map[string]any{"title": ""}).RequireProblem(t, http.StatusUnprocessableEntity, "tickets.invalid_title")

		// Urgent tickets: a paid plan.
		r = owner.Post("/api/tickets/urgent", map[string]any{"title": "The server room floods"})
		r.RequireProblem(t, http.StatusPaymentRequired, "billing.subscription_required")
		r.JSON(t, &p)
		if strings.Join(p.Plans, ",") != "pro,business" {
			t.Errorf("plans = %v", p.Plans)
		}
		subscribe(t, a, owner.Client, "pro")
		var tk ticketJSON
		owner.Post("/api/tickets/urgent", map[string]any{"title": "The server room floods"}).RequireStatus(t, http.StatusCreated).JSON(t, &tk)
		if tk.Priority != "urgent" {
			t.Errorf("urgent ticket = %+v", tk)
		}
		owner.Post("/api/tickets", map[string]any{"title": "back in business"}).RequireStatus(t, http.StatusCreated)
		owner.Get("/api/usage").RequireStatus(t, http.StatusOK).JSON(t, &u)
		if u.Items[0].Used != 12 || u.Items[0].Limit != 1000 || u.Items[0].Remaining != 988 {
			t.Errorf("usage on pro = %+v", u)
		}

		// Another organization has its own quota.
		other := a.SignUp(t, testkit.NewEmail("other"), "Otto", true)
		organization(t, other.Client, "globex")
		other.Post("/api/tickets", map[string]any{"title": "fresh start"}).RequireStatus(t, http.StatusCreated)
		other.Get("/api/usage").RequireStatus(t, http.StatusOK).JSON(t, &u)
		if u.Items[0].Used != 1 || u.Items[0].Limit != 10 {
			t.Errorf("the other organization's usage = %+v", u)
		}
	}, withTickets, withPlans(t))
}

// Attachments are a beta organizations opt into (a feature flag their
// admins switch): off, 403; on, the raw body is stored as a private file
// of the organization, served at a signed URL; another organization's
// ticket is 404, a replaced attachment is deleted.
func TestAttachments(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia", true)
		organization(t, owner.Client, "attach")
		var tk ticketJSON
		owner.Post("/api/tickets", map[string]any{"title": "Broken invoice"}).RequireStatus(t, http.StatusCreated).JSON(t, &tk)
		path := "/api/tickets/" + tk.ID + "/attachment"
		put := func(c *testkit.Client, body, name string) *testkit.Response {
			return c.Do(http.MethodPut, path, body, "Content-Type", "text/plain", "X-File-Name", name)
		}
		put(owner.Client, "the log", "log.txt").RequireProblem(t, http.StatusForbidden, "tickets.attachments_off")
		owner.Do(http.MethodPut, "/api/feature-flags/"+tickets.FlagAttachments+"/organization", map[string]any{"value": true}).RequireStatus(t, http.StatusNoContent)

		var att struct {
			Name, ContentType, URL string
			Size                   int64
		}
		put(owner.Client, "the log", "log.txt").RequireStatus(t, http.StatusOK).JSON(t, &att)
		if att.Name != "log.txt" || att.ContentType != "text/plain" || att.Size != 7 || att.URL == "" {
			t.Fatalf("attachment = %+v", att)
		}
		res, err := http.Get(att.URL)
		if err != nil {
			t.Fatal(err)
		}
		body := make([]byte, 64)
		n, _ := res.Body.Read(body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || string(body[:n]) != "the log" {
			t.Fatalf("GET signed URL = %d %q", res.StatusCode, body[:n])
		}
		owner.Get(path).RequireStatus(t, http.StatusOK)
		first := att.URL
		put(owner.Client, "the second log", "log2.txt").RequireStatus(t, http.StatusOK).JSON(t, &att)
		testkit.Eventually(t, "the replaced attachment deleted", func() bool {
			res, err := http.Get(first)
			if err != nil {
				return false
			}
			res.Body.Close()
			return res.StatusCode == http.StatusNotFound
		})

		// Another organization's ticket is not found, even with the beta on.
		other := a.SignUp(t, testkit.NewEmail("other"), "Otto", true)
		organization(t, other.Client, "other-attach")
		other.Do(http.MethodPut, "/api/feature-flags/"+tickets.FlagAttachments+"/organization", map[string]any{"value": true}).RequireStatus(t, http.StatusNoContent)
		put(other.Client, "sneaky", "x.txt").RequireProblem(t, http.StatusNotFound, "tickets.not_found")
		other.Get(path).RequireProblem(t, http.StatusNotFound, "tickets.not_found")
		// Too large.
		put(owner.Client, strings.Repeat("x", tickets.MaxAttachment+2), "big.txt").RequireStatus(t, http.StatusRequestEntityTooLarge)
	}, withTickets, withPlans(t))
}
