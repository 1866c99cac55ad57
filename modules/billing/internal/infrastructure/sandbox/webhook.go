package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// SignatureHeader is the header a sandbox webhook's signature travels in:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">", as Stripe's.
const SignatureHeader = "Sandbox-Signature"

// The event types the sandbox sends.
const (
	eventSubscriptionCreated  = "subscription.created"
	eventSubscriptionUpdated  = "subscription.updated"
	eventSubscriptionCanceled = "subscription.canceled"
	eventPaymentFailed        = "invoice.payment_failed"
	eventInvoicePaid          = "invoice.paid"
)

// event is a webhook's body:
//
//	{"id":"evt_…","type":"subscription.updated","created":1767225600,
//	 "data":{"subscription":"ssub_…","customer":"scus_…","organization_id":"org_…"}}
type event struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Created int64     `json:"created"`
	Data    eventData `json:"data"`
}

type eventData struct {
	Subscription   string `json:"subscription"`
	Customer       string `json:"customer"`
	OrganizationID string `json:"organization_id"`
}

// newEvent returns a new event of type typ about s, created when s last
// changed.
func (p *Provider) newEvent(typ string, s subscription) event {
	return event{
		ID: newRef("evt_"), Type: typ, Created: s.UpdatedAt.Unix(),
		Data: eventData{Subscription: s.Ref, Customer: s.CustomerRef, OrganizationID: s.OrganizationID},
	}
}

// Sign returns the Sandbox-Signature header value of body signed with
// secret at at: "t=<unix>,v1=<hex HMAC-SHA256 of "<unix>.<body>">". Tests
// of billing sign their deliveries with it.
func Sign(secret []byte, body []byte, at time.Time) string {
	t := at.Unix()
	return "t=" + strconv.FormatInt(t, 10) + ",v1=" + hex.EncodeToString(mac(secret, t, body))
}

func mac(secret []byte, t int64, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(t, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// ParseWebhook verifies the delivery's Sandbox-Signature with the secret
// and says what it is about. A missing or forged signature, a timestamp
// more than domain.WebhookTolerance away from now (either way) or a body
// that is not a sandbox event gives domain.ErrWebhookRejected. The
// organization ID is zero when the event's is not one.
func (p *Provider) ParseWebhook(d domain.WebhookDelivery, now time.Time) (domain.WebhookEvent, error) {
	if err := verify(p.secret, d.Header.Get(SignatureHeader), d.Body, now); err != nil {
		return domain.WebhookEvent{}, domain.ErrWebhookRejected.WithCause(err)
	}
	var e event
	if err := json.Unmarshal(d.Body, &e); err != nil {
		return domain.WebhookEvent{}, domain.ErrWebhookRejected.WithCause(err)
	}
	if e.ID == "" || e.Type == "" || e.Created <= 0 {
		return domain.WebhookEvent{}, domain.ErrWebhookRejected.WithCause(fmt.Errorf("the event has no id, type or created time"))
	}
	return domain.WebhookEvent{
		ID: e.ID, Type: e.Type, SubscriptionRef: e.Data.Subscription, CustomerRef: e.Data.Customer,
		OrganizationID: parseOrg(e.Data.OrganizationID), OccurredAt: time.Unix(e.Created, 0).UTC(),
	}, nil
}

// verify checks header, a Sandbox-Signature value, against body: its
// timestamp within the tolerance of now and one of its v1 signatures the
// HMAC of secret (several v1 are accepted, as Stripe's, so a sender may
// sign with an old and a new secret while they rotate).
func verify(secret []byte, header string, body []byte, now time.Time) error {
	if header == "" {
		return fmt.Errorf("no %s header", SignatureHeader)
	}
	var (
		t      int64
		haveT  bool
		hashes [][]byte
	)
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("bad timestamp %q", v)
			}
			t, haveT = n, true
		case "v1":
			if h, err := hex.DecodeString(v); err == nil {
				hashes = append(hashes, h)
			}
		}
	}
	if !haveT || len(hashes) == 0 {
		return fmt.Errorf("the %s header has no timestamp or signature", SignatureHeader)
	}
	if age := now.Sub(time.Unix(t, 0)); age > domain.WebhookTolerance || age < -domain.WebhookTolerance {
		return fmt.Errorf("the timestamp is %s from now, beyond the tolerance", age.Round(time.Second))
	}
	want := mac(secret, t, body)
	for _, h := range hashes {
		if hmac.Equal(h, want) {
			return nil
		}
	}
	return fmt.Errorf("no signature matches")
}

// maxRetries is how many times a failed delivery is retried, quickly:
// the endpoint is this very server, and billing's reconcile job repairs
// what a lost webhook leaves behind.
const maxRetries = 3

// deliver posts e to SERVER_URL/webhooks/sandbox, signed anew for each
// attempt, retrying a network error or a 429 or 5xx answer up to
// maxRetries times. It never returns an error: a delivery that still
// fails is logged.
func (p *Provider) deliver(ctx context.Context, e event) {
	body, err := json.Marshal(e)
	if err != nil { // an event of strings and a number: cannot happen
		p.logger.Error("sandbox webhook not sent", "event_id", e.ID, "error", err)
		return
	}
	endpoint := p.pageURL(nil, "webhooks", ProviderName)
	delay := p.retryDelay
	for attempt := 0; ; attempt++ {
		retry, err := p.post(ctx, endpoint, body)
		if err == nil {
			return
		}
		if !retry || attempt == maxRetries {
			p.logger.Warn("sandbox webhook not delivered", "event_id", e.ID, "type", e.Type,
				"subscription", e.Data.Subscription, "attempts", attempt+1, "error", err)
			return
		}
		select {
		case <-ctx.Done():
			p.logger.Warn("sandbox webhook not delivered", "event_id", e.ID, "type", e.Type,
				"subscription", e.Data.Subscription, "attempts", attempt+1, "error", ctx.Err())
			return
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// post makes one delivery attempt; retry says whether another may
// succeed.
func (p *Provider) post(ctx context.Context, endpoint string, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Groundwork-Sandbox/1")
	req.Header.Set(SignatureHeader, Sign(p.secret, body, p.clock.Now()))
	resp, err := p.client.Do(req)
	if err != nil {
		return true, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return false, nil
	}
	retryable := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	return retryable, fmt.Errorf("webhook endpoint answered %s", resp.Status)
}
