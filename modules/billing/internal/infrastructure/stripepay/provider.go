// Package stripepay is the Stripe adapter of billing's PaymentProvider port
// (PAYMENT_PROVIDER=stripe), over stripe-go v85: customers, Checkout
// Sessions, the Billing Portal, subscriptions and signed webhooks.
//
// Every call is one or two HTTP requests to Stripe and is made before
// billing opens a transaction. Stripe's errors are translated here, so none
// travels up: an unreachable API, a 5xx, a 429 or a rejected key gives
// domain.ErrProviderUnavailable (wrapping the cause, which is only logged);
// an unknown subscription domain.ErrUnknownSubscription; any other refusal
// kernel.Invalid with code "billing.provider_refused" and Stripe's message.
package stripepay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// Name is the provider's name in PAYMENT_PROVIDER and /webhooks/{name}.
const Name = "stripe"

// Config is what the adapter needs, read from the environment by billing's
// configuration.
type Config struct {
	// SecretKey is STRIPE_SECRET_KEY: a secret (sk_…) or restricted (rk_…)
	// key. Required.
	SecretKey string
	// WebhookSecrets holds STRIPE_WEBHOOK_SECRET: one signing secret
	// (whsec_…), or two while one is rotated; a delivery signed with any of
	// them is accepted. At least one is required; blank entries are dropped.
	WebhookSecrets []string
	// APIBase is STRIPE_API_BASE, the API's base URL such as stripe-mock's
	// "http://127.0.0.1:12111". "" is Stripe itself.
	APIBase string
	// HTTPClient makes the API requests. nil: a client with a 10 s timeout.
	HTTPClient *http.Client
	// Clock dates the snapshots of subscriptions (ProviderSubscription's
	// ChangedAt). nil: kernel.SystemClock.
	Clock kernel.Clock
}

// Provider is the Stripe PaymentProvider. It holds no state but its client
// and is safe for concurrent use.
type Provider struct {
	sc             *stripe.Client
	key            string
	webhookSecrets []string
	clock          kernel.Clock
}

var _ domain.PaymentProvider = (*Provider)(nil)

// New returns a Provider for cfg. It does no I/O (Check does); it returns an
// error when the secret key is empty or no webhook secret is given.
func New(cfg Config) (*Provider, error) {
	key := strings.TrimSpace(cfg.SecretKey)
	if key == "" {
		return nil, errors.New("stripe: STRIPE_SECRET_KEY is empty; set it to the account's secret key (sk_…)")
	}
	var secrets []string
	for _, s := range cfg.WebhookSecrets {
		if s = strings.TrimSpace(s); s != "" {
			secrets = append(secrets, s)
		}
	}
	if len(secrets) == 0 {
		return nil, errors.New("stripe: STRIPE_WEBHOOK_SECRET is empty; set it to the webhook endpoint's signing secret (whsec_…)")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	clock := cfg.Clock
	if clock == nil {
		clock = kernel.SystemClock{}
	}
	bc := &stripe.BackendConfig{
		HTTPClient: hc,
		// Errors are returned and logged by the caller, with the request
		// ID; the SDK's own logging to stderr would only duplicate them.
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	}
	if cfg.APIBase != "" {
		bc.URL = stripe.String(strings.TrimRight(cfg.APIBase, "/"))
	}
	return &Provider{
		sc:             stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(bc))),
		key:            key,
		webhookSecrets: secrets,
		clock:          clock,
	}, nil
}

// Check makes one cheap authenticated call (it retrieves the balance), for
// start-up. A key Stripe rejects gives an error naming STRIPE_SECRET_KEY; an
// API that cannot be reached gives domain.ErrProviderUnavailable.
func (p *Provider) Check(ctx context.Context) error {
	_, err := p.sc.V1Balance.Retrieve(ctx, nil)
	if err == nil {
		return nil
	}
	var se *stripe.Error
	if errors.As(err, &se) && (se.HTTPStatusCode == http.StatusUnauthorized || se.HTTPStatusCode == http.StatusForbidden) {
		return fmt.Errorf("stripe: STRIPE_SECRET_KEY=%s is rejected by Stripe (%d %s): set a secret (sk_…) or restricted (rk_…) key of the account, allowed to read the balance",
			redact(p.key), se.HTTPStatusCode, http.StatusText(se.HTTPStatusCode))
	}
	return fmt.Errorf("stripe: check: %w", mapErr(err, nil))
}

// Name returns "stripe".
func (p *Provider) Name() string { return Name }

// SupportsSeats returns true: a Stripe subscription item has a quantity.
func (p *Provider) SupportsSeats() bool { return true }

// redact keeps a key's kind (sk_live_, rk_test_…) and, for a key long
// enough to spare them, its last four characters, as Stripe's dashboard
// shows it: a start-up error says which key is set without printing it.
func redact(key string) string {
	kind, rest := "", key
	if parts := strings.SplitN(key, "_", 3); len(parts) == 3 {
		kind, rest = parts[0]+"_"+parts[1]+"_", parts[2]
	}
	if len(rest) < 12 {
		return kind + "…"
	}
	return kind + "…" + rest[len(rest)-4:]
}
