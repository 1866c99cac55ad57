package domain

import (
	"context"
	"net/textproto"
	"net/url"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// PaymentProvider is the port billing subscribes organizations through:
// Stripe, Mercado Pago, Polar or the local sandbox, one per deployment
// (PAYMENT_PROVIDER). Every call is made before billing opens a
// transaction, never while one is held. A provider that cannot be reached
// or answers 5xx gives ErrProviderUnavailable (wrapping the cause); a
// refusal of the request itself gives a kernel.Invalid or NotFound error.
type PaymentProvider interface {
	// Name is the provider's name, as in PAYMENT_PROVIDER and the webhook
	// path /webhooks/{name}.
	Name() string
	// SupportsSeats reports whether a subscription's quantity can change
	// (per-seat plans); Mercado Pago's preapprovals cannot.
	SupportsSeats() bool
	// CreateCustomer creates the provider's customer for an organization,
	// carrying its ID as metadata or external ID, and returns the
	// provider's reference to it.
	CreateCustomer(ctx context.Context, c Customer) (ref string, err error)
	// Checkout opens a checkout and returns the URL the buyer goes to.
	Checkout(ctx context.Context, r CheckoutRequest) (url string, err error)
	// Portal returns the URL of the provider's page where the customer
	// manages payment methods and invoices, returning to returnURL; ""
	// when the provider has none (billing then shows its own page).
	Portal(ctx context.Context, customerRef, returnURL string) (url string, err error)
	// Subscription fetches the subscription's authoritative state;
	// ErrUnknownSubscription when the provider has no such subscription.
	Subscription(ctx context.Context, ref string) (ProviderSubscription, error)
	// Cancel cancels now, or at the end of the period.
	Cancel(ctx context.Context, ref string, atPeriodEnd bool) (ProviderSubscription, error)
	// Resume undoes a cancellation at the period end (or a pause).
	Resume(ctx context.Context, ref string) (ProviderSubscription, error)
	// ChangePrice moves the subscription to price with seats (0: not per
	// seat): now with proration where the provider prorates, else from
	// the next period.
	ChangePrice(ctx context.Context, ref string, price Price, seats int, now bool) (ProviderSubscription, error)
	// SetSeats sets the quantity of a per-seat subscription.
	SetSeats(ctx context.Context, ref string, seats int) (ProviderSubscription, error)
	// ParseWebhook verifies a delivery as the provider signs it (any of
	// its configured secrets, for rotation; a timestamp older than
	// WebhookTolerance is stale) and says what it is about. A forged,
	// stale or malformed delivery gives ErrWebhookRejected. It trusts
	// nothing of the payload but the event's identity: billing fetches the
	// subscription itself.
	ParseWebhook(d WebhookDelivery, now time.Time) (WebhookEvent, error)
}

// WebhookTolerance is how old a signed webhook's timestamp may be.
const WebhookTolerance = 300 * time.Second

// The errors adapters answer with.
var (
	// ErrProviderUnavailable: the provider could not be reached or failed
	// (503 billing.provider_unavailable). Nothing was changed here.
	ErrProviderUnavailable = kernel.Unavailable("billing.provider_unavailable",
		"The payment provider is not answering; try again in a moment.")
	// ErrWebhookRejected: the delivery's signature, timestamp or body is not
	// valid (400 billing.invalid_webhook). Nothing is stored.
	ErrWebhookRejected = kernel.Invalid("billing.invalid_webhook", "The webhook is not validly signed, is stale or is malformed.")
	// ErrUnknownSubscription: the provider has no subscription with that
	// reference.
	ErrUnknownSubscription = kernel.NotFound("billing.unknown_provider_subscription", "The payment provider has no such subscription.")
)

// Customer is who CreateCustomer creates at the provider.
type Customer struct {
	OrganizationID kernel.OrganizationID
	Name           string // the organization's name
	Email          string // the billing contact (the owner who checks out)
}

// Price is what a checkout or a plan change buys: a plan's price for one
// interval as the provider knows it.
type Price struct {
	Plan     string
	Interval Interval
	// ProviderID is the provider's price (Stripe), product (Polar) or
	// preapproval plan (Mercado Pago) ID.
	ProviderID string
	// Amount is in the currency's minor unit (cents); Currency is ISO 4217,
	// lower case.
	Amount   int64
	Currency string
}

// CheckoutRequest is a checkout of Price for an organization.
type CheckoutRequest struct {
	OrganizationID kernel.OrganizationID
	CustomerRef    string
	Price          Price
	// Seats is the quantity of a per-seat plan; 0 otherwise.
	Seats     int
	TrialDays int
	// PayerEmail is the buyer's email (Mercado Pago requires one).
	PayerEmail string
	// SuccessURL and CancelURL are where the buyer returns.
	SuccessURL, CancelURL string
}

// WebhookDelivery is one HTTP delivery to /webhooks/{provider}.
type WebhookDelivery struct {
	Header Header
	Query  url.Values
	Body   []byte
}

// Header is a delivery's HTTP header: net/http's Header converts to it
// (the domain imports no transport).
type Header map[string][]string

// Get returns the first value of key, whatever its case, as net/http's
// Header.Get does; "" without one.
func (h Header) Get(key string) string { return textproto.MIMEHeader(h).Get(key) }

// Set replaces key's values with value.
func (h Header) Set(key, value string) { textproto.MIMEHeader(h).Set(key, value) }

// Del removes key.
func (h Header) Del(key string) { textproto.MIMEHeader(h).Del(key) }

// WebhookEvent is what a verified delivery is about.
type WebhookEvent struct {
	// ID is the provider's event ID: the ledger's key with the provider's
	// name. A provider whose deliveries carry no event ID gets one derived
	// from what identifies the delivery (its signature's ID and timestamp).
	ID string
	// Type is the provider's event type ("customer.subscription.updated").
	Type string
	// SubscriptionRef is the subscription to fetch; "" when the event is
	// about none (acknowledged and ignored).
	SubscriptionRef string
	// CustomerRef and OrganizationID say whose it is when the payload tells
	// (metadata, external ID, client reference); zero otherwise.
	CustomerRef    string
	OrganizationID kernel.OrganizationID
	// OccurredAt is when the provider says it happened.
	OccurredAt time.Time
}

// ProviderSubscription is a subscription as the provider holds it.
type ProviderSubscription struct {
	Ref         string
	CustomerRef string
	// OrganizationID is ours when the provider carries it (metadata,
	// external reference); zero otherwise.
	OrganizationID kernel.OrganizationID
	// PriceID is the provider's ID of the current price (Price.ProviderID).
	PriceID                              string
	Status                               Status
	CurrentPeriodStart, CurrentPeriodEnd time.Time
	TrialEnd                             *time.Time
	CancelAtPeriodEnd                    bool
	Seats                                int
	// ChangedAt is when the provider last changed it: what orders two
	// snapshots of one subscription (an older one never overwrites a newer).
	ChangedAt time.Time
}
