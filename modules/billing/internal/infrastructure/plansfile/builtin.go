package plansfile

import "github.com/groundworkhq/groundwork/modules/billing/internal/domain"

// Builtin returns the catalog used when PLANS_FILE is empty, every plan
// public, in US dollars, with caps on the meters "members" and "api_calls":
//
//   - free: no prices; 3 members, 1,000 API calls.
//   - pro: 19.00 a month or 190.00 a year, a 14-day trial; 20 members,
//     100,000 API calls.
//   - business: per seat, 12.00 a seat a month or 120.00 a seat a year;
//     members and API calls unlimited.
//
// Its prices carry no provider IDs, so it suits PAYMENT_PROVIDER none and
// sandbox only; Load refuses it for a real provider. Each call returns a
// new catalog.
func Builtin() *domain.Catalog {
	c, err := domain.NewCatalog([]domain.Plan{
		{
			Key:         domain.FreePlan,
			Name:        "Free",
			Description: "For trying things out",
			Features:    []string{"Up to 3 members", "1,000 API calls"},
			Caps:        map[string]int64{"members": 3, "api_calls": 1000},
			Public:      true,
		},
		{
			Key:         "pro",
			Name:        "Pro",
			Description: "For growing teams",
			Prices: map[domain.Interval]domain.PlanPrice{
				domain.Month: {Amount: 1900, Currency: "usd"},
				domain.Year:  {Amount: 19000, Currency: "usd"},
			},
			TrialDays: 14,
			Features:  []string{"Up to 20 members", "100,000 API calls", "14-day free trial"},
			Caps:      map[string]int64{"members": 20, "api_calls": 100_000},
			Public:    true,
		},
		{
			Key:         "business",
			Name:        "Business",
			Description: "For organizations, billed per member",
			Prices: map[domain.Interval]domain.PlanPrice{
				domain.Month: {Amount: 1200, Currency: "usd"},
				domain.Year:  {Amount: 12000, Currency: "usd"},
			},
			PerSeat:  true,
			Features: []string{"Unlimited members, billed per seat", "Unlimited API calls", "Priority support"},
			Caps:     map[string]int64{"members": -1, "api_calls": -1},
			Public:   true,
		},
	})
	if err != nil {
		panic("plansfile: the built-in catalog is invalid: " + err.Error())
	}
	return c
}
