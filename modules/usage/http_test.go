package usage_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
	"github.com/groundworkhq/groundwork/web"
)

// helpdesk is a product module as a downstream product writes one: it
// declares its meter (app.MeterDeclarer) and its route counts a ticket
// against the plan, through Deps.Usage, in the transaction that would
// store it.
type helpdesk struct {
	db    *db.DB
	usage *usage.Module
	// meters are what it declares (ticketsCreated when nil).
	meters []usage.Meter
}

func (h *helpdesk) Name() string { return "helpdesk" }

func (h *helpdesk) UsageMeters() []usage.Meter {
	if h.meters == nil {
		return []usage.Meter{ticketsCreated}
	}
	return h.meters
}

func (h *helpdesk) Routes(r *web.Router) {
	api := r.API()
	huma.Register(api, web.UserOp(api, "create-ticket", http.MethodPost, "/api/helpdesk/tickets", "Helpdesk",
		"Open a ticket", "Counts against tickets_created.", http.StatusPaymentRequired), h.create)
}

type ticketOutput struct {
	Body struct {
		Remaining int64 `json:"remaining"`
	}
}

func (h *helpdesk) create(ctx context.Context, _ *struct{}) (*ticketOutput, error) {
	org, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return nil, kernel.ErrNoActiveOrganization
	}
	out := &ticketOutput{}
	err := h.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		out.Body.Remaining, err = h.usage.CheckAndIncrement(ctx, org.OrganizationID, ticketsCreated.Key, 1)
		return err // … and the ticket would be stored here
	})
	return out, err
}

// helpdeskFactory builds h as app.WithModules does.
func helpdeskFactory(h *helpdesk) app.ModuleFactory {
	return func(d app.Deps) (app.Module, error) {
		h.db, h.usage = d.DB, d.Usage
		return h, nil
	}
}

// bootHelpdesk boots an app with the helpdesk module, whose meter is the
// only one, declared as a product declares it, on its own plans.
func bootHelpdesk(t *testing.T, dialect db.Dialect) *testkit.App {
	return boot(t, dialect, func(*testkit.App) {},
		testkit.WithAppOptions(app.WithModules(helpdeskFactory(&helpdesk{}))), testkit.WithEnv("PLANS_FILE", helpdeskPlans(t)))
}

// A product's meter that is bad or taken fails app.New, naming the module
// and the meter.
func TestHTTP_productMeterRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		meters []usage.Meter
		want   string
	}{
		{"twice", []usage.Meter{ticketsCreated, ticketsCreated}, `module helpdesk: meter "tickets_created"`},
		{"bad key", []usage.Meter{{Key: "Tickets!", Window: usage.Monthly}}, `module helpdesk: meter "Tickets!"`},
	} {
		dir := t.TempDir()
		cfg, err := config.Load(func(k string) (string, bool) {
			v, ok := map[string]string{"DATA_DIR": dir}[k]
			return v, ok
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = app.New(t.Context(), cfg, app.WithModules(helpdeskFactory(&helpdesk{meters: tc.meters})))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want %q", tc.name, err, tc.want)
		}
	}
}

type meterJSON struct {
	Meter       string     `json:"meter"`
	Description string     `json:"description"`
	Unit        string     `json:"unit"`
	Window      string     `json:"window"`
	Used        int64      `json:"used"`
	Limit       int64      `json:"limit"`
	Remaining   int64      `json:"remaining"`
	WindowStart *time.Time `json:"windowStart"`
	ResetsAt    *time.Time `json:"resetsAt"`
	Enforced    bool       `json:"enforced"`
}

func listUsage(t *testing.T, c *testkit.Client) []meterJSON {
	t.Helper()
	var out struct {
		Items []meterJSON `json:"items"`
	}
	c.Get("/api/usage").RequireStatus(t, http.StatusOK).JSON(t, &out)
	return out.Items
}

type windowJSON struct {
	WindowStart time.Time `json:"windowStart"`
	WindowEnd   time.Time `json:"windowEnd"`
	Used        int64     `json:"used"`
	Limit       int64     `json:"limit"`
}

func history(t *testing.T, c *testkit.Client, path string) []windowJSON {
	t.Helper()
	var out struct {
		Items []windowJSON `json:"items"`
	}
	c.Get(path).RequireStatus(t, http.StatusOK).JSON(t, &out)
	return out.Items
}

func TestHTTP_usage(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		acc, org := owner(t, a, "reader")
		inc(t, a, org, ticketsCreated.Key, 2)
		inc(t, a, org, exports.Key, 7)

		items := listUsage(t, acc.Client)
		if len(items) != len(testMeters) {
			t.Fatalf("items = %+v", items)
		}
		for i, m := range testMeters {
			if items[i].Meter != m.Key || items[i].Window != m.Window.String() || items[i].Unit != m.Unit || items[i].Description != m.Description || !items[i].Enforced {
				t.Errorf("item %d = %+v, want meter %+v", i, items[i], m)
			}
		}
		jan, feb := date(2026, 1, 1, 0), date(2026, 2, 1, 0)
		tickets := items[0]
		if tickets.Used != 2 || tickets.Limit != 5 || tickets.Remaining != 3 || tickets.ResetsAt == nil || !tickets.ResetsAt.Equal(feb) ||
			tickets.WindowStart == nil || !tickets.WindowStart.Equal(jan) {
			t.Errorf("tickets_created = %+v", tickets)
		}
		if p := items[2]; p.Meter != "projects" || p.Used != 0 || p.Limit != 2 || p.ResetsAt != nil || p.WindowStart != nil {
			t.Errorf("lifetime = %+v", p)
		}
		if d := items[4]; d.Meter != "custom_domains" || d.Limit != 0 || d.Remaining != 0 {
			t.Errorf("not on the plan = %+v", d)
		}
		if e := items[5]; e.Used != 7 || e.Limit != -1 || e.Remaining != -1 {
			t.Errorf("unlimited = %+v", e)
		}

		// History: January's window, once it is over.
		path := "/api/usage/tickets_created/history"
		if h := history(t, acc.Client, path); len(h) != 0 {
			t.Fatalf("history before the rollover = %+v", h)
		}
		a.Clock.Set(feb.Add(time.Hour))
		acc.Post("/api/auth/sign-in/email", map[string]any{"email": acc.Email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)
		if _, err := a.Usage().Rollover(t.Context()); err != nil {
			t.Fatal(err)
		}
		want := windowJSON{WindowStart: jan, WindowEnd: feb, Used: 2, Limit: 5}
		if h := history(t, acc.Client, path); len(h) != 1 || !h[0].WindowStart.Equal(want.WindowStart) || !h[0].WindowEnd.Equal(want.WindowEnd) ||
			h[0].Used != want.Used || h[0].Limit != want.Limit {
			t.Fatalf("history = %+v", h)
		}
		if h := history(t, acc.Client, path+"?from=2026-01-15T00:00:00Z&to=2026-01-16T00:00:00Z"); len(h) != 1 {
			t.Errorf("history in mid-January = %+v", h)
		}
		if h := history(t, acc.Client, path+"?from=2026-02-01T00:00:00Z"); len(h) != 0 {
			t.Errorf("history from February = %+v", h)
		}
		if items := listUsage(t, acc.Client); items[0].Used != 0 || !items[0].ResetsAt.Equal(date(2026, 3, 1, 0)) {
			t.Errorf("after the rollover = %+v", items[0])
		}

		// Bad queries.
		p := acc.Get(path+"?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z").RequireProblem(t, http.StatusUnprocessableEntity, "usage.invalid_range")
		if _, ok := p.Field("query.to"); !ok {
			t.Errorf("fields = %+v", p.Errors)
		}
		acc.Get("/api/usage/nope/history").RequireProblem(t, http.StatusNotFound, "usage.unknown_meter")
		acc.Get(path+"?from=yesterday").RequireStatus(t, http.StatusUnprocessableEntity)

		// Another organization sees its own usage only.
		other, _ := owner(t, a, "other-reader")
		if items := listUsage(t, other.Client); items[0].Used != 0 {
			t.Errorf("another organization sees %+v", items[0])
		}
		if h := history(t, other.Client, path); len(h) != 0 {
			t.Errorf("another organization's history = %+v", h)
		}
	})
}

// usage:read gates both routes: owners and admins hold it, a member does
// not.
func TestHTTP_permission(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		a.Client().Get("/api/usage").RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		acc, org := owner(t, a, "gated")
		member := a.Client().As(acc.ID).InOrganization(org, "member", "members:read")
		member.Get("/api/usage").RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		member.Get("/api/usage/tickets_created/history").RequireProblem(t, http.StatusForbidden, "tenancy.forbidden")
		a.Client().As(acc.ID).Get("/api/usage").RequireProblem(t, http.StatusForbidden, "tenancy.no_active_organization")
		reader := a.Client().As(acc.ID).InOrganization(org, "member", usage.PermRead)
		reader.Get("/api/usage").RequireStatus(t, http.StatusOK)
		reader.Get("/api/usage/tickets_created/history").RequireStatus(t, http.StatusOK)

		found := map[string]bool{}
		for _, p := range a.Tenancy().Permissions() {
			found[p.Name] = true
		}
		if !found["usage:read"] {
			t.Error("usage:read is not in the catalog")
		}
	})
}

// A product module counts through its own route, in its own transaction;
// past the cap, the edge answers 402 with the refusal's members.
func TestHTTP_productModule(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a := bootHelpdesk(t, dialect)
		if ms := a.Usage().Meters(); len(ms) != 1 || ms[0].Key != "tickets_created" {
			t.Fatalf("meters = %+v", ms)
		}
		acc, _ := owner(t, a, "helpdesk")
		for want := int64(4); want >= 0; want-- {
			var out struct {
				Remaining int64 `json:"remaining"`
			}
			acc.Post("/api/helpdesk/tickets", nil).RequireStatus(t, http.StatusOK).JSON(t, &out)
			if out.Remaining != want {
				t.Fatalf("remaining = %d, want %d", out.Remaining, want)
			}
		}
		r := acc.Post("/api/helpdesk/tickets", nil)
		r.RequireProblem(t, http.StatusPaymentRequired, "usage.quota_exceeded")
		var body struct {
			Meter    string     `json:"meter"`
			Limit    int64      `json:"limit"`
			Used     int64      `json:"used"`
			ResetsAt *time.Time `json:"resetsAt"`
		}
		r.JSON(t, &body)
		if body.Meter != "tickets_created" || body.Limit != 5 || body.Used != 5 || body.ResetsAt == nil || !body.ResetsAt.Equal(date(2026, 2, 1, 0)) {
			t.Errorf("402 members = %+v", body)
		}
		if items := listUsage(t, acc.Client); len(items) != 1 || items[0].Used != 5 {
			t.Errorf("usage = %+v", items)
		}
	})
}

// helpdeskPlans is the helpdesk's plans file: caps on its one meter only,
// as start-up refuses a cap of a meter nobody registered.
func helpdeskPlans(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "helpdesk-plans.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}
