package billing

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/mercadopago"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/plansfile"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/polar"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/sandbox"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/stripepay"
)

// Config is the part of the configuration billing reads.
type Config struct {
	// Provider is PAYMENT_PROVIDER: none, stripe, mercadopago, polar or
	// sandbox.
	Provider string
	// PlansFile is PLANS_FILE ("": the built-in plans).
	PlansFile string
	// GraceDays is how long past_due keeps the plan (BILLING_GRACE_DAYS).
	GraceDays int
	// ReconcileInterval is BILLING_RECONCILE_INTERVAL.
	ReconcileInterval time.Duration
	// ServerURL is where the sandbox's pages and webhooks live.
	ServerURL *url.URL
	// ReturnURL is where a buyer returns after a checkout or the portal.
	ReturnURL string
	// The providers' credentials; WebhookSecrets hold one secret, or two
	// while one is rotated out.
	Stripe      ProviderCredentials
	MercadoPago ProviderCredentials
	Polar       ProviderCredentials
	// SandboxSecret signs the sandbox's webhooks ("": derived from
	// SecretSeed).
	SandboxSecret string
	// SecretSeed derives the sandbox's secret when SandboxSecret is unset
	// (the deployment's own secret, so every process agrees).
	SecretSeed string
	// HTTPClient reaches the provider (nil: a client with a 10 s timeout).
	HTTPClient *http.Client
}

// ProviderCredentials are a provider's key, webhook secrets and API base.
type ProviderCredentials struct {
	Key            string
	WebhookSecrets []string
	APIBase        string
}

// setUp loads the plans and binds the provider.
func (m *Module) setUp() error {
	c := m.deps.Config
	var err error
	if m.catalog, err = plansfile.Load(c.PlansFile, c.Provider); err != nil {
		return fmt.Errorf("billing: %w", err)
	}
	var p providerChecker
	switch c.Provider {
	case "", "none":
		return nil
	case "stripe":
		p, err = bound(stripepay.New(stripepay.Config{SecretKey: c.Stripe.Key, WebhookSecrets: c.Stripe.WebhookSecrets,
			APIBase: c.Stripe.APIBase, HTTPClient: c.HTTPClient}))
	case "mercadopago":
		p, err = bound(mercadopago.New(mercadopago.Config{AccessToken: c.MercadoPago.Key, WebhookSecrets: c.MercadoPago.WebhookSecrets,
			APIBase: c.MercadoPago.APIBase, HTTPClient: c.HTTPClient}))
	case "polar":
		p, err = bound(polar.New(polar.Config{AccessToken: c.Polar.Key, WebhookSecrets: c.Polar.WebhookSecrets,
			APIBase: c.Polar.APIBase, HTTPClient: c.HTTPClient}))
	case "sandbox":
		secret := []byte(c.SandboxSecret)
		if len(secret) == 0 {
			mac := hmac.New(sha256.New, []byte(c.SecretSeed))
			mac.Write([]byte("groundwork billing sandbox webhooks"))
			secret = mac.Sum(nil)
		}
		sb, serr := sandbox.New(sandbox.Config{DB: m.deps.DB, ServerURL: c.ServerURL, Secret: secret, Clock: m.deps.Clock,
			HTTPClient: c.HTTPClient, Logger: m.deps.Logger})
		if serr != nil {
			return fmt.Errorf("billing: sandbox: %w", serr)
		}
		m.provider, m.extra = sb, sandbox.Migrations()
		m.routes = func(r interface{ Handle(string, http.Handler) }) { sb.Routes(r) }
		return nil
	default:
		return fmt.Errorf("billing: unknown payment provider %q", c.Provider)
	}
	if err != nil {
		return fmt.Errorf("billing: %s: %w", c.Provider, err)
	}
	m.provider, m.checker = p, p
	return nil
}

// providerChecker is a provider whose credentials Start checks.
type providerChecker interface {
	domain.PaymentProvider
	checker
}

// bound is a provider constructor's result as a providerChecker.
func bound[P providerChecker](p P, err error) (providerChecker, error) { return p, err }
