// Package sandbox is a payment provider with no outside service, for local
// demos, browser tests and products' end-to-end tests
// (PAYMENT_PROVIDER=sandbox). It keeps its "provider-side" customers,
// checkouts and subscriptions in tables of its own (Migrations, merged
// into billing's set), serves its own checkout and subscription pages
// (Routes) and tells Groundwork about changes the way a real provider
// does: signed webhooks posted to SERVER_URL/webhooks/sandbox, which take
// billing's ordinary ingest path.
//
// A webhook is a JSON event,
//
//	{"id":"evt_…","type":"subscription.updated","created":<unix>,
//	 "data":{"subscription":"ssub_…","customer":"scus_…","organization_id":"org_…"}}
//
// of type subscription.created, subscription.updated,
// subscription.canceled, invoice.payment_failed or invoice.paid, signed
// in the header Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
// "<t>.<body>"> (Sign; ParseWebhook verifies it). Webhooks are posted
// after the change commits, never inside a transaction, with a few quick
// retries; one that still fails is logged and left to billing's reconcile
// job, as with any provider.
//
// The sandbox runs no clock of its own: a period ends, renewing the
// subscription, ending its trial or carrying out a cancellation at the
// period end, when EndPeriod says so (the subscription page's "End the
// period now"). Tests and demos move a subscription with EndPeriod,
// FailPayment, RecoverPayment and the port's calls.
package sandbox

import (
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// ProviderName is the sandbox's name in PAYMENT_PROVIDER and in the
// webhook path /webhooks/sandbox.
const ProviderName = "sandbox"

//go:embed migrations
var migrations embed.FS

// Migrations returns the sandbox's tables' migrations for both dialects,
// numbered 1000x so billing can merge them into its own set; the caller
// sets Module.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// Config is what the sandbox needs.
type Config struct {
	// DB holds the sandbox's tables (Migrations). Required.
	DB *db.DB
	// ServerURL is SERVER_URL: where the sandbox's pages live and where it
	// posts webhooks (ServerURL + "/webhooks/sandbox"). Required, http or
	// https.
	ServerURL *url.URL
	// Secret is the HMAC key webhooks are signed and verified with.
	// Required.
	Secret []byte
	// Clock stamps every change (default kernel.SystemClock).
	Clock kernel.Clock
	// HTTPClient posts the webhooks (default: a client with a 10 s
	// timeout).
	HTTPClient *http.Client
	// Logger logs webhooks that could not be delivered (default: discard).
	Logger *slog.Logger
}

func (c *Config) defaults() {
	if c.Clock == nil {
		c.Clock = kernel.SystemClock{}
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

func (c *Config) validate() error {
	switch {
	case c.DB == nil:
		return errors.New("sandbox: no database")
	case c.ServerURL == nil || (c.ServerURL.Scheme != "http" && c.ServerURL.Scheme != "https") || c.ServerURL.Host == "":
		return errors.New("sandbox: the server URL must be an absolute http or https URL")
	case len(c.Secret) == 0:
		return errors.New("sandbox: no webhook secret")
	}
	return nil
}

// Provider is the sandbox payment provider. It is safe for concurrent use.
type Provider struct {
	db     *db.DB
	server *url.URL
	secret []byte
	clock  kernel.Clock
	client *http.Client
	logger *slog.Logger
	// retryDelay is the wait before the first retry of a webhook; it
	// doubles for each further one.
	retryDelay time.Duration
}

var _ domain.PaymentProvider = (*Provider)(nil)

// New returns the sandbox provider over cfg. It does no I/O; it fails on a
// missing database, server URL or secret.
func New(cfg Config) (*Provider, error) {
	cfg.defaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	server := *cfg.ServerURL
	return &Provider{
		db: cfg.DB, server: &server, secret: append([]byte(nil), cfg.Secret...),
		clock: cfg.Clock, client: cfg.HTTPClient, logger: cfg.Logger.With("module", "billing", "provider", ProviderName),
		retryDelay: 50 * time.Millisecond,
	}, nil
}

// Name returns "sandbox".
func (p *Provider) Name() string { return ProviderName }

// SupportsSeats returns true: sandbox subscriptions have a quantity.
func (p *Provider) SupportsSeats() bool { return true }

// The sandbox's refusals, as a real provider's API would answer.
var (
	errUnknownCustomer = kernel.NotFound("billing.sandbox_unknown_customer", "The sandbox has no such customer.")
	errUnknownCheckout = kernel.NotFound("billing.sandbox_unknown_checkout", "This checkout does not exist or is already completed.")
	errCanceled        = kernel.Conflict("billing.sandbox_subscription_canceled",
		"The subscription is canceled; a new checkout starts another.")
	errInvalidSeats = kernel.Invalid("billing.sandbox_invalid_seats", "A subscription's seats must be at least 1 (0 for a plan not per seat).")
)

// providerError is what a port method returns for err: the sandbox's own
// refusals as they are, anything else (its database failing) as the
// provider being unavailable, which is what billing expects of a provider
// it cannot reach.
func providerError(err error) error {
	if err == nil || kernel.AsError(err) != nil {
		return err
	}
	return domain.ErrProviderUnavailable.WithCause(err)
}

// newRef returns prefix followed by 128 random bits in lower-case base32:
// references that are unguessable, since the pages they open need no
// sign-in.
func newRef(prefix string) string { return prefix + strings.ToLower(rand.Text()) }

// nextChange returns the time a change made at now is stamped with: now,
// or a microsecond after prev when the clock has not moved past it, so a
// subscription's ChangedAt strictly increases with every change.
func nextChange(prev, now time.Time) time.Time {
	now = now.UTC().Truncate(time.Microsecond)
	if !now.After(prev) {
		return prev.Add(time.Microsecond)
	}
	return now
}

// addInterval returns the end of a billing period of interval starting at
// start.
func addInterval(start time.Time, interval domain.Interval) time.Time {
	if interval == domain.Year {
		return start.AddDate(1, 0, 0)
	}
	return start.AddDate(0, 1, 0)
}

// pageURL returns the URL of the sandbox page at path under the server URL.
func (p *Provider) pageURL(query url.Values, elem ...string) string {
	u := p.server.JoinPath(elem...)
	u.RawQuery = query.Encode()
	u.Fragment = ""
	return u.String()
}

// now is the clock's time, in UTC to the microsecond both dialects keep.
func (p *Provider) now() time.Time { return p.clock.Now().UTC().Truncate(time.Microsecond) }

// Portal returns the sandbox's subscription page of the customer, whose
// "Return" link leads to returnURL; kernel NotFound for an unknown
// customer.
func (p *Provider) Portal(ctx context.Context, customerRef, returnURL string) (string, error) {
	if _, err := p.customer(ctx, customerRef); err != nil {
		return "", providerError(err)
	}
	q := url.Values{}
	if returnURL != "" {
		q.Set("return", returnURL)
	}
	return p.pageURL(q, "billing", "sandbox", "subscriptions", customerRef), nil
}

func orgText(id kernel.OrganizationID) string { return id.String() }

func parseOrg(s string) kernel.OrganizationID {
	id, err := kernel.ParseID[kernel.OrganizationKind](s)
	if err != nil {
		return kernel.OrganizationID{}
	}
	return id
}

func validInterval(i domain.Interval) bool { return i == domain.Month || i == domain.Year }

func invalidRequest(detail string) error {
	return kernel.Invalid("billing.sandbox_invalid_request", detail)
}

// checkURL reports whether s is an absolute http or https URL.
func checkURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
