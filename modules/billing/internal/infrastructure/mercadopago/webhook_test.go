package mercadopago_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

var webhookNow = time.Date(2025, 3, 20, 12, 0, 0, 0, time.UTC)

const (
	preapprovalID = "2c938084726fca480172750000000abc"
	requestID     = "f7b2a1d4-0b1c-4ec2-aaaa-9e8b1d2f3c4d"
)

// mpSign builds the x-signature header as Mercado Pago does: HMAC-SHA256 in
// hex, under secret, of "id:{data.id};request-id:{x-request-id};ts:{ts};"
// with every part whose value is absent left out. manifestID is data.id as
// it goes into the manifest (Mercado Pago lower-cases an alphanumeric one).
func mpSign(secret, manifestID, requestID, ts string) string {
	m := ""
	if manifestID != "" {
		m += "id:" + manifestID + ";"
	}
	if requestID != "" {
		m += "request-id:" + requestID + ";"
	}
	m += "ts:" + ts + ";"
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(m))
	return "ts=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

func msTS(t time.Time) string  { return strconv.FormatInt(t.UnixMilli(), 10) }
func secTS(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// delivery is a webhook delivery to build: the query's data.id, the
// x-request-id and x-signature headers (absent when "") and the body.
type delivery struct {
	queryID, requestID, signature, body string
	query                               url.Values // extra query parameters
}

func (d delivery) build() domain.WebhookDelivery {
	h := http.Header{}
	if d.signature != "" {
		h.Set("X-Signature", d.signature)
	}
	if d.requestID != "" {
		h.Set("X-Request-Id", d.requestID)
	}
	q := url.Values{}
	for k, v := range d.query {
		q[k] = v
	}
	if d.queryID != "" {
		q.Set("data.id", d.queryID)
	}
	return domain.WebhookDelivery{Header: domain.Header(h), Query: q, Body: []byte(d.body)}
}

const preapprovalBody = `{"action":"updated","application_id":2111981040044412,"data":{"id":"` + preapprovalID + `"},` +
	`"date":"2025-03-20T11:59:50Z","entity":"preapproval","id":104166812417,"type":"subscription_preapproval","version":3}`

func TestParseWebhookAccepts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sent := webhookNow.Add(-10 * time.Second)
	occurred := time.Date(2025, 3, 20, 11, 59, 50, 0, time.UTC)
	preapprovalEvent := domain.WebhookEvent{ID: "104166812417", Type: "subscription_preapproval", SubscriptionRef: preapprovalID, OccurredAt: occurred}
	for _, tc := range []struct {
		name string
		d    delivery
		want domain.WebhookEvent
	}{
		{"preapproval event, ts in milliseconds",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, msTS(sent)), body: preapprovalBody},
			preapprovalEvent},
		{"ts in seconds",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, secTS(sent)), body: preapprovalBody},
			preapprovalEvent},
		{"signed with the second secret",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretB, preapprovalID, requestID, msTS(sent)), body: preapprovalBody},
			preapprovalEvent},
		{"almost stale",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, msTS(webhookNow.Add(-299*time.Second))), body: preapprovalBody},
			preapprovalEvent},
		{"upper-case data.id in the query, lower-cased in the manifest",
			delivery{queryID: "2C938084726FCA480172750000000ABC", requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, msTS(sent)),
				body: `{"id":104166812417,"type":"subscription_preapproval","date":"2025-03-20T11:59:50Z","data":{"id":"2C938084726FCA480172750000000ABC"}}`},
			preapprovalEvent},
		{"no x-request-id: its part is left out",
			delivery{queryID: preapprovalID, signature: mpSign(secretA, preapprovalID, "", msTS(sent)), body: preapprovalBody},
			preapprovalEvent},
		{"no data.id in the query: its part is left out, the body's names the preapproval",
			delivery{requestID: requestID, signature: mpSign(secretA, "", requestID, msTS(sent)), body: preapprovalBody},
			preapprovalEvent},
		{"type in the query only",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, msTS(sent)),
				query: url.Values{"type": {"subscription_preapproval"}}, body: `{"id":104166812417,"date":"2025-03-20T11:59:50Z"}`},
			preapprovalEvent},
		{"body without an id: the x-request-id is the event's",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, msTS(sent)),
				body: `{"type":"subscription_preapproval","data":{"id":"` + preapprovalID + `"}}`},
			domain.WebhookEvent{ID: requestID, Type: "subscription_preapproval", SubscriptionRef: preapprovalID, OccurredAt: sent}},
		{"authorized payment event",
			delivery{queryID: "7010581917", requestID: requestID, signature: mpSign(secretA, "7010581917", requestID, msTS(sent)),
				body: `{"action":"created","data":{"id":"7010581917"},"date":"2025-03-20T11:59:50Z","entity":"authorized_payment","id":104166812999,"type":"subscription_authorized_payment","version":1}`},
			domain.WebhookEvent{ID: "104166812999", Type: "subscription_authorized_payment", SubscriptionRef: "authorized_payment:7010581917", OccurredAt: occurred}},
		{"unknown type: acknowledged, about no subscription",
			delivery{queryID: "1234567890", requestID: requestID, signature: mpSign(secretA, "1234567890", requestID, msTS(sent)),
				body: `{"action":"payment.updated","api_version":"v1","data":{"id":"1234567890"},"date_created":"2025-03-20T08:59:50.000-03:00","id":112233445566,"live_mode":true,"type":"payment","user_id":987654321}`},
			domain.WebhookEvent{ID: "112233445566", Type: "payment", OccurredAt: occurred}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := b.p.ParseWebhook(tc.d.build(), webhookNow)
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			mustEqual(t, "event", got, tc.want)
		})
	}
	if n := len(b.api.received("")); n != 0 {
		t.Fatalf("ParseWebhook sent %d requests; it must do no I/O", n)
	}
}

func TestParseWebhookRejects(t *testing.T) {
	t.Parallel()
	b := setup(t)
	sent := webhookNow.Add(-10 * time.Second)
	valid := mpSign(secretA, preapprovalID, requestID, msTS(sent))
	for _, tc := range []struct {
		name string
		d    delivery
	}{
		{"forged: another secret",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign("not-the-secret", preapprovalID, requestID, msTS(sent)), body: preapprovalBody}},
		{"forged: data.id changed",
			delivery{queryID: "2c938084726fca480172750000000def", requestID: requestID, signature: valid, body: preapprovalBody}},
		{"forged: x-request-id changed",
			delivery{queryID: preapprovalID, requestID: "another-request", signature: valid, body: preapprovalBody}},
		{"forged: ts changed",
			delivery{queryID: preapprovalID, requestID: requestID, signature: "ts=" + msTS(sent.Add(time.Second)) + valid[len("ts=")+len(msTS(sent)):], body: preapprovalBody}},
		{"signed over the upper-case data.id, which Mercado Pago never does",
			delivery{queryID: "2C938084726FCA480172750000000ABC", requestID: requestID, signature: mpSign(secretA, "2C938084726FCA480172750000000ABC", requestID, msTS(sent)), body: preapprovalBody}},
		{"stale",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, msTS(webhookNow.Add(-301*time.Second))), body: preapprovalBody}},
		{"stale, ts in seconds",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, secTS(webhookNow.Add(-time.Hour))), body: preapprovalBody}},
		{"from the future",
			delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, msTS(webhookNow.Add(301*time.Second))), body: preapprovalBody}},
		{"no x-signature",
			delivery{queryID: preapprovalID, requestID: requestID, body: preapprovalBody}},
		{"malformed x-signature", delivery{queryID: preapprovalID, requestID: requestID, signature: "garbage", body: preapprovalBody}},
		{"x-signature without v1", delivery{queryID: preapprovalID, requestID: requestID, signature: "ts=" + msTS(sent), body: preapprovalBody}},
		{"x-signature without ts", delivery{queryID: preapprovalID, requestID: requestID, signature: valid[len("ts=")+len(msTS(sent))+1:], body: preapprovalBody}},
		{"x-signature with a ts that is no time", delivery{queryID: preapprovalID, requestID: requestID, signature: mpSign(secretA, preapprovalID, requestID, "yesterday"), body: preapprovalBody}},
		{"x-signature v1 not hex", delivery{queryID: preapprovalID, requestID: requestID, signature: "ts=" + msTS(sent) + ",v1=zz", body: preapprovalBody}},
		{"body not JSON", delivery{queryID: preapprovalID, requestID: requestID, signature: valid, body: `{"id":104166812417,`}},
		{"body names another preapproval than the signed query",
			delivery{queryID: preapprovalID, requestID: requestID, signature: valid,
				body: `{"id":104166812417,"type":"subscription_preapproval","data":{"id":"2c938084726fca480172750000000def"}}`}},
		{"no type",
			delivery{requestID: requestID, signature: mpSign(secretA, "", requestID, msTS(sent)), body: `{"id":1,"data":{"id":"` + preapprovalID + `"}}`}},
		{"preapproval event whose data.id is no ID",
			delivery{requestID: requestID, signature: mpSign(secretA, "", requestID, msTS(sent)),
				body: `{"id":1,"type":"subscription_preapproval","data":{"id":"../users/me"}}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := b.p.ParseWebhook(tc.d.build(), webhookNow)
			if !errors.Is(err, domain.ErrWebhookRejected) {
				t.Fatalf("ParseWebhook = %+v, %v; want ErrWebhookRejected", ev, err)
			}
			mustEqual(t, "event", ev, domain.WebhookEvent{})
		})
	}
}

// TestWebhookToSubscription follows an authorized payment's webhook to the
// subscription it is about, as billing's job does.
func TestWebhookToSubscription(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pa := b.api.addPreapproval(fakePreapproval{Status: "authorized", Reason: "pro",
		AutoRecurring: fakeAutoRecurring{Frequency: 1, FrequencyType: "months", TransactionAmount: 19.99, CurrencyID: "BRL"}}, b.api.clock)
	ap := b.api.addPayment(pa.ID, b.api.clock, "recycling", "rejected", 1)
	id := itoa(ap.ID)
	ev, err := b.p.ParseWebhook(delivery{
		queryID: id, requestID: requestID, signature: mpSign(secretA, id, requestID, msTS(webhookNow)),
		body: `{"action":"created","data":{"id":"` + id + `"},"id":1,"type":"subscription_authorized_payment"}`,
	}.build(), webhookNow)
	if err != nil {
		t.Fatalf("ParseWebhook: %v", err)
	}
	s, err := b.p.Subscription(t.Context(), ev.SubscriptionRef)
	if err != nil {
		t.Fatalf("Subscription(%q): %v", ev.SubscriptionRef, err)
	}
	mustEqual(t, "ref", s.Ref, pa.ID)
	mustEqual(t, "status", s.Status, domain.StatusPastDue)
}
