package plansfile_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/plansfile"
)

func TestBuiltin(t *testing.T) {
	t.Parallel()
	c := plansfile.Builtin()
	if got, want := keys(c), []string{"free", "pro", "business"}; !slices.Equal(got, want) {
		t.Fatalf("plans = %v, want %v", got, want)
	}
	usd := func(amount int64) domain.PlanPrice { return domain.PlanPrice{Amount: amount, Currency: "usd"} }
	tests := []struct {
		key       string
		prices    map[domain.Interval]domain.PlanPrice
		trialDays int
		perSeat   bool
		caps      map[string]int64
	}{
		{"free", nil, 0, false, nil},
		{"pro", map[domain.Interval]domain.PlanPrice{domain.Month: usd(1900), domain.Year: usd(19000)}, 14, false, nil},
		{"business", map[domain.Interval]domain.PlanPrice{domain.Month: usd(1200), domain.Year: usd(12000)}, 0, true, nil},
	}
	for _, tt := range tests {
		p, ok := c.Plan(tt.key)
		if !ok {
			t.Fatalf("no plan %s", tt.key)
		}
		if p.Name == "" || p.Description == "" || len(p.Features) == 0 || !p.Public {
			t.Errorf("%s: name %q, description %q, features %v, public %v: want all set", tt.key, p.Name, p.Description, p.Features, p.Public)
		}
		if p.TrialDays != tt.trialDays || p.PerSeat != tt.perSeat {
			t.Errorf("%s: trial %d, per seat %v; want %d, %v", tt.key, p.TrialDays, p.PerSeat, tt.trialDays, tt.perSeat)
		}
		if fmt.Sprint(p.Prices) != fmt.Sprint(tt.prices) || fmt.Sprint(p.Caps) != fmt.Sprint(tt.caps) {
			t.Errorf("%s: prices %v caps %v; want %v, %v", tt.key, p.Prices, p.Caps, tt.prices, tt.caps)
		}
	}

	// Each call is a catalog of its own: changing one changes no other.
	c.Plans()[1].Prices[domain.Month] = domain.PlanPrice{Amount: 1}
	if p, _ := plansfile.Builtin().Plan("pro"); p.Prices[domain.Month].Amount != 1900 {
		t.Errorf("Builtin shares its maps between calls: pro monthly %d", p.Prices[domain.Month].Amount)
	}
}

func ExampleLoad() {
	catalog, err := plansfile.Load("testdata/plans.yaml", "stripe")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range catalog.Plans() {
		fmt.Print(p.Key, ":")
		for _, iv := range []domain.Interval{domain.Month, domain.Year} {
			if price, ok := catalog.Price(p.Key, iv, "stripe"); ok {
				fmt.Print(" ", price.Amount, " ", price.Currency, " a ", iv, " (", price.ProviderID, ")")
			}
		}
		fmt.Println()
	}

	// The same file lacks Mercado Pago's IDs.
	_, err = plansfile.Load("testdata/plans.yaml", "mercadopago")
	fmt.Println(err)
	// Output:
	// free:
	// pro: 1900 usd a month (price_pro_m) 19000 usd a year (price_pro_y)
	// business: 1200 eur a month (price_biz_m)
	// legacy: 9900 usd a year (price_legacy)
	// testdata/plans.yaml:16: plan "pro": prices.month.mercadopago: missing (PAYMENT_PROVIDER=mercadopago needs the Mercado Pago preapproval plan ID)
}
