package plansfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// Load reads the plans of the file at path (PLANS_FILE) for provider, the
// PAYMENT_PROVIDER value, and returns the catalog; an empty path gives
// Builtin. Provider none ("" too) or sandbox needs no provider IDs in the file;
// stripe, polar and mercadopago need theirs on every price, so with those
// an empty path is refused too: the built-in plans have no IDs.
//
// A file that cannot be read, does not decode strictly or breaks a rule of
// the format (see the package documentation) gives an *Error, whose message
// is one line naming the file, the plan and the field. An unknown provider
// is an error too.
func Load(path, provider string) (*domain.Catalog, error) {
	spec, ok := providers[provider]
	if !ok {
		return nil, fmt.Errorf("plansfile: unknown payment provider %q", provider)
	}
	if path == "" {
		if spec.field != "" {
			return nil, fmt.Errorf(`PLANS_FILE="": required when PAYMENT_PROVIDER=%s: the built-in plans have no %ss`, provider, strings.TrimPrefix(spec.what, "the "))
		}
		return Builtin(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err // the path is already in the message
		}
		return nil, &Error{File: path, Problem: "cannot read: " + err.Error()}
	}
	return parse(path, data, provider, spec)
}

// providerSpec says which price field a provider needs, and what it is.
type providerSpec struct {
	field string // the priceDoc key holding its ID; "" when none is needed
	what  string
}

var providers = map[string]providerSpec{
	"":                        {},
	config.PaymentNone:        {},
	config.PaymentSandbox:     {},
	config.PaymentStripe:      {field: "stripe", what: "the Stripe price ID"},
	config.PaymentPolar:       {field: "polar", what: "the Polar product ID"},
	config.PaymentMercadoPago: {field: "mercadopago", what: "the Mercado Pago preapproval plan ID"},
}

// Error is a problem with a plans file. Its message is one line:
//
//	plans.yaml:14: plan "pro": prices.month.stripe: missing (PAYMENT_PROVIDER=stripe needs the Stripe price ID)
type Error struct {
	// File is the path as given to Load.
	File string
	// Line is the line at fault, or near it; 0 when not known.
	Line int
	// Index is the plan's position in plans, counted from 1; 0 when the
	// problem is not in one plan.
	Index int
	// Plan is the plan's key; "" when it has none (the message then names
	// it plans[Index-1]) or the problem is not in one plan.
	Plan string
	// Field is the field's path within the plan (prices.month.amount), or
	// from the top of the file outside a plan (plans); "" for the file as a
	// whole.
	Field string
	// Problem says what is wrong and what is allowed.
	Problem string
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	switch {
	case e.Plan != "":
		fmt.Fprintf(&b, ": plan %q", e.Plan)
	case e.Index > 0:
		fmt.Fprintf(&b, ": plans[%d]", e.Index-1)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Problem)
	// One line whatever a path or a YAML message holds.
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, b.String())
}

// The file as decoded. Pointers tell a missing value from a zero one.
type (
	fileDoc struct {
		Plans []planDoc `yaml:"plans"`
	}
	planDoc struct {
		Key         string              `yaml:"key"`
		Name        string              `yaml:"name"`
		Description string              `yaml:"description"`
		TrialDays   int                 `yaml:"trialDays"`
		PerSeat     bool                `yaml:"perSeat"`
		Public      *bool               `yaml:"public"`
		Features    []string            `yaml:"features"`
		Caps        map[string]*int64   `yaml:"caps"`
		Prices      map[string]priceDoc `yaml:"prices"`
	}
	priceDoc struct {
		Amount      *int64 `yaml:"amount"`
		Currency    string `yaml:"currency"`
		Stripe      string `yaml:"stripe"`
		Polar       string `yaml:"polar"`
		MercadoPago string `yaml:"mercadopago"`
	}
)

func (p priceDoc) ids() map[string]string {
	return map[string]string{config.PaymentStripe: p.Stripe, config.PaymentPolar: p.Polar, config.PaymentMercadoPago: p.MercadoPago}
}

func parse(file string, data []byte, provider string, spec providerSpec) (*domain.Catalog, error) {
	// The node tree only locates problems for messages; the strict decode
	// below is what reads the file.
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := splitLine(strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, &Error{File: file, Line: line, Problem: msg}
	}
	loc := locator{root: &root}

	var f fileDoc
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, loc.decodeError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{File: file, Line: extra.Line, Problem: "holds more than one YAML document (---); put every plan under the one plans list"}
	}

	var plans []domain.Plan
	first := map[string]int{}      // plan key → index
	priceOf := map[string]string{} // provider and ID → the price that has it
	for i, pd := range f.Plans {
		n := i + 1
		fail := func(problem string, path ...string) error {
			return &Error{File: file, Line: loc.lineOf(n, path...), Index: n, Plan: pd.Key, Field: strings.Join(path, "."), Problem: problem}
		}
		switch {
		case pd.Key == "":
			return nil, fail("missing", "key")
		case !planKey.MatchString(pd.Key):
			return nil, fail("must be 1 to 64 of a-z 0-9 _ -, starting with a letter or digit", "key")
		}
		if j, dup := first[pd.Key]; dup {
			return nil, fail(fmt.Sprintf("defined twice: plans[%d] has it too", j-1), "key")
		}
		first[pd.Key] = n
		if strings.TrimSpace(pd.Name) == "" {
			return nil, fail("missing (the name buyers see)", "name")
		}
		if !loc.whole(n, "trialDays") {
			return nil, fail(fmt.Sprintf("%q: must be a whole number of days", loc.text(n, "trialDays")), "trialDays")
		}
		if pd.TrialDays < 0 {
			return nil, fail("must be 0 (no trial) or more days", "trialDays")
		}

		caps := make(map[string]int64, len(pd.Caps))
		for _, meter := range slices.Sorted(maps.Keys(pd.Caps)) {
			c := pd.Caps[meter]
			switch {
			case meter == "":
				return nil, fail("a meter's name is empty", "caps")
			case c == nil:
				return nil, fail("missing: -1 (unlimited), or a cap of 0 or more", "caps", meter)
			case !loc.whole(n, "caps", meter):
				return nil, fail(fmt.Sprintf("%q: must be a whole number", loc.text(n, "caps", meter)), "caps", meter)
			case *c < -1:
				return nil, fail(fmt.Sprintf("%d: must be -1 (unlimited), or a cap of 0 or more", *c), "caps", meter)
			}
			caps[meter] = *c
		}

		if pd.Key == domain.FreePlan && len(pd.Prices) > 0 {
			return nil, fail("must be empty: organizations without a subscription are on the free plan", "prices")
		}
		prices := make(map[domain.Interval]domain.PlanPrice, len(pd.Prices))
		for _, iv := range slices.Sorted(maps.Keys(pd.Prices)) {
			pp := pd.Prices[iv]
			if iv != string(domain.Month) && iv != string(domain.Year) {
				return nil, fail("unknown interval: must be month or year", "prices", iv)
			}
			switch {
			case pp.Amount == nil:
				return nil, fail("missing (in the currency's minor unit: 1900 is 19.00)", "prices", iv, "amount")
			case !loc.whole(n, "prices", iv, "amount"):
				// The decoder takes 19.00 for 19: nineteen cents, not dollars.
				return nil, fail(fmt.Sprintf("%q: must be a whole number (in the currency's minor unit: 1900 is 19.00)", loc.text(n, "prices", iv, "amount")), "prices", iv, "amount")
			case *pp.Amount <= 0:
				return nil, fail(fmt.Sprintf("%d: must be more than 0 (in the currency's minor unit: 1900 is 19.00); a free plan has no prices", *pp.Amount), "prices", iv, "amount")
			}
			switch {
			case pp.Currency == "":
				return nil, fail("missing (an ISO 4217 code such as usd)", "prices", iv, "currency")
			case !currency.MatchString(pp.Currency):
				return nil, fail(fmt.Sprintf("%q: must be an ISO 4217 code of three letters, such as usd", pp.Currency), "prices", iv, "currency")
			}
			ids, given := map[string]string{}, pp.ids()
			for _, name := range []string{config.PaymentStripe, config.PaymentPolar, config.PaymentMercadoPago} {
				id := given[name]
				if id == "" {
					continue
				}
				if strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
					return nil, fail("must not contain spaces", "prices", iv, name)
				}
				this := fmt.Sprintf("plan %q prices.%s", pd.Key, iv)
				if other, dup := priceOf[name+"\x00"+id]; dup {
					return nil, fail(fmt.Sprintf("%s is also %s.%s: one provider ID names one price", id, other, name), "prices", iv, name)
				}
				priceOf[name+"\x00"+id] = this
				ids[name] = id
			}
			if spec.field != "" && ids[spec.field] == "" {
				return nil, fail(fmt.Sprintf("missing (PAYMENT_PROVIDER=%s needs %s)", provider, spec.what), "prices", iv, spec.field)
			}
			prices[domain.Interval(iv)] = domain.PlanPrice{Amount: *pp.Amount, Currency: strings.ToLower(pp.Currency), ProviderIDs: ids}
		}
		if pd.PerSeat && provider == config.PaymentMercadoPago {
			return nil, fail("Mercado Pago cannot charge per seat (PAYMENT_PROVIDER=mercadopago): its preapprovals have no quantity", "perSeat")
		}

		plans = append(plans, domain.Plan{
			Key:         pd.Key,
			Name:        pd.Name,
			Description: pd.Description,
			Prices:      prices,
			TrialDays:   pd.TrialDays,
			PerSeat:     pd.PerSeat,
			Caps:        caps,
			Features:    slices.Clone(pd.Features),
			Public:      pd.Public == nil || *pd.Public,
		})
	}
	if _, ok := first[domain.FreePlan]; !ok {
		return nil, &Error{File: file, Line: loc.lineOf(0, "plans"), Field: "plans", Problem: fmt.Sprintf("no plan %q: organizations without a subscription are on it, so it must be there, without prices", domain.FreePlan)}
	}
	c, err := domain.NewCatalog(plans)
	if err != nil { // the checks above leave nothing for it to find
		return nil, &Error{File: file, Problem: err.Error()}
	}
	return c, nil
}

var (
	planKey  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	currency = regexp.MustCompile(`^[A-Za-z]{3}$`)
)
