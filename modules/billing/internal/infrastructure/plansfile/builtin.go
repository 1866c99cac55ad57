package plansfile

import "github.com/groundworkhq/groundwork/modules/billing/internal/domain"

// Builtin returns the catalog used when PLANS_FILE is empty, every plan
// public, in US dollars. It caps no meter: meters are a product's, and a
// cap of a meter nobody registered would stop start-up with metering on;
// a product's PLANS_FILE names its own.
//
//   - free: no prices.
//   - pro: 19.00 a month or 190.00 a year, a 14-day trial.
//   - business: per seat, 12.00 a seat a month or 120.00 a seat a year.
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
			Public:   true,
		},
	})
	if err != nil {
		panic("plansfile: the built-in catalog is invalid: " + err.Error())
	}
	return c
}
