package polar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// ProviderName is the adapter's name, as in PAYMENT_PROVIDER and the webhook
// path /webhooks/polar.
const ProviderName = "polar"

// The API servers. The caller picks one from POLAR_SERVER.
const (
	ProductionAPIBase = "https://api.polar.sh"
	SandboxAPIBase    = "https://sandbox-api.polar.sh"
)

// DefaultTimeout bounds one API call when Config.HTTPClient is nil.
const DefaultTimeout = 10 * time.Second

// Config configures a Provider. The fields mirror the POLAR_* variables.
type Config struct {
	// AccessToken is an organization access token (POLAR_ACCESS_TOKEN);
	// required.
	AccessToken string
	// WebhookSecrets are the endpoint's signing secrets
	// (POLAR_WEBHOOK_SECRET); one, or two while rotating. Each is used as
	// Polar uses it: its raw bytes as the HMAC key and, when it has the
	// standard "whsec_<base64>" form, the decoded key too.
	WebhookSecrets []string
	// APIBase is the API's URL (POLAR_API_BASE); "" means
	// ProductionAPIBase. The caller sets SandboxAPIBase for
	// POLAR_SERVER=sandbox.
	APIBase string
	// HTTPClient sends the requests; nil means a client with a
	// DefaultTimeout timeout.
	HTTPClient *http.Client
}

// Provider is billing's PaymentProvider over Polar. It is safe for
// concurrent use.
type Provider struct {
	token string
	base  string
	hc    *http.Client
	keys  [][]byte
}

var _ domain.PaymentProvider = (*Provider)(nil)

// New returns a Provider for cfg. It does no I/O. It returns an error naming
// the variable when the access token or every webhook secret is missing, a
// secret is blank, or APIBase is not an absolute http(s) URL.
func New(cfg Config) (*Provider, error) {
	token := strings.TrimSpace(cfg.AccessToken)
	if token == "" {
		return nil, errors.New("polar: POLAR_ACCESS_TOKEN is required")
	}
	if len(cfg.WebhookSecrets) == 0 {
		return nil, errors.New("polar: POLAR_WEBHOOK_SECRET is required")
	}
	var keys [][]byte
	for i, s := range cfg.WebhookSecrets {
		if strings.TrimSpace(s) == "" {
			return nil, fmt.Errorf("polar: POLAR_WEBHOOK_SECRET: secret %d is empty", i+1)
		}
		keys = append(keys, signingKeys(s)...)
	}
	base := cfg.APIBase
	if base == "" {
		base = ProductionAPIBase
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("polar: POLAR_API_BASE %q must be an absolute http(s) URL", base)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return &Provider{
		token: token,
		base:  strings.TrimRight(base, "/"),
		hc:    hc,
		keys:  keys,
	}, nil
}

// Name returns "polar".
func (p *Provider) Name() string { return ProviderName }

// SupportsSeats reports true: Polar has seat-based pricing and updates a
// subscription's seats.
func (p *Provider) SupportsSeats() bool { return true }

// Check makes one cheap authenticated call (GET /v1/subscriptions/?limit=1,
// which needs the subscriptions:read scope the adapter relies on anyway) so
// a bad token stops start-up. It returns an error naming POLAR_ACCESS_TOKEN
// when Polar answers 401 or 403, and domain.ErrProviderUnavailable when
// Polar cannot be reached or fails.
func (p *Provider) Check(ctx context.Context) error {
	err := p.call(ctx, http.MethodGet, "/v1/subscriptions/?limit=1", nil, nil, false)
	var re *refusal
	switch {
	case err == nil:
		return nil
	case errors.As(err, &re) && re.status == http.StatusUnauthorized:
		return fmt.Errorf("polar: POLAR_ACCESS_TOKEN was rejected by %s (401): %s", p.base, re.detail)
	case errors.As(err, &re) && re.status == http.StatusForbidden:
		return fmt.Errorf("polar: POLAR_ACCESS_TOKEN may not read subscriptions at %s (403): %s", p.base, re.detail)
	}
	return fmt.Errorf("polar: check: %w", err)
}

// metadata is what every object created here carries, so Polar's dashboard
// and webhooks say whose it is.
func metadata(org string) map[string]string {
	return map[string]string{"organization_id": org}
}

type customerCreate struct {
	Email      string            `json:"email"`
	Name       string            `json:"name,omitempty"`
	ExternalID string            `json:"external_id"`
	Metadata   map[string]string `json:"metadata"`
}

type customerObject struct {
	ID string `json:"id"`
}

// CreateCustomer creates the organization's Polar customer (POST
// /v1/customers/) with the organization ID as its external_id and in its
// metadata, and returns the customer's ID. Polar refuses a second customer
// with the same email or external ID (422, billing.provider_refused).
func (p *Provider) CreateCustomer(ctx context.Context, c domain.Customer) (string, error) {
	org := c.OrganizationID.String()
	var out customerObject
	err := p.call(ctx, http.MethodPost, "/v1/customers/", customerCreate{
		Email:      c.Email,
		Name:       c.Name,
		ExternalID: org,
		Metadata:   metadata(org),
	}, &out, false)
	if err != nil {
		return "", fmt.Errorf("polar create customer: %w", err)
	}
	if out.ID == "" {
		return "", unavailable(errors.New("polar create customer: answer has no id"))
	}
	return out.ID, nil
}

type checkoutCreate struct {
	Products           []string          `json:"products"`
	CustomerID         string            `json:"customer_id,omitempty"`
	ExternalCustomerID string            `json:"external_customer_id,omitempty"`
	CustomerEmail      string            `json:"customer_email,omitempty"`
	SuccessURL         string            `json:"success_url,omitempty"`
	ReturnURL          string            `json:"return_url,omitempty"`
	Seats              int               `json:"seats,omitempty"`
	TrialInterval      string            `json:"trial_interval,omitempty"`
	TrialIntervalCount int               `json:"trial_interval_count,omitempty"`
	Metadata           map[string]string `json:"metadata"`
}

type checkoutObject struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// Checkout opens a Polar checkout (POST /v1/checkouts/) for the price's
// product and returns its URL. The buyer is the known customer when
// CustomerRef is set, else the organization as external_customer_id (Polar
// then creates the customer with that external ID). Seats go as "seats"
// (seat-based products only), TrialDays as a trial of that many days,
// CancelURL as the checkout's back button (return_url). The organization ID
// travels in the metadata, which Polar copies to the subscription.
func (p *Provider) Checkout(ctx context.Context, r domain.CheckoutRequest) (string, error) {
	org := r.OrganizationID.String()
	body := checkoutCreate{
		Products:      []string{r.Price.ProviderID},
		CustomerEmail: r.PayerEmail,
		SuccessURL:    r.SuccessURL,
		ReturnURL:     r.CancelURL,
		Metadata:      metadata(org),
	}
	if r.CustomerRef != "" {
		body.CustomerID = r.CustomerRef
	} else {
		body.ExternalCustomerID = org
	}
	if r.Seats > 0 {
		body.Seats = r.Seats
	}
	if r.TrialDays > 0 {
		body.TrialInterval, body.TrialIntervalCount = "day", r.TrialDays
	}
	var out checkoutObject
	if err := p.call(ctx, http.MethodPost, "/v1/checkouts/", body, &out, false); err != nil {
		return "", fmt.Errorf("polar checkout: %w", err)
	}
	if out.URL == "" {
		return "", unavailable(errors.New("polar checkout: answer has no url"))
	}
	return out.URL, nil
}

type customerSessionCreate struct {
	CustomerID string `json:"customer_id"`
	ReturnURL  string `json:"return_url,omitempty"`
}

type customerSessionObject struct {
	CustomerPortalURL string `json:"customer_portal_url"`
}

// Portal opens a customer session (POST /v1/customer-sessions/) and returns
// its customer_portal_url, whose back button leads to returnURL.
func (p *Provider) Portal(ctx context.Context, customerRef, returnURL string) (string, error) {
	var out customerSessionObject
	err := p.call(ctx, http.MethodPost, "/v1/customer-sessions/", customerSessionCreate{
		CustomerID: customerRef,
		ReturnURL:  returnURL,
	}, &out, false)
	if err != nil {
		return "", fmt.Errorf("polar portal: %w", err)
	}
	if out.CustomerPortalURL == "" {
		return "", unavailable(errors.New("polar portal: answer has no customer_portal_url"))
	}
	return out.CustomerPortalURL, nil
}
