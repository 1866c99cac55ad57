package stripepay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// signatureHeader is where Stripe signs a delivery: "t=<unix>,v1=<hex>[,v1=…]".
const signatureHeader = "Stripe-Signature"

// ParseWebhook verifies a delivery's Stripe-Signature against each webhook
// secret in turn (so a delivery signed during a rotation passes) and says
// what the event is about. A missing or forged signature, a timestamp more
// than domain.WebhookTolerance before now, or a body that is not an event
// gives domain.ErrWebhookRejected wrapping the reason.
//
// The event's API version is not checked: the endpoint's version may lag
// the SDK's, and only the event's identity and the IDs below are read, in a
// form every version shares. For customer.subscription.* events the
// subscription is the object itself; for invoice.* it is the invoice's
// (parent.subscription_details.subscription, or the top-level subscription
// of API versions before 2025-03-31.basil); for checkout.session.* it is the session's, and the
// organization is its client_reference_id. Any other event is about no
// subscription (SubscriptionRef "").
func (p *Provider) ParseWebhook(d domain.WebhookDelivery, now time.Time) (domain.WebhookEvent, error) {
	header := d.Header.Get(signatureHeader)
	signedAt, err := signedTime(header)
	if err != nil {
		return domain.WebhookEvent{}, domain.ErrWebhookRejected.WithCause(err)
	}
	if now.Sub(signedAt) > domain.WebhookTolerance {
		return domain.WebhookEvent{}, domain.ErrWebhookRejected.WithCause(
			fmt.Errorf("stripe webhook: signed at %s, more than %s before %s", signedAt.Format(time.RFC3339), domain.WebhookTolerance, now.UTC().Format(time.RFC3339)))
	}
	ev, err := p.verify(d.Body, header)
	if err != nil {
		return domain.WebhookEvent{}, domain.ErrWebhookRejected.WithCause(err)
	}
	out, err := describe(ev)
	if err != nil {
		return domain.WebhookEvent{}, domain.ErrWebhookRejected.WithCause(err)
	}
	return out, nil
}

// verify returns the event when the body is signed with one of the secrets.
// The SDK's own tolerance is off: ParseWebhook judges the timestamp against
// the now it is given rather than the wall clock.
func (p *Provider) verify(body []byte, header string) (stripe.Event, error) {
	opts := webhook.ConstructEventOptions{IgnoreTolerance: true, IgnoreAPIVersionMismatch: true}
	var err error
	for _, secret := range p.webhookSecrets {
		var ev stripe.Event
		ev, err = webhook.ConstructEventWithOptions(body, header, secret, opts)
		if err == nil {
			return ev, nil
		}
		if !errors.Is(err, webhook.ErrNoValidSignature) {
			// Signed, but not an event, or no signature at all: another
			// secret would not change that.
			return stripe.Event{}, fmt.Errorf("stripe webhook: %w", err)
		}
	}
	return stripe.Event{}, fmt.Errorf("stripe webhook: no signature matches any of the %d secrets: %w", len(p.webhookSecrets), err)
}

// signedTime reads the t= element of a Stripe-Signature header, the last one
// if there are several, as the SDK does.
func signedTime(header string) (time.Time, error) {
	if header == "" {
		return time.Time{}, errors.New("stripe webhook: no Stripe-Signature header")
	}
	var t time.Time
	for _, pair := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || k != "t" {
			continue
		}
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("stripe webhook: Stripe-Signature timestamp %q is not a number", v)
		}
		t = time.Unix(sec, 0).UTC()
	}
	if t.IsZero() {
		return time.Time{}, errors.New("stripe webhook: Stripe-Signature has no timestamp")
	}
	return t, nil
}

// eventObject is what is read of an event's data.object, whatever its type.
type eventObject struct {
	ID                string            `json:"id"`
	Customer          expandable        `json:"customer"`
	Subscription      expandable        `json:"subscription"`
	Metadata          map[string]string `json:"metadata"`
	ClientReferenceID string            `json:"client_reference_id"`
	Parent            *struct {
		SubscriptionDetails *struct {
			Subscription expandable        `json:"subscription"`
			Metadata     map[string]string `json:"metadata"`
		} `json:"subscription_details"`
	} `json:"parent"`
}

// expandable is a reference Stripe writes as an ID, or as the object when
// expanded, or null.
type expandable string

// UnmarshalJSON implements json.Unmarshaler.
func (e *expandable) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*e = ""
		return nil
	case len(b) > 0 && b[0] == '{':
		var o struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*e = expandable(o.ID)
		return nil
	default:
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*e = expandable(s)
		return nil
	}
}

// describe maps a verified event.
func describe(ev stripe.Event) (domain.WebhookEvent, error) {
	if ev.ID == "" || ev.Type == "" {
		return domain.WebhookEvent{}, errors.New("stripe webhook: the event has no id or type")
	}
	out := domain.WebhookEvent{
		ID:         ev.ID,
		Type:       string(ev.Type),
		OccurredAt: unix(ev.Created),
	}
	kind := subjectOf(out.Type)
	if kind == "" {
		return out, nil
	}
	if ev.Data == nil || len(ev.Data.Raw) == 0 {
		return domain.WebhookEvent{}, fmt.Errorf("stripe webhook: %s event %s has no data.object", out.Type, out.ID)
	}
	var o eventObject
	if err := json.Unmarshal(ev.Data.Raw, &o); err != nil {
		return domain.WebhookEvent{}, fmt.Errorf("stripe webhook: %s event %s: data.object: %w", out.Type, out.ID, err)
	}
	out.CustomerRef = string(o.Customer)
	switch kind {
	case subjectSubscription:
		if o.ID == "" {
			return domain.WebhookEvent{}, fmt.Errorf("stripe webhook: %s event %s names no subscription", out.Type, out.ID)
		}
		out.SubscriptionRef = o.ID
		out.OrganizationID = organization(o.Metadata[metaOrganization])
	case subjectInvoice:
		out.SubscriptionRef = string(o.Subscription)
		if o.Parent != nil && o.Parent.SubscriptionDetails != nil {
			if ref := string(o.Parent.SubscriptionDetails.Subscription); ref != "" {
				out.SubscriptionRef = ref
			}
			out.OrganizationID = organization(o.Parent.SubscriptionDetails.Metadata[metaOrganization])
		}
	case subjectCheckout:
		out.SubscriptionRef = string(o.Subscription)
		out.OrganizationID = organization(o.ClientReferenceID)
	}
	return out, nil
}

// The kinds of events that name a subscription.
const (
	subjectSubscription = "subscription"
	subjectInvoice      = "invoice"
	subjectCheckout     = "checkout"
)

func subjectOf(eventType string) string {
	switch {
	case strings.HasPrefix(eventType, "customer.subscription."):
		return subjectSubscription
	case strings.HasPrefix(eventType, "invoice."):
		return subjectInvoice
	case strings.HasPrefix(eventType, "checkout.session."):
		return subjectCheckout
	}
	return ""
}
