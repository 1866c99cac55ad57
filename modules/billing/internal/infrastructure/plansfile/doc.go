// Package plansfile reads billing's plans from PLANS_FILE, a YAML file,
// into a domain.Catalog, or gives the built-in catalog when there is none.
//
// # Format
//
// The file holds one mapping with a single key, plans: a list of plans in
// the order they are shown. Each plan is a mapping:
//
//	plans:
//	  - key: free              # required; lower case a-z 0-9 _ -, unique; "free" is required
//	    name: Free             # required; shown to buyers
//	    description: For trying things out
//	    features: ["3 members", "1,000 API calls"]
//	    caps: { members: 3, api_calls: 1000 }
//	    # no prices: the plan is free. The free plan must have none.
//
//	  - key: pro
//	    name: Pro
//	    description: For growing teams
//	    trialDays: 14          # default 0, no trial
//	    perSeat: false         # default false; true charges per member (not on Mercado Pago)
//	    public: true           # default true; false hides it from GET /api/billing/plans
//	    features: ["Unlimited projects", "Priority support"]
//	    caps: { tickets_created: 1000, api_calls: -1 }
//	    prices:                # month and/or year
//	      month: { amount: 1900, currency: usd, stripe: price_123, polar: prod_abc, mercadopago: plan_xyz }
//	      year:  { amount: 19000, currency: usd, stripe: price_456 }
//
// caps maps a usage meter's name to the plan's cap on it: -1 is unlimited,
// 0 or more a limit; a meter the plan does not name is not available on it.
// A price's amount is in the currency's minor unit (1900 is 19.00) and
// more than 0; currency is an ISO 4217 code of three letters, stored in
// lower case. stripe, polar and mercadopago are the provider's ID of the
// price (Stripe's price, Polar's product, Mercado Pago's preapproval plan);
// only the one of the configured PAYMENT_PROVIDER is required, and none is
// with none or sandbox. One provider ID names one price only.
//
// # Errors
//
// Decoding is strict: an unknown key, a duplicate key, a value of the wrong
// type or a second YAML document is refused like a missing or bad value.
// Every problem with the file is an *Error whose message is one line
// naming the file, the line, the plan and the field, fit to stop start-up
// with:
//
//	plans.yaml:14: plan "pro": prices.month.stripe: missing (PAYMENT_PROVIDER=stripe needs the Stripe price ID)
package plansfile
