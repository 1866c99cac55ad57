package usage_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

const sandboxSecret = "usage-sandbox-secret"

// The meters of the tests; testdata/plans.yaml caps them.
var (
	ticketsCreated = usage.Meter{Key: "tickets_created", Description: "Tickets opened", Unit: "tickets", Window: usage.Monthly}
	apiCalls       = usage.Meter{Key: "api_calls", Description: "API calls", Unit: "calls", Window: usage.Monthly}
	projects       = usage.Meter{Key: "projects", Description: "Projects", Unit: "projects", Window: usage.Lifetime}
	reports        = usage.Meter{Key: "reports", Description: "Annual reports", Unit: "reports", Window: usage.Yearly}
	customDomains  = usage.Meter{Key: "custom_domains", Description: "Custom domains", Unit: "domains", Window: usage.Lifetime}
	exports        = usage.Meter{Key: "exports", Description: "Exports", Unit: "exports", Window: usage.Monthly}
	testMeters     = []usage.Meter{ticketsCreated, apiCalls, projects, reports, customDomains, exports}
)

// boot starts an app with metering on, the test plans and the sandbox
// provider, as a product does: built, its meters registered, then
// migrated and started. register adds meters of its own before the start
// (nil: testMeters).
func boot(t testing.TB, dialect db.Dialect, register func(a *testkit.App), opts ...testkit.Option) *testkit.App {
	t.Helper()
	plans, err := filepath.Abs(filepath.Join("testdata", "plans.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	base := []testkit.Option{
		testkit.WithoutMigrations(), // and so not started: meters come first
		testkit.WithEnv("USAGE_METERING_ENABLED", "true", "PLANS_FILE", plans,
			"PAYMENT_PROVIDER", "sandbox", "BILLING_SANDBOX_WEBHOOK_SECRET", sandboxSecret),
	}
	a := testkit.New(t, dialect, append(base, opts...)...)
	if register == nil {
		register = func(a *testkit.App) {
			for _, m := range testMeters {
				if err := a.Usage().Register(m); err != nil {
					t.Fatalf("register %s: %v", m.Key, err)
				}
			}
		}
	}
	register(a)
	if err := a.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if err := a.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	return a
}

// run runs fn against a booted app on each dialect under test.
func run(t *testing.T, fn func(t *testing.T, a *testkit.App), opts ...testkit.Option) {
	t.Helper()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) { fn(t, boot(t, dialect, nil, opts...)) })
}

func newOrg() kernel.OrganizationID { return kernel.NewID[kernel.OrganizationKind]() }

// inc counts n of meter for org in a transaction of its own and returns
// what is left.
func inc(t *testing.T, a *testkit.App, org kernel.OrganizationID, meter string, n int64) int64 {
	t.Helper()
	var left int64
	err := a.DB().Tx(t.Context(), func(ctx context.Context) error {
		var err error
		left, err = a.Usage().CheckAndIncrement(ctx, org, meter, n)
		return err
	})
	if err != nil {
		t.Fatalf("CheckAndIncrement(%s, %d): %v", meter, n, err)
	}
	return left
}

// refused counts n of meter for org and returns the refusal.
func refused(t *testing.T, a *testkit.App, org kernel.OrganizationID, meter string, n int64) *usage.QuotaExceeded {
	t.Helper()
	_, err := a.Usage().CheckAndIncrement(t.Context(), org, meter, n)
	var qe *usage.QuotaExceeded
	if !errors.As(err, &qe) {
		t.Fatalf("CheckAndIncrement(%s, %d) = %v, want QuotaExceeded", meter, n, err)
	}
	return qe
}

func check(t *testing.T, a *testkit.App, org kernel.OrganizationID, meter string) usage.Status {
	t.Helper()
	st, err := a.Usage().Check(t.Context(), org, meter)
	if err != nil {
		t.Fatalf("Check(%s): %v", meter, err)
	}
	return st
}

// rows counts the rows of table (of the organization, when given).
func rows(t *testing.T, a *testkit.App, table string, org kernel.OrganizationID) int {
	t.Helper()
	q, args := `SELECT COUNT(*) FROM `+table, []any{}
	if !org.IsZero() {
		q, args = q+` WHERE organization_id = $1`, append(args, org)
	}
	var n int
	if err := a.DB().Q(t.Context()).QueryRow(t.Context(), q, args...).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// organization creates an organization as c and makes it c's active one.
func organization(t *testing.T, c *testkit.Client, slug string) kernel.OrganizationID {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	c.Post("/api/organizations", map[string]any{"name": slug, "slug": slug}).RequireStatus(t, http.StatusCreated).JSON(t, &o)
	c.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
	return kernel.MustParseID[kernel.OrganizationKind](o.ID)
}

// subscribe buys plan at interval through the sandbox's checkout page, as
// a buyer does, and waits for the subscription to be active.
func subscribe(t *testing.T, a *testkit.App, c *testkit.Client, plan, interval string) {
	t.Helper()
	var out struct {
		URL string `json:"url"`
	}
	c.Post("/api/billing/checkout", map[string]any{"plan": plan, "interval": interval}).RequireStatus(t, http.StatusOK).JSON(t, &out)
	path := strings.TrimPrefix(out.URL, a.URL)
	c.Get(path).RequireStatus(t, http.StatusOK)
	if r := c.Do(http.MethodPost, path, "action=pay", "Content-Type", "application/x-www-form-urlencoded"); r.StatusCode >= 400 {
		t.Fatalf("sandbox checkout: %d %s", r.StatusCode, r.Body)
	}
	waitPlan(t, c, plan)
}

// waitPlan waits until the active organization of c is on plan.
func waitPlan(t *testing.T, c *testkit.Client, plan string) {
	t.Helper()
	testkit.Eventually(t, "the plan to be "+plan, func() bool {
		var s struct {
			Plan     string  `json:"plan"`
			Status   *string `json:"status"`
			Entitled bool    `json:"entitled"`
		}
		c.Get("/api/billing/subscription").RequireStatus(t, http.StatusOK).JSON(t, &s)
		return s.Plan == plan && s.Entitled
	})
}

// owner signs an owner up and gives them an organization of their own.
func owner(t *testing.T, a *testkit.App, slug string) (testkit.Account, kernel.OrganizationID) {
	t.Helper()
	acc := a.SignUp(t, testkit.NewEmail(slug), "Olga", true)
	return acc, organization(t, acc.Client, slug)
}
