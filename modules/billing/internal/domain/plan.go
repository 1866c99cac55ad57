package domain

import (
	"fmt"
	"sort"
)

// Plan is what an organization subscribes to. Plans are configuration
// (PLANS_FILE, or the built-in free, pro and business), not data.
type Plan struct {
	// Key names the plan in the API and in events ("pro").
	Key         string
	Name        string
	Description string
	// Prices are the plan's prices per interval; a plan without prices is
	// free (nothing to check out).
	Prices map[Interval]PlanPrice
	// TrialDays is the trial a checkout starts with (0: none).
	TrialDays int
	// PerSeat plans charge per member: the quantity follows the member
	// count.
	PerSeat bool
	// Caps are the usage meters' caps on the plan (-1 unlimited); a meter
	// the plan does not name is not available on it.
	Caps map[string]int64
	// Features are lines for display.
	Features []string
	// Public plans are listed by GET /api/billing/plans.
	Public bool
}

// PlanPrice is a plan's price for one interval.
type PlanPrice struct {
	// Amount is in the currency's minor unit (1900 = 19.00).
	Amount int64
	// Currency is ISO 4217, lower case ("usd").
	Currency string
	// ProviderIDs are the providers' IDs of this price, by provider name:
	// Stripe's price, Polar's product, Mercado Pago's preapproval plan.
	ProviderIDs map[string]string
}

// Free reports whether the plan has nothing to pay.
func (p Plan) Free() bool { return len(p.Prices) == 0 }

// FreePlan is the key of the plan an organization without a subscription
// is on.
const FreePlan = "free"

// Catalog is the plans of a deployment, in their configured order.
type Catalog struct {
	plans []Plan
	byKey map[string]int
}

// NewCatalog returns the catalog of plans; a duplicate key or a missing
// free plan is an error.
func NewCatalog(plans []Plan) (*Catalog, error) {
	c := &Catalog{byKey: make(map[string]int, len(plans))}
	for _, p := range plans {
		if p.Key == "" {
			return nil, fmt.Errorf("a plan has no key")
		}
		if _, dup := c.byKey[p.Key]; dup {
			return nil, fmt.Errorf("plan %q is defined twice", p.Key)
		}
		c.byKey[p.Key] = len(c.plans)
		c.plans = append(c.plans, p)
	}
	if f, ok := c.Plan(FreePlan); !ok || !f.Free() {
		return nil, fmt.Errorf("there must be a plan %q without prices: organizations without a subscription are on it", FreePlan)
	}
	return c, nil
}

// Plans returns every plan, in order.
func (c *Catalog) Plans() []Plan { return append([]Plan(nil), c.plans...) }

// Plan returns the plan with key.
func (c *Catalog) Plan(key string) (Plan, bool) {
	i, ok := c.byKey[key]
	if !ok {
		return Plan{}, false
	}
	return c.plans[i], true
}

// Price returns the price of plan for interval at provider.
func (c *Catalog) Price(plan string, interval Interval, provider string) (Price, bool) {
	p, ok := c.Plan(plan)
	if !ok {
		return Price{}, false
	}
	pp, ok := p.Prices[interval]
	if !ok {
		return Price{}, false
	}
	return Price{Plan: plan, Interval: interval, ProviderID: pp.ProviderIDs[provider], Amount: pp.Amount, Currency: pp.Currency}, true
}

// ByProviderID returns the plan and interval whose price provider knows as
// id.
func (c *Catalog) ByProviderID(provider, id string) (plan string, interval Interval, ok bool) {
	if id == "" {
		return "", "", false
	}
	for _, p := range c.plans {
		for iv, pp := range p.Prices {
			if pp.ProviderIDs[provider] == id {
				return p.Key, iv, true
			}
		}
	}
	return "", "", false
}

// PlansAllowing returns the keys of the plans among keys, in catalog
// order (every paid plan when keys is empty).
func (c *Catalog) PlansAllowing(keys []string) []string {
	if len(keys) == 0 {
		var out []string
		for _, p := range c.plans {
			if !p.Free() {
				out = append(out, p.Key)
			}
		}
		return out
	}
	out := append([]string(nil), keys...)
	sort.SliceStable(out, func(i, j int) bool { return c.byKey[out[i]] < c.byKey[out[j]] })
	return out
}

// MonthlyAmount is a price normalised to a month (a year's price / 12),
// for the MRR estimate.
func (p PlanPrice) MonthlyAmount(interval Interval) int64 {
	if interval == Year {
		return p.Amount / 12
	}
	return p.Amount
}
