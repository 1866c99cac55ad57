package polar_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/polar"
)

const (
	oldSecret = "polar_whs_Hx7Qm2yVb9kLp4Rt" // a pre-2026-09-08 secret: signed with its raw bytes
	newSecret = "polar_whs_N3wR0t4t3dS3cr3t" // the second secret of a rotation
)

var hookNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// sign is Standard Webhooks' v1 signature, computed by hand with key as the
// HMAC key: base64(HMAC-SHA256(key, "id.timestamp.body")).
func sign(key []byte, id string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.%s", id, ts, body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func delivery(key []byte, id string, at time.Time, body string) domain.WebhookDelivery {
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	h.Set("webhook-signature", sign(key, id, at.Unix(), []byte(body)))
	return domain.WebhookDelivery{Header: domain.Header(h), Body: []byte(body)}
}

func hookProvider(t *testing.T, secrets ...string) *polar.Provider {
	t.Helper()
	p, err := polar.New(polar.Config{AccessToken: testToken, WebhookSecrets: secrets})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func subscriptionEvent(typ string, org kernel.OrganizationID) string {
	return fmt.Sprintf(`{"type":%q,"timestamp":"2026-12-01T11:59:58.000000Z","data":{
		"id":%q,"status":"active","customer_id":%q,"product_id":%q,"seats":3,
		"metadata":{},"customer":{"id":%q,"external_id":%q,"email":"owner@acme.test"}}}`,
		typ, subID, customerID, productPro, customerID, org)
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	org := newOrg()
	p := hookProvider(t, oldSecret, newSecret)
	sent := hookNow.Add(-40 * time.Second)

	for _, tc := range []struct {
		name string
		d    domain.WebhookDelivery
		want domain.WebhookEvent
	}{
		{
			name: "subscription.updated, first secret",
			d:    delivery([]byte(oldSecret), "msg_2Lw1", sent, subscriptionEvent("subscription.updated", org)),
			want: domain.WebhookEvent{ID: "msg_2Lw1", Type: "subscription.updated", SubscriptionRef: subID, CustomerRef: customerID, OrganizationID: org, OccurredAt: sent},
		},
		{
			name: "subscription.active, second secret",
			d:    delivery([]byte(newSecret), "msg_2Lw2", sent, subscriptionEvent("subscription.active", org)),
			want: domain.WebhookEvent{ID: "msg_2Lw2", Type: "subscription.active", SubscriptionRef: subID, CustomerRef: customerID, OrganizationID: org, OccurredAt: sent},
		},
		{
			name: "subscription.revoked, organization from metadata",
			d: delivery([]byte(oldSecret), "msg_2Lw3", sent, fmt.Sprintf(
				`{"type":"subscription.revoked","data":{"id":%q,"customer_id":%q,"metadata":{"organization_id":%q},"customer":{"id":%q,"external_id":null}}}`,
				subID, customerID, org, customerID)),
			want: domain.WebhookEvent{ID: "msg_2Lw3", Type: "subscription.revoked", SubscriptionRef: subID, CustomerRef: customerID, OrganizationID: org, OccurredAt: sent},
		},
		{
			name: "order.created of a subscription",
			d: delivery([]byte(oldSecret), "msg_2Lw4", sent, fmt.Sprintf(
				`{"type":"order.created","data":{"id":"0rde0000-1111-4e5f-8a9b-000000000009","subscription_id":%q,"customer_id":%q,"metadata":{},"customer":{"external_id":%q}}}`,
				subID, customerID, org)),
			want: domain.WebhookEvent{ID: "msg_2Lw4", Type: "order.created", SubscriptionRef: subID, CustomerRef: customerID, OrganizationID: org, OccurredAt: sent},
		},
		{
			name: "order.paid of a one-time product",
			d: delivery([]byte(oldSecret), "msg_2Lw5", sent, fmt.Sprintf(
				`{"type":"order.paid","data":{"id":"0rde0000-1111-4e5f-8a9b-000000000010","subscription_id":null,"customer_id":%q,"metadata":{}}}`, customerID)),
			want: domain.WebhookEvent{ID: "msg_2Lw5", Type: "order.paid", CustomerRef: customerID, OccurredAt: sent},
		},
		{
			name: "checkout.updated names no subscription",
			d: delivery([]byte(oldSecret), "msg_2Lw6", sent,
				`{"type":"checkout.updated","data":{"id":"c4e5f6a7-0001-4e5f-8a9b-000000000001","status":"succeeded","subscription_id":null}}`),
			want: domain.WebhookEvent{ID: "msg_2Lw6", Type: "checkout.updated", OccurredAt: sent},
		},
		{
			name: "unknown type is acknowledged",
			d:    delivery([]byte(oldSecret), "msg_2Lw7", sent, `{"type":"benefit_grant.cycled","data":{"id":"x"}}`),
			want: domain.WebhookEvent{ID: "msg_2Lw7", Type: "benefit_grant.cycled", OccurredAt: sent},
		},
		{
			name: "at the edge of the tolerance",
			d:    delivery([]byte(oldSecret), "msg_2Lw8", hookNow.Add(-domain.WebhookTolerance), subscriptionEvent("subscription.created", org)),
			want: domain.WebhookEvent{ID: "msg_2Lw8", Type: "subscription.created", SubscriptionRef: subID, CustomerRef: customerID, OrganizationID: org, OccurredAt: hookNow.Add(-domain.WebhookTolerance)},
		},
		{
			name: "one of several signatures matches",
			d: func() domain.WebhookDelivery {
				d := delivery([]byte(newSecret), "msg_2Lw9", sent, subscriptionEvent("subscription.canceled", org))
				d.Header.Set("webhook-signature", sign([]byte("retired"), "msg_2Lw9", sent.Unix(), d.Body)+" "+d.Header.Get("webhook-signature"))
				return d
			}(),
			want: domain.WebhookEvent{ID: "msg_2Lw9", Type: "subscription.canceled", SubscriptionRef: subID, CustomerRef: customerID, OrganizationID: org, OccurredAt: sent},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := p.ParseWebhook(tc.d, hookNow)
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if got != tc.want {
				t.Errorf("event =\n  %+v\nwant\n  %+v", got, tc.want)
			}
		})
	}
}

// TestParseWebhookStandardSecret covers a secret Polar issued on or after
// 2026-09-08: "whsec_" and the base64 of the key, which Polar signs with
// the decoded key.
func TestParseWebhookStandardSecret(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	secret := "whsec_" + base64.StdEncoding.EncodeToString(key)
	p := hookProvider(t, secret)
	org := newOrg()
	sent := hookNow.Add(-time.Second)
	for name, k := range map[string][]byte{"decoded key": key, "raw secret": []byte(secret)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ev, err := p.ParseWebhook(delivery(k, "msg_std", sent, subscriptionEvent("subscription.updated", org)), hookNow)
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			if ev.SubscriptionRef != subID || ev.OrganizationID != org {
				t.Errorf("event = %+v", ev)
			}
		})
	}
}

func TestParseWebhookRejected(t *testing.T) {
	t.Parallel()
	org := newOrg()
	p := hookProvider(t, oldSecret, newSecret)
	sent := hookNow.Add(-10 * time.Second)
	body := subscriptionEvent("subscription.updated", org)
	valid := func() domain.WebhookDelivery { return delivery([]byte(oldSecret), "msg_bad", sent, body) }
	without := func(h string) domain.WebhookDelivery {
		d := valid()
		d.Header.Del(h)
		return d
	}

	for _, tc := range []struct {
		name string
		d    domain.WebhookDelivery
	}{
		{"forged with another secret", delivery([]byte("polar_whs_attacker"), "msg_bad", sent, body)},
		{"base64 of the secret used as key", delivery([]byte(base64.StdEncoding.EncodeToString([]byte(oldSecret))), "msg_bad", sent, body)},
		{"tampered body", func() domain.WebhookDelivery {
			d := valid()
			d.Body = []byte(subscriptionEvent("subscription.updated", newOrg()))
			return d
		}()},
		{"signature of another id", func() domain.WebhookDelivery {
			d := valid()
			d.Header.Set("webhook-id", "msg_other")
			return d
		}()},
		{"stale", delivery([]byte(oldSecret), "msg_bad", hookNow.Add(-domain.WebhookTolerance-time.Second), body)},
		{"from the future", delivery([]byte(oldSecret), "msg_bad", hookNow.Add(domain.WebhookTolerance+time.Second), body)},
		{"timestamp not a number", func() domain.WebhookDelivery {
			d := valid()
			d.Header.Set("webhook-timestamp", sent.Format(time.RFC3339))
			return d
		}()},
		{"no webhook-id", without("webhook-id")},
		{"no webhook-timestamp", without("webhook-timestamp")},
		{"no webhook-signature", without("webhook-signature")},
		{"unversioned signature", func() domain.WebhookDelivery {
			d := valid()
			sig := d.Header.Get("webhook-signature")
			d.Header.Set("webhook-signature", sig[len("v1,"):])
			return d
		}()},
		{"signed body that is not JSON", delivery([]byte(oldSecret), "msg_bad", sent, `type=subscription.updated`)},
		{"signed body without type", delivery([]byte(oldSecret), "msg_bad", sent, `{"data":{"id":"x"}}`)},
		{"subscription event without data", delivery([]byte(oldSecret), "msg_bad", sent, `{"type":"subscription.updated"}`)},
		{"subscription event without data.id", delivery([]byte(oldSecret), "msg_bad", sent, `{"type":"subscription.updated","data":{"customer_id":"c"}}`)},
		{"subscription event with data not an object", delivery([]byte(oldSecret), "msg_bad", sent, `{"type":"subscription.updated","data":"5ab1"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := p.ParseWebhook(tc.d, hookNow)
			if !errors.Is(err, domain.ErrWebhookRejected) {
				t.Fatalf("ParseWebhook = %+v, %v; want ErrWebhookRejected", ev, err)
			}
			checkKernel(t, err, kernel.KindInvalid, "billing.invalid_webhook")
		})
	}
}

// TestParseWebhookUsesNow checks the window is the caller's now, not the
// wall clock: a delivery signed years ago is valid at that time.
func TestParseWebhookUsesNow(t *testing.T) {
	t.Parallel()
	p := hookProvider(t, oldSecret)
	then := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	d := delivery([]byte(oldSecret), "msg_then", then, `{"type":"checkout.created","data":{}}`)
	if _, err := p.ParseWebhook(d, then.Add(time.Minute)); err != nil {
		t.Fatalf("at its own time: %v", err)
	}
	if _, err := p.ParseWebhook(d, hookNow); !errors.Is(err, domain.ErrWebhookRejected) {
		t.Fatalf("years later: %v, want ErrWebhookRejected", err)
	}
}
