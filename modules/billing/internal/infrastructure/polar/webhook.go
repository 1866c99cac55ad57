package polar

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// standardPrefix marks a secret in Standard Webhooks' serialized form.
const standardPrefix = "whsec_"

// signingKeys returns the HMAC keys a Polar secret may sign with: its raw
// bytes, as Polar signs endpoints created before 2026-09-08 (its SDKs
// base64-encode the secret for the library, which decodes it back), and,
// for a "whsec_<base64>" secret, the decoded key, as Polar signs endpoints
// created since.
func signingKeys(secret string) [][]byte {
	keys := [][]byte{[]byte(secret)}
	if rest, ok := strings.CutPrefix(secret, standardPrefix); ok {
		if k, err := base64.StdEncoding.DecodeString(rest); err == nil && len(k) > 0 {
			keys = append(keys, k)
		}
	}
	return keys
}

// webhookEnvelope is the body of every Polar delivery.
type webhookEnvelope struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// webhookData is the slice of a delivery's data the adapter reads: a
// Subscription for subscription.*, an Order for order.*.
type webhookData struct {
	ID             string            `json:"id"`
	CustomerID     string            `json:"customer_id"`
	SubscriptionID *string           `json:"subscription_id"`
	Metadata       map[string]any    `json:"metadata"`
	Customer       *customerEmbedded `json:"customer"`
}

func rejected(format string, args ...any) error {
	return domain.ErrWebhookRejected.WithCause(fmt.Errorf("polar webhook: "+format, args...))
}

// ParseWebhook verifies a Standard Webhooks delivery against every
// configured secret and says what it is about. The event ID is webhook-id;
// the type is the body's "type". A subscription.* event names data.id,
// data.customer_id and the organization (data.customer.external_id, else
// data.metadata.organization_id); an order.* event names data.subscription_id
// ("" for a one-time order) and the same customer fields; any other type
// names no subscription and is acknowledged. A delivery missing a header,
// with a timestamp more than domain.WebhookTolerance from now (either way),
// signed with no configured secret, or whose body is not a Polar event gives
// domain.ErrWebhookRejected.
func (p *Provider) ParseWebhook(d domain.WebhookDelivery, now time.Time) (domain.WebhookEvent, error) {
	id := d.Header.Get(standardwebhooks.HeaderWebhookID)
	ts := d.Header.Get(standardwebhooks.HeaderWebhookTimestamp)
	sig := d.Header.Get(standardwebhooks.HeaderWebhookSignature)
	if id == "" || ts == "" || sig == "" {
		return domain.WebhookEvent{}, rejected("missing %s, %s or %s header",
			standardwebhooks.HeaderWebhookID, standardwebhooks.HeaderWebhookTimestamp, standardwebhooks.HeaderWebhookSignature)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return domain.WebhookEvent{}, rejected("timestamp %q is not unix seconds", ts)
	}
	at := time.Unix(secs, 0).UTC()
	// The library only checks the timestamp against the wall clock, so the
	// window is checked here against the caller's clock and the library
	// verifies the signature alone.
	if skew := now.Sub(at); skew > domain.WebhookTolerance || skew < -domain.WebhookTolerance {
		return domain.WebhookEvent{}, rejected("timestamp %s is %s from now", at.Format(time.RFC3339), skew)
	}
	if !p.verify(d) {
		return domain.WebhookEvent{}, rejected("no configured secret signed delivery %s", id)
	}

	var env webhookEnvelope
	if err := json.Unmarshal(d.Body, &env); err != nil {
		return domain.WebhookEvent{}, rejected("body: %w", err)
	}
	if env.Type == "" {
		return domain.WebhookEvent{}, rejected("body has no type")
	}
	ev := domain.WebhookEvent{ID: id, Type: env.Type, OccurredAt: at}

	kind, _, _ := strings.Cut(env.Type, ".")
	if kind != "subscription" && kind != "order" {
		return ev, nil
	}
	var data webhookData
	if len(env.Data) == 0 || json.Unmarshal(env.Data, &data) != nil {
		return domain.WebhookEvent{}, rejected("%s has no valid data", env.Type)
	}
	switch kind {
	case "subscription":
		if data.ID == "" {
			return domain.WebhookEvent{}, rejected("%s has no data.id", env.Type)
		}
		ev.SubscriptionRef = data.ID
	case "order":
		if data.SubscriptionID != nil {
			ev.SubscriptionRef = *data.SubscriptionID
		}
	}
	ev.CustomerRef = data.CustomerID
	ev.OrganizationID = organizationOf(data.Customer, data.Metadata)
	return ev, nil
}

// verify reports whether any configured key signed d.
func (p *Provider) verify(d domain.WebhookDelivery) bool {
	for _, key := range p.keys {
		wh, err := standardwebhooks.NewWebhookRaw(key)
		if err != nil {
			continue
		}
		err = wh.VerifyIgnoringTimestamp(d.Body, http.Header(d.Header))
		if err == nil {
			return true
		}
		if !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
			// Headers the library cannot read fail for every key alike.
			return false
		}
	}
	return false
}
