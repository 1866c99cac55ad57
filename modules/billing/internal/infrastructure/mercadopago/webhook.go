package mercadopago

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// The notification types whose data.id names something billing fetches.
// Mercado Pago's Webhooks send the first of each pair in "type"; its older
// IPN deliveries send the second in "topic".
var (
	preapprovalTypes       = map[string]bool{"subscription_preapproval": true, "preapproval": true}
	authorizedPaymentTypes = map[string]bool{"subscription_authorized_payment": true, "authorized_payment": true}
)

// msThreshold separates an x-signature ts in seconds from one in
// milliseconds: Mercado Pago's documentation shows seconds, its deliveries
// send milliseconds; 10^11 seconds is in the year 5138, 10^11 ms in 1973.
const msThreshold = 100_000_000_000

// notification is the body of a Mercado Pago Webhooks (or IPN) delivery;
// only what names the event is read.
type notification struct {
	ID          json.RawMessage `json:"id"`
	Type        string          `json:"type"`
	Topic       string          `json:"topic"`
	Date        string          `json:"date"`
	DateCreated string          `json:"date_created"`
	Data        struct {
		ID json.RawMessage `json:"id"`
	} `json:"data"`
}

// ParseWebhook implements domain.PaymentProvider, verifying a delivery as
// Mercado Pago signs it: the x-signature header "ts={ts},v1={hex}" holds an
// HMAC-SHA256, under the webhook secret, of the manifest
// "id:{data.id};request-id:{x-request-id};ts:{ts};", where data.id is the
// query string's (lower-cased when alphanumeric) and a part whose value the
// delivery lacks is left out. Either configured secret may have signed it;
// ts (seconds or milliseconds) must be within domain.WebhookTolerance of now,
// either way, so that a captured delivery cannot be replayed later.
//
// The event's ID is the body's id (the notification's, kept across Mercado
// Pago's redeliveries), else the x-request-id, else one derived from the
// signature; its type is the body's type or topic (else the query's). A
// subscription_preapproval event's SubscriptionRef is its data.id; a
// subscription_authorized_payment event names a payment whose preapproval
// only the API knows, and ParseWebhook does no I/O, so its SubscriptionRef
// is "authorized_payment:{data.id}", which Subscription resolves. Other
// types get SubscriptionRef "". The data.id is the query's, which is signed;
// the body's only when the query has none, and a body that disagrees with
// the query is rejected. A forged, stale or malformed delivery gives
// domain.ErrWebhookRejected.
func (p *Provider) ParseWebhook(d domain.WebhookDelivery, now time.Time) (domain.WebhookEvent, error) {
	ts, signatures, err := parseSignature(d.Header.Get("X-Signature"))
	if err != nil {
		return domain.WebhookEvent{}, rejected(err.Error())
	}
	requestID := strings.TrimSpace(d.Header.Get("X-Request-Id"))
	queryID := lowerAlphanumeric(strings.TrimSpace(d.Query.Get("data.id")))
	var manifest strings.Builder
	if queryID != "" {
		manifest.WriteString("id:" + queryID + ";")
	}
	if requestID != "" {
		manifest.WriteString("request-id:" + requestID + ";")
	}
	manifest.WriteString("ts:" + ts + ";")
	if !p.signed([]byte(manifest.String()), signatures) {
		return domain.WebhookEvent{}, rejected("signature does not match")
	}
	sent, err := tsTime(ts)
	if err != nil {
		return domain.WebhookEvent{}, rejected(err.Error())
	}
	if age := now.Sub(sent); age > domain.WebhookTolerance || age < -domain.WebhookTolerance {
		return domain.WebhookEvent{}, rejected(fmt.Sprintf("timestamp %s is %s away from now", sent.UTC().Format(time.RFC3339), age.Round(time.Second)))
	}

	var n notification
	if len(bytes.TrimSpace(d.Body)) > 0 {
		if err := json.Unmarshal(d.Body, &n); err != nil {
			return domain.WebhookEvent{}, rejected("body is not a JSON notification")
		}
	}
	eventType := firstOf(n.Type, n.Topic, d.Query.Get("type"), d.Query.Get("topic"))
	if eventType == "" {
		return domain.WebhookEvent{}, rejected("notification has no type")
	}
	bodyID, err := idText(n.Data.ID)
	if err != nil {
		return domain.WebhookEvent{}, rejected("data.id is not an ID")
	}
	dataID := queryID
	switch {
	case dataID == "":
		dataID = lowerAlphanumeric(bodyID)
	case bodyID != "" && !strings.EqualFold(bodyID, dataID):
		return domain.WebhookEvent{}, rejected("body's data.id differs from the signed one")
	}
	eventID, err := idText(n.ID)
	if err != nil {
		return domain.WebhookEvent{}, rejected("id is not an ID")
	}
	if eventID == "" {
		eventID = requestID
	}
	if eventID == "" {
		eventID = "sig:" + ts + ":" + hex.EncodeToString(signatures[0])
	}

	ev := domain.WebhookEvent{ID: eventID, Type: eventType, OccurredAt: sent.UTC()}
	if at, err := time.Parse(time.RFC3339, firstOf(n.DateCreated, n.Date)); err == nil {
		ev.OccurredAt = at.UTC()
	}
	switch {
	case preapprovalTypes[eventType]:
		ev.SubscriptionRef = dataID
	case authorizedPaymentTypes[eventType]:
		ev.SubscriptionRef = authorizedPaymentPrefix + dataID
	}
	if ev.SubscriptionRef != "" && !validID(dataID) {
		return domain.WebhookEvent{}, rejected("data.id is not a Mercado Pago ID")
	}
	return ev, nil
}

// signed reports whether one of signatures is the HMAC of manifest under one
// of the secrets.
func (p *Provider) signed(manifest []byte, signatures [][]byte) bool {
	for _, secret := range p.secrets {
		mac := hmac.New(sha256.New, secret)
		mac.Write(manifest)
		want := mac.Sum(nil)
		for _, got := range signatures {
			if hmac.Equal(want, got) {
				return true
			}
		}
	}
	return false
}

// parseSignature splits an x-signature header into its ts (digits, as sent,
// since the manifest signs the text) and its v1 signatures.
func parseSignature(header string) (string, [][]byte, error) {
	if strings.TrimSpace(header) == "" {
		return "", nil, errors.New("no x-signature header")
	}
	var ts string
	var signatures [][]byte
	for part := range strings.SplitSeq(header, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", nil, errors.New("malformed x-signature header")
		}
		value = strings.TrimSpace(value)
		switch strings.TrimSpace(key) {
		case "ts":
			ts = value
		case "v1":
			sig, err := hex.DecodeString(value)
			if err != nil || len(sig) != sha256.Size {
				return "", nil, errors.New("x-signature v1 is not a hex HMAC-SHA256")
			}
			signatures = append(signatures, sig)
		}
	}
	if ts == "" || len(signatures) == 0 {
		return "", nil, errors.New("x-signature lacks ts or v1")
	}
	if _, err := tsTime(ts); err != nil {
		return "", nil, err
	}
	return ts, signatures, nil
}

// tsTime reads an x-signature ts, in seconds or milliseconds since the epoch.
func tsTime(ts string) (time.Time, error) {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || n <= 0 || ts[0] == '+' {
		return time.Time{}, errors.New("x-signature ts is not a Unix time")
	}
	if n >= msThreshold {
		return time.UnixMilli(n), nil
	}
	return time.Unix(n, 0), nil
}

// lowerAlphanumeric lower-cases s when it is alphanumeric ASCII, as Mercado
// Pago does with data.id before signing, and returns it unchanged otherwise.
func lowerAlphanumeric(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return s
		}
	}
	return strings.ToLower(s)
}

// idText is a JSON id that is a string or a number, as text; "" for none.
func idText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(s), nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	if _, err := strconv.ParseUint(n.String(), 10, 64); err != nil {
		return "", err
	}
	return n.String(), nil
}

// firstOf is the first non-empty of values.
func firstOf(values ...string) string {
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// rejected is domain.ErrWebhookRejected with why as its (logged) cause.
func rejected(why string) error {
	return fmt.Errorf("mercadopago webhook: %w", domain.ErrWebhookRejected.WithCause(errors.New(why)))
}
