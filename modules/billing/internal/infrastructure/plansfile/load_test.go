package plansfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/plansfile"
)

// write puts content in a plans.yaml of its own and returns its path.
func write(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plans.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func keys(c *domain.Catalog) []string {
	var out []string
	for _, p := range c.Plans() {
		out = append(out, p.Key)
	}
	return out
}

func TestLoadGoodFile(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{"none", "sandbox", "stripe", "polar"} {
		t.Run(provider, func(t *testing.T) {
			t.Parallel()
			c, err := plansfile.Load("testdata/plans.yaml", provider)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := keys(c), []string{"free", "pro", "business", "legacy"}; !slices.Equal(got, want) {
				t.Fatalf("plans = %v, want %v (the file's order)", got, want)
			}
			want := []domain.Plan{
				{
					Key: "free", Name: "Free", Description: "For trying things out",
					Prices:   map[domain.Interval]domain.PlanPrice{},
					Caps:     map[string]int64{"members": 3, "tickets_created": 100},
					Features: []string{"3 members"},
					Public:   true,
				},
				{
					Key: "pro", Name: "Pro", Description: "For growing teams",
					Prices: map[domain.Interval]domain.PlanPrice{
						domain.Month: {Amount: 1900, Currency: "usd", ProviderIDs: map[string]string{"stripe": "price_pro_m", "polar": "prod_pro_m"}},
						domain.Year:  {Amount: 19000, Currency: "usd", ProviderIDs: map[string]string{"stripe": "price_pro_y", "polar": "prod_pro_y"}},
					},
					TrialDays: 14,
					Caps:      map[string]int64{"members": 20, "tickets_created": 1000, "api_calls": -1},
					Features:  []string{"Unlimited projects", "Priority support"},
					Public:    true,
				},
				{
					Key: "business", Name: "Business",
					Prices: map[domain.Interval]domain.PlanPrice{
						domain.Month: {Amount: 1200, Currency: "eur", ProviderIDs: map[string]string{"stripe": "price_biz_m", "polar": "prod_biz_m"}},
					},
					PerSeat: true,
					Caps:    map[string]int64{"members": -1, "api_calls": -1},
					Public:  true,
				},
				{
					Key: "legacy", Name: "Legacy",
					Prices: map[domain.Interval]domain.PlanPrice{
						domain.Year: {Amount: 9900, Currency: "usd", ProviderIDs: map[string]string{"stripe": "price_legacy", "polar": "prod_legacy"}},
					},
					Caps:   map[string]int64{},
					Public: false,
				},
			}
			for i, got := range c.Plans() {
				if !reflect.DeepEqual(got, want[i]) {
					t.Errorf("plan %s =\n%+v\nwant\n%+v", got.Key, got, want[i])
				}
			}
			if !c.Plans()[0].Free() || c.Plans()[1].Free() {
				t.Error("free is not free, or pro is")
			}
			if provider == "stripe" {
				price, ok := c.Price("pro", domain.Year, "stripe")
				if !ok || price != (domain.Price{Plan: "pro", Interval: domain.Year, ProviderID: "price_pro_y", Amount: 19000, Currency: "usd"}) {
					t.Errorf("Price(pro, year, stripe) = %+v, %v", price, ok)
				}
				if plan, iv, ok := c.ByProviderID("stripe", "price_biz_m"); !ok || plan != "business" || iv != domain.Month {
					t.Errorf("ByProviderID(price_biz_m) = %s, %s, %v", plan, iv, ok)
				}
			}
		})
	}
}

func TestLoadEmptyPathIsBuiltin(t *testing.T) {
	t.Parallel()
	for _, provider := range []string{"", "none", "sandbox"} {
		c, err := plansfile.Load("", provider)
		if err != nil {
			t.Fatalf("Load(%q, %q): %v", "", provider, err)
		}
		if !reflect.DeepEqual(c.Plans(), plansfile.Builtin().Plans()) {
			t.Errorf("Load(\"\", %q) is not the built-in catalog", provider)
		}
	}
	// A real provider needs its IDs, which the built-in plans lack.
	for _, provider := range []string{"stripe", "polar", "mercadopago"} {
		_, err := plansfile.Load("", provider)
		if err == nil {
			t.Fatalf("Load(\"\", %q) succeeded", provider)
		}
		want := `PLANS_FILE="": required when PAYMENT_PROVIDER=` + provider + ": the built-in plans have no "
		if msg := err.Error(); !strings.HasPrefix(msg, want) || strings.ContainsAny(msg, "\r\n") {
			t.Errorf("Load(\"\", %q) = %q, want one line starting %q", provider, msg, want)
		}
	}
}

func TestLoadUnknownProvider(t *testing.T) {
	t.Parallel()
	if _, err := plansfile.Load("testdata/plans.yaml", "paypal"); err == nil || !strings.Contains(err.Error(), `"paypal"`) {
		t.Errorf("Load with provider paypal: %v, want an error naming it", err)
	}
}

// TestProviderSwitch loads one file for each provider: the IDs it lacks
// matter only to the provider that needs them.
func TestProviderSwitch(t *testing.T) {
	t.Parallel()
	path := write(t, `plans:
  - key: free
    name: Free
  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: usd, polar: prod_1 }
`)
	tests := []struct {
		provider string
		field    string // "": loads
	}{
		{"none", ""},
		{"sandbox", ""},
		{"polar", ""},
		{"stripe", "prices.month.stripe"},
		{"mercadopago", "prices.month.mercadopago"},
	}
	for _, tt := range tests {
		c, err := plansfile.Load(path, tt.provider)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.provider, err)
			} else if !slices.Equal(keys(c), []string{"free", "pro"}) {
				t.Errorf("%s: plans %v", tt.provider, keys(c))
			}
			continue
		}
		perr, ok := errors.AsType[*plansfile.Error](err)
		if !ok {
			t.Errorf("%s: error %v, want a *plansfile.Error", tt.provider, err)
			continue
		}
		if perr.Plan != "pro" || perr.Field != tt.field || perr.Line != 7 {
			t.Errorf("%s: error %q names plan %q, field %q, line %d; want pro, %s, 7", tt.provider, perr, perr.Plan, perr.Field, perr.Line, tt.field)
		}
	}
}

// free is a valid first plan the bad cases add to; it ends on line 3.
const free = `plans:
  - key: free
    name: Free
`

func TestLoadBadFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		content  string
		provider string // default none
		line     int
		index    int // from 1; 0 outside a plan
		plan     string
		field    string
		problem  string // a fragment of Problem
	}{
		{"unknown plan key", free + `  - key: pro
    name: Pro
    colour: blue
`, "", 6, 2, "pro", "colour", "unknown field (one of key, name, description, trialDays, perSeat, public, features, caps, prices)"},
		{"unknown price key", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: usd, strpe: price_1 }
`, "", 7, 2, "pro", "prices.month.strpe", "unknown field (one of amount, currency, stripe, polar, mercadopago)"},
		{"unknown top-level key", free + `version: 2
`, "", 4, 0, "", "version", "unknown field (one of plans)"},
		{"key twice in a plan", free + `  - key: pro
    name: Pro
    name: Professional
`, "", 6, 2, "pro", "name", "defined twice (first at line 5)"},
		{"duplicate plan", free + `  - key: pro
    name: Pro
  - key: pro
    name: Pro again
`, "", 6, 3, "pro", "key", "defined twice: plans[1] has it too"},
		{"plan without a key", free + `  - name: Nameless
`, "", 4, 2, "", "key", "missing"},
		{"key not a slug", free + `  - key: Pro Plan
    name: Pro
`, "", 4, 2, "Pro Plan", "key", "a-z 0-9 _ -"},
		{"plan without a name", free + `  - key: pro
`, "", 4, 2, "pro", "name", "missing"},
		{"price without amount", free + `  - key: pro
    name: Pro
    prices:
      month: { currency: usd }
`, "", 7, 2, "pro", "prices.month.amount", "missing"},
		{"amount zero", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 0, currency: usd }
`, "", 7, 2, "pro", "prices.month.amount", "0: must be more than 0"},
		{"amount negative", free + `  - key: pro
    name: Pro
    prices:
      year:
        currency: usd
        amount: -100
`, "", 9, 2, "pro", "prices.year.amount", "-100: must be more than 0"},
		{"amount in major units", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 19.00, currency: usd }
`, "", 7, 2, "pro", "prices.month.amount", `"19.00": must be a whole number (in the currency's minor unit`},
		{"amount as text", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: "1900", currency: usd }
`, "", 7, 2, "pro", "prices.month.amount", `"1900": must be a whole number`},
		{"price without currency", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 1900 }
`, "", 7, 2, "pro", "prices.month.currency", "missing"},
		{"currency not a code", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: dollars }
`, "", 7, 2, "pro", "prices.month.currency", "three letters"},
		{"unknown interval", free + `  - key: pro
    name: Pro
    prices:
      week: { amount: 500, currency: usd }
`, "", 7, 2, "pro", "prices.week", "must be month or year"},
		{"missing stripe ID", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: usd, stripe: price_1 }
      year: { amount: 19000, currency: usd, polar: prod_2 }
`, "stripe", 8, 2, "pro", "prices.year.stripe", "missing (PAYMENT_PROVIDER=stripe needs the Stripe price ID)"},
		{"missing polar ID", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: usd, stripe: price_1 }
`, "polar", 7, 2, "pro", "prices.month.polar", "missing (PAYMENT_PROVIDER=polar needs the Polar product ID)"},
		{"missing mercadopago ID", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: brl }
`, "mercadopago", 7, 2, "pro", "prices.month.mercadopago", "missing (PAYMENT_PROVIDER=mercadopago needs the Mercado Pago preapproval plan ID)"},
		{"one ID for two prices", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: usd, stripe: price_1 }
  - key: team
    name: Team
    prices:
      month: { amount: 2900, currency: usd, stripe: price_1 }
`, "", 11, 3, "team", "prices.month.stripe", `price_1 is also plan "pro" prices.month.stripe`},
		{"ID with a space", free + `  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: usd, polar: "prod 1" }
`, "", 7, 2, "pro", "prices.month.polar", "must not contain spaces"},
		{"negative trial", free + `  - key: pro
    name: Pro
    trialDays: -7
`, "", 6, 2, "pro", "trialDays", "0 (no trial) or more"},
		{"trial in words", free + `  - key: pro
    name: Pro
    trialDays: two weeks or so
`, "", 6, 2, "pro", "trialDays", `"two weeks or so": must be a whole number`},
		{"trial in fractions", free + `  - key: pro
    name: Pro
    trialDays: 1.5
`, "", 6, 2, "pro", "trialDays", `"1.5": must be a whole number`},
		{"cap in fractions", free + `  - key: pro
    name: Pro
    caps: { api_calls: 2.5 }
`, "", 6, 2, "pro", "caps.api_calls", `"2.5": must be a whole number`},
		{"cap below -1", free + `  - key: pro
    name: Pro
    caps: { members: 10, api_calls: -2 }
`, "", 6, 2, "pro", "caps.api_calls", "-2: must be -1 (unlimited), or a cap of 0 or more"},
		{"cap without a value", free + `  - key: pro
    name: Pro
    caps:
      api_calls:
`, "", 7, 2, "pro", "caps.api_calls", "missing"},
		{"no free plan", `plans:
  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: usd }
`, "", 1, 0, "", "plans", `no plan "free"`},
		{"empty file", "", "", 0, 0, "", "plans", `no plan "free"`},
		{"free plan with a price", `plans:
  - key: free
    name: Free
    prices:
      month: { amount: 100, currency: usd }
`, "", 4, 1, "free", "prices", "must be empty"},
		{"per seat on mercadopago", free + `  - key: business
    name: Business
    perSeat: true
    prices:
      month: { amount: 1200, currency: brl, mercadopago: plan_1 }
`, "mercadopago", 6, 2, "business", "perSeat", "Mercado Pago cannot charge per seat"},
		{"plans not a list", `plans:
  free: { name: Free }
`, "", 2, 0, "", "plans", "must be a list of plans"},
		{"a plan not a mapping", free + `  - pro
`, "", 4, 2, "", "", `"pro": must be a mapping of a plan's fields`},
		{"features not a list", free + `  - key: pro
    name: Pro
    features: Unlimited projects
`, "", 6, 2, "pro", "features", "must be a list of text"},
		{"a tab in the indentation", "plans:\n\t- key: free\n", "", 2, 0, "", "", "found character that cannot start any token"},
		{"two documents", free + "---\n" + free, "", 4, 0, "", "", "more than one YAML document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := write(t, tt.content)
			provider := tt.provider
			if provider == "" {
				provider = "none"
			}
			c, err := plansfile.Load(path, provider)
			if err == nil {
				t.Fatalf("Load succeeded with plans %v", keys(c))
			}
			perr, ok := errors.AsType[*plansfile.Error](err)
			if !ok {
				t.Fatalf("error %T %v, want *plansfile.Error", err, err)
			}
			got := struct {
				File, Plan, Field string
				Line, Index       int
			}{perr.File, perr.Plan, perr.Field, perr.Line, perr.Index}
			want := got
			want.File, want.Plan, want.Field, want.Line, want.Index = path, tt.plan, tt.field, tt.line, tt.index
			if got != want {
				t.Errorf("error %q:\n got %+v\nwant %+v", err, got, want)
			}
			if !strings.Contains(perr.Problem, tt.problem) {
				t.Errorf("problem %q does not say %q", perr.Problem, tt.problem)
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("message is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, path) {
				t.Errorf("message %q does not start with the file", msg)
			}
			for _, part := range []string{tt.field, tt.problem} {
				if !strings.Contains(msg, part) {
					t.Errorf("message %q does not name %q", msg, part)
				}
			}
			if tt.plan != "" && !strings.Contains(msg, `plan "`+tt.plan+`"`) {
				t.Errorf("message %q does not name plan %q", msg, tt.plan)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	path := write(t, free+`  - key: pro
    name: Pro
    prices:
      month: { amount: 1900, currency: usd, polar: prod_1 }
  - name: Nameless
`)
	_, err := plansfile.Load(path, "stripe")
	if want := path + `:7: plan "pro": prices.month.stripe: missing (PAYMENT_PROVIDER=stripe needs the Stripe price ID)`; err == nil || err.Error() != want {
		t.Errorf("Load = %v,\nwant %s", err, want)
	}
	_, err = plansfile.Load(path, "polar")
	if want := path + ":8: plans[2]: key: missing"; err == nil || err.Error() != want {
		t.Errorf("Load = %v,\nwant %s", err, want)
	}
}

func TestLoadUnreadableFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "nowhere.yaml")
	_, err := plansfile.Load(path, "none")
	if want := path + ": cannot read: no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("Load(missing file) = %v, want %s", err, want)
	}
	_, err = plansfile.Load(t.TempDir(), "none") // a directory
	if perr, ok := errors.AsType[*plansfile.Error](err); !ok || !strings.Contains(perr.Problem, "cannot read") || strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("Load(a directory) = %v, want a one-line cannot read", err)
	}
}
