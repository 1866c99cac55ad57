package polar_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/polar"
)

const testToken = "polar_oat_test_7d1c9e"

// seen is one request the fake received.
type seen struct {
	method, path string // path includes the query
	auth         string
	contentType  string
	body         map[string]any // nil without a body
}

// fakeSub is a subscription as the fake holds it.
type fakeSub struct {
	id, status, customerID, productID string
	externalID                        *string // the customer's external_id
	metadata                          map[string]any
	periodStart                       time.Time
	periodEnd                         *time.Time
	trialEnd                          *time.Time
	cancelAtPeriodEnd                 bool
	seats                             *int
	createdAt                         time.Time
	modifiedAt                        *time.Time
	// pending is a next-period update not applied yet; Polar answers 409
	// SubscriptionLocked to another update meanwhile.
	pending bool
}

// fakePolar speaks the slice of Polar's API the adapter uses, with Polar's
// JSON shapes: Bearer auth, POST /v1/customers/, /v1/checkouts/,
// /v1/customer-sessions/, GET /v1/subscriptions/ (list) and
// GET/PATCH/DELETE /v1/subscriptions/{id}. It records every request.
type fakePolar struct {
	t *testing.T
	// fail, when set and returning true, answers instead of the fake.
	fail func(w http.ResponseWriter, r *http.Request) bool
	// now stamps modified_at on updates.
	now time.Time

	mu       sync.Mutex
	requests []seen
	subs     map[string]*fakeSub
	next     int
}

func newFakePolar(t *testing.T) (*fakePolar, *httptest.Server) {
	t.Helper()
	f := &fakePolar{t: t, subs: map[string]*fakeSub{}, now: time.Date(2026, 11, 20, 9, 30, 0, 123456000, time.UTC)}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv
}

func newProvider(t *testing.T, srv *httptest.Server, secrets ...string) *polar.Provider {
	t.Helper()
	if len(secrets) == 0 {
		secrets = []string{"polar_whs_first"}
	}
	p, err := polar.New(polar.Config{AccessToken: testToken, WebhookSecrets: secrets, APIBase: srv.URL, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func (f *fakePolar) add(s *fakeSub) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs[s.id] = s
}

func (f *fakePolar) seen() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.requests...)
}

func (f *fakePolar) id(prefix string) string {
	f.next++
	return fmt.Sprintf("%s-%04d-4e5f-8a9b-%012d", prefix, f.next, f.next)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// polarError is Polar's own error body.
func polarError(w http.ResponseWriter, status int, name, detail string) {
	writeJSON(w, status, map[string]any{"error": name, "detail": detail})
}

// validationError is FastAPI's 422 body, as Polar answers it.
func validationError(w http.ResponseWriter, loc []any, msg string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": []any{
		map[string]any{"loc": loc, "msg": msg, "type": "value_error", "input": nil},
	}})
}

func (f *fakePolar) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rec := seen{method: r.Method, path: r.URL.RequestURI(), auth: r.Header.Get("Authorization"), contentType: r.Header.Get("Content-Type")}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &rec.body); err != nil {
			f.t.Errorf("%s %s: body is not a JSON object: %v", r.Method, r.URL, err)
		}
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	f.mu.Unlock()

	if f.fail != nil && f.fail(w, r) {
		return
	}
	if rec.auth != "Bearer "+testToken {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "detail": "The access token provided is expired, revoked, malformed, or invalid."})
		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/subscriptions/":
		writeJSON(w, http.StatusOK, map[string]any{"items": []any{}, "pagination": map[string]any{"total_count": 0, "max_page": 0}})
	case r.Method == http.MethodPost && r.URL.Path == "/v1/customers/":
		f.createCustomer(w, rec.body)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/checkouts/":
		f.createCheckout(w, rec.body)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/customer-sessions/":
		f.createSession(w, rec.body)
	case strings.HasPrefix(r.URL.Path, "/v1/subscriptions/"):
		f.subscription(w, r.Method, strings.TrimPrefix(r.URL.Path, "/v1/subscriptions/"), rec.body)
	default:
		polarError(w, http.StatusNotFound, "ResourceNotFound", "Not found")
	}
}

func (f *fakePolar) createCustomer(w http.ResponseWriter, b map[string]any) {
	email, _ := b["email"].(string)
	if !strings.Contains(email, "@") {
		validationError(w, []any{"body", "email"}, "value is not a valid email address")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": f.id("c0a1b2c3"), "created_at": f.now, "modified_at": nil,
		"metadata": b["metadata"], "external_id": b["external_id"], "email": email,
		"email_verified": false, "name": b["name"], "billing_address": nil, "tax_id": nil,
		"organization_id": "0b1c2d3e-0000-4000-8000-000000000001", "deleted_at": nil, "avatar_url": "",
	})
}

func (f *fakePolar) createCheckout(w http.ResponseWriter, b map[string]any) {
	products, _ := b["products"].([]any)
	if len(products) == 0 {
		validationError(w, []any{"body", "products"}, "List should have at least 1 item after validation, not 0")
		return
	}
	if p, _ := products[0].(string); p == "" {
		validationError(w, []any{"body", "products", 0}, "Input should be a valid UUID")
		return
	}
	id := f.id("c4e5f6a7")
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": id, "created_at": f.now, "modified_at": nil, "status": "open",
		"client_secret": "polar_c_secret", "url": "https://sandbox.polar.sh/checkout/polar_c_secret",
		"expires_at": f.now.Add(time.Hour), "success_url": b["success_url"], "metadata": b["metadata"],
		"product_id": products[0], "seats": b["seats"], "customer_id": b["customer_id"],
		"external_customer_id": b["external_customer_id"],
	})
}

func (f *fakePolar) createSession(w http.ResponseWriter, b map[string]any) {
	cid, _ := b["customer_id"].(string)
	if cid == "" {
		validationError(w, []any{"body", "customer_id"}, "Field required")
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"id": f.id("5e551011"), "created_at": f.now, "modified_at": nil, "token": "polar_cst_x",
		"expires_at": f.now.Add(time.Hour), "return_url": b["return_url"],
		"customer_portal_url": "https://sandbox.polar.sh/acme/portal?customer_session_token=polar_cst_x",
		"customer_id":         cid, "customer": map[string]any{"id": cid},
	})
}

func (f *fakePolar) subscription(w http.ResponseWriter, method, id string, b map[string]any) {
	s, ok := f.subs[id]
	if !ok {
		polarError(w, http.StatusNotFound, "ResourceNotFound", "Not found")
		return
	}
	switch method {
	case http.MethodGet:
	case http.MethodDelete:
		if s.status == "canceled" {
			polarError(w, http.StatusForbidden, "AlreadyCanceledSubscription", "This subscription is already revoked.")
			return
		}
		s.status = "canceled"
		s.cancelAtPeriodEnd = false
		s.modifiedAt = &f.now
	case http.MethodPatch:
		if s.pending {
			polarError(w, http.StatusConflict, "SubscriptionLocked", "Subscription is pending an update.")
			return
		}
		if !f.patch(w, s, b) {
			return
		}
		s.modifiedAt = &f.now
	default:
		polarError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "Method Not Allowed")
		return
	}
	writeJSON(w, http.StatusOK, s.render())
}

// patch applies one of Polar's SubscriptionUpdate shapes, which are
// exclusive: one kind of change per request.
func (f *fakePolar) patch(w http.ResponseWriter, s *fakeSub, b map[string]any) bool {
	_, product := b["product_id"]
	_, seats := b["seats"]
	_, cancel := b["cancel_at_period_end"]
	if n := btoi(product) + btoi(seats) + btoi(cancel); n != 1 {
		validationError(w, []any{"body"}, "Input should be exactly one subscription update")
		return false
	}
	behavior, hasBehavior := b["proration_behavior"].(string)
	if hasBehavior && behavior != "invoice" && behavior != "prorate" && behavior != "next_period" {
		validationError(w, []any{"body", "SubscriptionUpdateProduct", "proration_behavior"}, "Input should be 'invoice', 'prorate' or 'next_period'")
		return false
	}
	switch {
	case cancel:
		v, _ := b["cancel_at_period_end"].(bool)
		if v && s.cancelAtPeriodEnd {
			polarError(w, http.StatusForbidden, "AlreadyCanceledSubscription", "This subscription is already canceled or will be at the end of the period.")
			return false
		}
		s.cancelAtPeriodEnd = v
	case product:
		if behavior == "next_period" {
			s.pending = true
			return true
		}
		s.productID, _ = b["product_id"].(string)
	case seats:
		if s.seats == nil {
			polarError(w, http.StatusBadRequest, "NotASeatBasedSubscription", "Subscription is not seat-based.")
			return false
		}
		n, _ := b["seats"].(float64)
		if n < 1 {
			validationError(w, []any{"body", "SubscriptionUpdateSeats", "seats"}, "Input should be greater than or equal to 1")
			return false
		}
		v := int(n)
		s.seats = &v
	}
	return true
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// render is Polar's Subscription schema (the fields that matter, plus
// enough of the rest to look like the real thing).
func (s *fakeSub) render() map[string]any {
	md := s.metadata
	if md == nil {
		md = map[string]any{}
	}
	var seats any
	if s.seats != nil {
		seats = *s.seats
	}
	return map[string]any{
		"id": s.id, "created_at": s.createdAt, "modified_at": s.modifiedAt,
		"amount": 2900, "currency": "usd", "recurring_interval": "month", "recurring_interval_count": 1,
		"status": s.status, "current_period_start": s.periodStart, "current_period_end": s.periodEnd,
		"trial_start": nil, "trial_end": s.trialEnd, "cancel_at_period_end": s.cancelAtPeriodEnd,
		"canceled_at": nil, "started_at": s.periodStart, "ends_at": nil, "ended_at": nil,
		"customer_id": s.customerID, "product_id": s.productID, "discount_id": nil, "checkout_id": nil,
		"seats": seats, "customer_cancellation_reason": nil, "customer_cancellation_comment": nil,
		"metadata": md, "custom_field_data": map[string]any{},
		"customer": map[string]any{
			"id": s.customerID, "created_at": s.createdAt, "modified_at": nil, "metadata": map[string]any{},
			"external_id": s.externalID, "email": "owner@acme.test", "email_verified": true, "name": "Acme",
			"billing_address": nil, "tax_id": nil, "organization_id": "0b1c2d3e-0000-4000-8000-000000000001",
			"deleted_at": nil, "avatar_url": "",
		},
		"product":  map[string]any{"id": s.productID, "name": "Pro", "is_recurring": true},
		"discount": nil, "prices": []any{}, "meters": []any{},
	}
}
