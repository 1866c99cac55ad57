package stripepay_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/stripepay"
)

const (
	currentSecret = "whsec_current"
	rotatedSecret = "whsec_next"
)

// sign returns a Stripe-Signature header for body as Stripe computes it: the
// hex HMAC-SHA256, keyed with the secret, of "<unix time>.<body>".
func sign(body []byte, secret string, at time.Time) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", at.Unix())
	mac.Write(body)
	return fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(mac.Sum(nil)))
}

// event returns an event's JSON as Stripe delivers it, about object.
func event(id, typ string, created time.Time, object map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"id":          id,
		"object":      "event",
		"api_version": "2024-06-20", // older than the SDK's: accepted all the same
		"created":     created.Unix(),
		"livemode":    false,
		"type":        typ,
		"data":        map[string]any{"object": object},
	})
	if err != nil {
		panic(err)
	}
	return b
}

func delivery(body []byte, signature string) domain.WebhookDelivery {
	h := http.Header{}
	if signature != "" {
		h.Set("Stripe-Signature", signature)
	}
	return domain.WebhookDelivery{Header: domain.Header(h), Body: body}
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	p, err := stripepay.New(stripepay.Config{SecretKey: testKey, WebhookSecrets: []string{currentSecret, rotatedSecret}})
	if err != nil {
		t.Fatal(err)
	}
	org := kernel.NewID[kernel.OrganizationKind]()
	created := time.Date(2031, 5, 6, 7, 0, 0, 0, time.UTC)
	signed := created.Add(2 * time.Second)
	now := signed.Add(10 * time.Second)

	subscriptionEvent := event("evt_sub", "customer.subscription.updated", created, map[string]any{
		"id": "sub_acme", "object": "subscription", "customer": "cus_acme", "status": "active",
		"metadata": map[string]any{"organization_id": org.String()},
	})
	tests := []struct {
		name    string
		d       domain.WebhookDelivery
		now     time.Time
		want    domain.WebhookEvent
		wantErr bool
	}{
		{
			name: "subscription event, signed with the current secret",
			d:    delivery(subscriptionEvent, sign(subscriptionEvent, currentSecret, signed)),
			now:  now,
			want: domain.WebhookEvent{ID: "evt_sub", Type: "customer.subscription.updated", SubscriptionRef: "sub_acme", CustomerRef: "cus_acme", OrganizationID: org, OccurredAt: created},
		},
		{
			name: "signed with the rotated secret",
			d:    delivery(subscriptionEvent, sign(subscriptionEvent, rotatedSecret, signed)),
			now:  now,
			want: domain.WebhookEvent{ID: "evt_sub", Type: "customer.subscription.updated", SubscriptionRef: "sub_acme", CustomerRef: "cus_acme", OrganizationID: org, OccurredAt: created},
		},
		{
			name: "two signatures, the second valid (Stripe signs with both secrets while one rolls)",
			d: func() domain.WebhookDelivery {
				forged := sign(subscriptionEvent, "whsec_other", signed)
				valid := sign(subscriptionEvent, currentSecret, signed)
				return delivery(subscriptionEvent, forged+","+valid[len(fmt.Sprintf("t=%d,", signed.Unix())):])
			}(),
			now:  now,
			want: domain.WebhookEvent{ID: "evt_sub", Type: "customer.subscription.updated", SubscriptionRef: "sub_acme", CustomerRef: "cus_acme", OrganizationID: org, OccurredAt: created},
		},
		{
			name: "exactly at the tolerance",
			d:    delivery(subscriptionEvent, sign(subscriptionEvent, currentSecret, signed)),
			now:  signed.Add(domain.WebhookTolerance),
			want: domain.WebhookEvent{ID: "evt_sub", Type: "customer.subscription.updated", SubscriptionRef: "sub_acme", CustomerRef: "cus_acme", OrganizationID: org, OccurredAt: created},
		},
		{
			name:    "forged: signed with another secret",
			d:       delivery(subscriptionEvent, sign(subscriptionEvent, "whsec_attacker", signed)),
			now:     now,
			wantErr: true,
		},
		{
			name: "forged: the body changed after signing",
			d: delivery(
				event("evt_sub", "customer.subscription.updated", created, map[string]any{"id": "sub_other", "customer": "cus_acme"}),
				sign(subscriptionEvent, currentSecret, signed)),
			now:     now,
			wantErr: true,
		},
		{
			name:    "stale: signed more than 300 s before now",
			d:       delivery(subscriptionEvent, sign(subscriptionEvent, currentSecret, signed)),
			now:     signed.Add(domain.WebhookTolerance + time.Second),
			wantErr: true,
		},
		{
			name:    "no signature",
			d:       delivery(subscriptionEvent, ""),
			now:     now,
			wantErr: true,
		},
		{
			name:    "no timestamp",
			d:       delivery(subscriptionEvent, "v1=00"),
			now:     now,
			wantErr: true,
		},
		{
			name:    "malformed body, validly signed",
			d:       delivery([]byte(`{"id": "evt_1", "object": "event", "type":`), sign([]byte(`{"id": "evt_1", "object": "event", "type":`), currentSecret, signed)),
			now:     now,
			wantErr: true,
		},
		{
			name: "a subscription event naming no subscription",
			d: func() domain.WebhookDelivery {
				body := event("evt_sub", "customer.subscription.updated", created, map[string]any{"object": "subscription", "customer": "cus_acme"})
				return delivery(body, sign(body, currentSecret, signed))
			}(),
			now:     now,
			wantErr: true,
		},
		{
			name: "an event without an ID",
			d: func() domain.WebhookDelivery {
				body := event("", "customer.subscription.updated", created, map[string]any{"id": "sub_acme"})
				return delivery(body, sign(body, currentSecret, signed))
			}(),
			now:     now,
			wantErr: true,
		},
		{
			name:    "not an event, validly signed",
			d:       delivery([]byte(`{"id": "sub_acme", "object": "subscription"}`), sign([]byte(`{"id": "sub_acme", "object": "subscription"}`), currentSecret, signed)),
			now:     now,
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := p.ParseWebhook(tt.d, tt.now)
			if tt.wantErr {
				if !errors.Is(err, domain.ErrWebhookRejected) {
					t.Fatalf("ParseWebhook = %+v, %v; want ErrWebhookRejected", got, err)
				}
				if errors.Unwrap(err) == nil {
					t.Error("the rejection wraps no cause")
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWebhook = %v", err)
			}
			wantEvent(t, got, tt.want)
		})
	}
}

func TestParseWebhook_eventTypes(t *testing.T) {
	t.Parallel()
	p, err := stripepay.New(stripepay.Config{SecretKey: testKey, WebhookSecrets: []string{currentSecret}})
	if err != nil {
		t.Fatal(err)
	}
	org := kernel.NewID[kernel.OrganizationKind]()
	created := time.Date(2031, 5, 6, 7, 0, 0, 0, time.UTC)
	now := created.Add(time.Minute)

	tests := []struct {
		name   string
		typ    string
		object map[string]any
		want   domain.WebhookEvent // ID, Type and OccurredAt are filled in
	}{
		{
			name: "subscription deleted, no metadata",
			typ:  "customer.subscription.deleted",
			object: map[string]any{
				"id": "sub_acme", "object": "subscription", "customer": "cus_acme", "metadata": map[string]any{},
			},
			want: domain.WebhookEvent{SubscriptionRef: "sub_acme", CustomerRef: "cus_acme"},
		},
		{
			name: "subscription with an expanded customer and a foreign organization ID",
			typ:  "customer.subscription.created",
			object: map[string]any{
				"id": "sub_acme", "object": "subscription", "customer": map[string]any{"id": "cus_acme", "object": "customer"},
				"metadata": map[string]any{"organization_id": "org_not-ours"},
			},
			want: domain.WebhookEvent{SubscriptionRef: "sub_acme", CustomerRef: "cus_acme"},
		},
		{
			name: "invoice paid (API 2025-03-31.basil and later: parent.subscription_details)",
			typ:  "invoice.paid",
			object: map[string]any{
				"id": "in_1", "object": "invoice", "customer": "cus_acme",
				"parent": map[string]any{
					"type": "subscription_details",
					"subscription_details": map[string]any{
						"subscription": "sub_acme",
						"metadata":     map[string]any{"organization_id": org.String()},
					},
				},
			},
			want: domain.WebhookEvent{SubscriptionRef: "sub_acme", CustomerRef: "cus_acme", OrganizationID: org},
		},
		{
			name: "invoice payment failed (older API versions: subscription on the invoice)",
			typ:  "invoice.payment_failed",
			object: map[string]any{
				"id": "in_1", "object": "invoice", "customer": "cus_acme", "subscription": "sub_acme",
			},
			want: domain.WebhookEvent{SubscriptionRef: "sub_acme", CustomerRef: "cus_acme"},
		},
		{
			name: "invoice of no subscription",
			typ:  "invoice.finalized",
			object: map[string]any{
				"id": "in_1", "object": "invoice", "customer": "cus_acme", "parent": nil,
			},
			want: domain.WebhookEvent{CustomerRef: "cus_acme"},
		},
		{
			name: "checkout session completed",
			typ:  "checkout.session.completed",
			object: map[string]any{
				"id": "cs_test_1", "object": "checkout.session", "mode": "subscription",
				"customer": "cus_acme", "subscription": "sub_acme", "client_reference_id": org.String(),
			},
			want: domain.WebhookEvent{SubscriptionRef: "sub_acme", CustomerRef: "cus_acme", OrganizationID: org},
		},
		{
			name: "checkout session completed, subscription expanded",
			typ:  "checkout.session.completed",
			object: map[string]any{
				"id": "cs_test_1", "object": "checkout.session", "customer": "cus_acme",
				"subscription": map[string]any{"id": "sub_acme", "object": "subscription"}, "client_reference_id": nil,
			},
			want: domain.WebhookEvent{SubscriptionRef: "sub_acme", CustomerRef: "cus_acme"},
		},
		{
			name:   "unknown type: about no subscription",
			typ:    "charge.succeeded",
			object: map[string]any{"id": "ch_1", "object": "charge", "customer": "cus_acme", "invoice": "in_1"},
			want:   domain.WebhookEvent{},
		},
		{
			name:   "a customer event, not a subscription's",
			typ:    "customer.updated",
			object: map[string]any{"id": "cus_acme", "object": "customer", "metadata": map[string]any{"organization_id": org.String()}},
			want:   domain.WebhookEvent{},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id := fmt.Sprintf("evt_%d", i)
			body := event(id, tt.typ, created, tt.object)
			got, err := p.ParseWebhook(delivery(body, sign(body, currentSecret, now)), now)
			if err != nil {
				t.Fatalf("ParseWebhook = %v", err)
			}
			want := tt.want
			want.ID, want.Type, want.OccurredAt = id, tt.typ, created
			wantEvent(t, got, want)
		})
	}
}

func wantEvent(t *testing.T, got, want domain.WebhookEvent) {
	t.Helper()
	if got.ID != want.ID || got.Type != want.Type || got.SubscriptionRef != want.SubscriptionRef ||
		got.CustomerRef != want.CustomerRef || got.OrganizationID != want.OrganizationID || !got.OccurredAt.Equal(want.OccurredAt) {
		t.Errorf("event =\n%+v\nwant\n%+v", got, want)
	}
}
