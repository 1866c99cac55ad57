// Package mercadopago is billing's PaymentProvider over Mercado Pago's
// subscriptions ("preapprovals"), through the official SDK
// (github.com/mercadopago/sdk-go).
//
// How Mercado Pago's model maps onto the port:
//   - There is no customer object: CreateCustomer returns "org:" and the
//     organization's ID, and the organization travels as the preapproval's
//     external_reference.
//   - A subscription is a preapproval; its charges are "authorized
//     payments" (the SDK's invoice client). A preapproval's amount is fixed,
//     so there are no seats.
//   - There is no customer portal and no cancellation at the period end.
//   - Webhooks are signed with the x-signature header; an authorized
//     payment's webhook does not name its preapproval, so its
//     SubscriptionRef is "authorized_payment:{id}" and Subscription resolves
//     it (see ParseWebhook).
package mercadopago

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	mpconfig "github.com/mercadopago/sdk-go/pkg/config"
	"github.com/mercadopago/sdk-go/pkg/invoice"
	"github.com/mercadopago/sdk-go/pkg/mperror"
	"github.com/mercadopago/sdk-go/pkg/preapproval"
	"github.com/mercadopago/sdk-go/pkg/user"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// Name is the provider's name in PAYMENT_PROVIDER and /webhooks/{name}.
const Name = "mercadopago"

// DefaultAPIBase is where Mercado Pago's API lives; the SDK's URLs are
// written against it.
const DefaultAPIBase = "https://api.mercadopago.com"

// defaultTimeout bounds one API call when Config.HTTPClient is nil, as the
// SDK's own default client does.
const defaultTimeout = 10 * time.Second

// Config is the Mercado Pago part of billing's configuration.
type Config struct {
	// AccessToken is the account's access token (MERCADOPAGO_ACCESS_TOKEN);
	// required.
	AccessToken string
	// WebhookSecrets are the webhook signing secrets
	// (MERCADOPAGO_WEBHOOK_SECRET): one, or two while rotating; a delivery
	// signed with either is accepted.
	WebhookSecrets []string
	// APIBase is the API's base URL; "" is DefaultAPIBase. Tests point it at
	// an httptest server.
	APIBase string
	// HTTPClient makes the API calls; nil is a client with a 10 s timeout.
	HTTPClient *http.Client
}

// Provider is the Mercado Pago adapter of domain.PaymentProvider. It is safe
// for concurrent use.
type Provider struct {
	secrets      [][]byte
	preapprovals preapproval.Client
	payments     invoice.Client
	users        user.Client
}

var _ domain.PaymentProvider = (*Provider)(nil)

// New validates cfg and builds the provider. It does no I/O; Check makes the
// first call. The errors name the environment variable at fault.
func New(cfg Config) (*Provider, error) {
	if strings.TrimSpace(cfg.AccessToken) == "" {
		return nil, errors.New("MERCADOPAGO_ACCESS_TOKEN is required when PAYMENT_PROVIDER=mercadopago")
	}
	if n := len(cfg.WebhookSecrets); n < 1 || n > 2 {
		return nil, fmt.Errorf("MERCADOPAGO_WEBHOOK_SECRET: want one secret, or two while rotating; got %d", n)
	}
	secrets := make([][]byte, 0, len(cfg.WebhookSecrets))
	for _, s := range cfg.WebhookSecrets {
		if strings.TrimSpace(s) == "" {
			return nil, errors.New("MERCADOPAGO_WEBHOOK_SECRET: a secret is empty")
		}
		secrets = append(secrets, []byte(s))
	}
	var base *url.URL
	if cfg.APIBase != "" && strings.TrimSuffix(cfg.APIBase, "/") != DefaultAPIBase {
		u, err := url.Parse(cfg.APIBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("mercadopago: API base %q is not an http(s) URL without query", cfg.APIBase)
		}
		base = u
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: defaultTimeout}
	}
	// The SDK has no base-URL option (its clients hold absolute URLs on
	// api.mercadopago.com), so the requester it accepts rewrites them.
	sdk, err := mpconfig.New(cfg.AccessToken, mpconfig.WithHTTPClient(requester{client: client, base: base}))
	if err != nil {
		return nil, fmt.Errorf("mercadopago: %w", err)
	}
	return &Provider{
		secrets:      secrets,
		preapprovals: preapproval.NewClient(sdk),
		payments:     invoice.NewClient(sdk),
		users:        user.NewClient(sdk),
	}, nil
}

// Check makes one cheap authenticated call (GET /users/me) so that a bad
// token stops start-up. A token Mercado Pago refuses gives an error naming
// MERCADOPAGO_ACCESS_TOKEN; an unreachable or failing API gives
// domain.ErrProviderUnavailable.
func (p *Provider) Check(ctx context.Context) error {
	if _, err := p.users.Get(ctx); err != nil {
		var re *mperror.ResponseError
		if errors.As(err, &re) && (re.StatusCode == http.StatusUnauthorized || re.StatusCode == http.StatusForbidden) {
			return fmt.Errorf("MERCADOPAGO_ACCESS_TOKEN is not accepted by Mercado Pago (HTTP %d): %s", re.StatusCode, apiMessage(re))
		}
		return providerError("check access token", err, nil)
	}
	return nil
}

// Name implements domain.PaymentProvider.
func (p *Provider) Name() string { return Name }

// SupportsSeats implements domain.PaymentProvider: a preapproval charges a
// fixed amount, so there is no quantity.
func (p *Provider) SupportsSeats() bool { return false }

// customerPrefix starts the customer reference CreateCustomer derives from
// an organization.
const customerPrefix = "org:"

// CreateCustomer implements domain.PaymentProvider. Mercado Pago's
// preapprovals need no customer object, so nothing is created: the
// reference is "org:" followed by the organization's ID, and the
// organization travels as each preapproval's external_reference. It fails
// only with kernel.Invalid for a zero organization ID.
func (p *Provider) CreateCustomer(_ context.Context, c domain.Customer) (string, error) {
	if c.OrganizationID.IsZero() {
		return "", kernel.Invalid("billing.organization_required", "A customer needs an organization.")
	}
	return customerPrefix + c.OrganizationID.String(), nil
}

// Portal implements domain.PaymentProvider: Mercado Pago has no customer
// portal, so it returns "" and billing shows its own page.
func (p *Provider) Portal(context.Context, string, string) (string, error) { return "", nil }

// errSeatsUnsupported answers every seat change.
var errSeatsUnsupported = kernel.Invalid("billing.seats_unsupported",
	"Mercado Pago subscriptions charge a fixed amount and have no seats.")

// SetSeats implements domain.PaymentProvider: always
// kernel.Invalid("billing.seats_unsupported").
func (p *Provider) SetSeats(context.Context, string, int) (domain.ProviderSubscription, error) {
	return domain.ProviderSubscription{}, errSeatsUnsupported
}

// requester is the SDK's requester.Requester over an *http.Client. When base
// is set it sends the SDK's requests, written for api.mercadopago.com, to
// base instead. It does not retry: the SDK's default requester retries 5xx
// answers three times two seconds apart, which would hold a billing request
// for six seconds; billing retries through its jobs instead.
type requester struct {
	client *http.Client
	base   *url.URL
}

// Do implements requester.Requester.
func (r requester) Do(req *http.Request) (*http.Response, error) {
	if r.base != nil {
		u := *req.URL
		u.Scheme = r.base.Scheme
		u.Host = r.base.Host
		u.Path = strings.TrimSuffix(r.base.Path, "/") + req.URL.Path
		u.RawPath = ""
		req = req.Clone(req.Context())
		req.URL = &u
		req.Host = "" // the Host header follows the URL
	}
	return r.client.Do(req)
}

// providerError translates an SDK error: 404 gives notFound when the caller
// names one; 400, 422 and other refusals give kernel.Invalid carrying
// Mercado Pago's message; 409 gives kernel.Conflict; 401, 403, 429, 5xx, a
// transport failure or an unreadable answer give
// domain.ErrProviderUnavailable. The SDK's error is kept as the cause.
func providerError(op string, err error, notFound *kernel.Error) error {
	var re *mperror.ResponseError
	if !errors.As(err, &re) {
		return fmt.Errorf("%s: %w", op, domain.ErrProviderUnavailable.WithCause(err))
	}
	switch code := re.StatusCode; {
	case code == http.StatusNotFound && notFound != nil:
		return fmt.Errorf("%s: %w", op, notFound.WithCause(err))
	case code == http.StatusUnauthorized, code == http.StatusForbidden,
		code == http.StatusTooManyRequests, code >= 500, code < 400:
		return fmt.Errorf("%s: %w", op, domain.ErrProviderUnavailable.WithCause(fmt.Errorf("HTTP %d: %w", code, err)))
	case code == http.StatusConflict:
		return fmt.Errorf("%s: %w", op, kernel.Conflict("billing.provider_conflict",
			"Mercado Pago refused the change: "+apiMessage(re)).WithCause(err))
	default:
		return fmt.Errorf("%s: %w", op, kernel.Invalid("billing.provider_refused",
			"Mercado Pago refused the request: "+apiMessage(re)).WithCause(err))
	}
}

// apiMessage is the "message" of Mercado Pago's error body, shortened; the
// HTTP status text when there is none.
func apiMessage(re *mperror.ResponseError) string {
	var body struct {
		Message string `json:"message"`
	}
	msg := ""
	if json.Unmarshal([]byte(re.Message), &body) == nil {
		msg = strings.TrimSpace(body.Message)
	}
	if msg == "" || !utf8.ValidString(msg) {
		msg = strings.ToLower(http.StatusText(re.StatusCode))
	}
	if r := []rune(msg); len(r) > 200 {
		msg = string(r[:200]) + "…"
	}
	return msg
}
