package mercadopago_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeMP is an httptest server speaking the slices of Mercado Pago's API the
// adapter uses, with Mercado Pago's JSON shapes: /users/me, /preapproval
// (POST, GET/PUT by ID) and /authorized_payments (by ID, search). It checks
// the bearer token, keeps state and records every request.
type fakeMP struct {
	t     *testing.T
	token string
	srv   *httptest.Server

	mu           sync.Mutex
	clock        time.Time
	seq          int
	plans        map[string]fakeAutoRecurring
	preapprovals map[string]*fakePreapproval
	payments     map[int64]*fakePayment
	failures     map[string]int // "METHOD /path" prefix → status answered
	requests     []recorded
}

// recorded is one request the fake received.
type recorded struct {
	Method, Path string
	Query        url.Values
	Header       http.Header
	Body         map[string]any // decoded JSON; nil without a body
}

// fakePreapproval is a preapproval as Mercado Pago's API writes it.
type fakePreapproval struct {
	ID                string             `json:"id"`
	PayerID           int64              `json:"payer_id"`
	PayerEmail        string             `json:"payer_email"`
	BackURL           string             `json:"back_url"`
	CollectorID       int64              `json:"collector_id"`
	ApplicationID     int64              `json:"application_id"`
	Status            string             `json:"status"`
	Reason            string             `json:"reason"`
	ExternalReference string             `json:"external_reference"`
	DateCreated       string             `json:"date_created"`
	LastModified      string             `json:"last_modified"`
	InitPoint         string             `json:"init_point"`
	PreapprovalPlanID string             `json:"preapproval_plan_id,omitempty"`
	AutoRecurring     fakeAutoRecurring  `json:"auto_recurring"`
	Summarized        map[string]*string `json:"summarized"`
	NextPaymentDate   *string            `json:"next_payment_date"`
	PaymentMethodID   *string            `json:"payment_method_id"`
	FirstInvoiceOff   *int               `json:"first_invoice_offset"`
}

// fakeAutoRecurring is a preapproval's recurrence; free_trial is null
// without a trial, as Mercado Pago writes it.
type fakeAutoRecurring struct {
	Frequency         int            `json:"frequency"`
	FrequencyType     string         `json:"frequency_type"`
	TransactionAmount float64        `json:"transaction_amount"`
	CurrencyID        string         `json:"currency_id"`
	StartDate         string         `json:"start_date,omitempty"`
	FreeTrial         *fakeFreeTrial `json:"free_trial"`
}

type fakeFreeTrial struct {
	Frequency     int    `json:"frequency"`
	FrequencyType string `json:"frequency_type"`
}

// fakePayment is an authorized payment (an installment of a preapproval).
type fakePayment struct {
	PreapprovalID     string  `json:"preapproval_id"`
	ID                int64   `json:"id"`
	Type              string  `json:"type"`
	Status            string  `json:"status"`
	DateCreated       string  `json:"date_created"`
	LastModified      string  `json:"last_modified"`
	TransactionAmount float64 `json:"transaction_amount"`
	CurrencyID        string  `json:"currency_id"`
	Reason            string  `json:"reason"`
	Payment           struct {
		ID           int64  `json:"id,omitempty"`
		Status       string `json:"status,omitempty"`
		StatusDetail string `json:"status_detail,omitempty"`
	} `json:"payment"`
	RetryAttempt    int     `json:"retry_attempt"`
	NextRetryDate   *string `json:"next_retry_date"`
	DebitDate       string  `json:"debit_date"`
	PaymentMethodID string  `json:"payment_method_id"`
}

// mpZone is the offset Mercado Pago writes its times in.
var mpZone = time.FixedZone("-04:00", -4*3600)

// mpTime formats t as Mercado Pago does.
func mpTime(t time.Time) string { return t.In(mpZone).Format("2006-01-02T15:04:05.000-07:00") }

// newFakeMP starts the fake; it is closed when the test ends.
func newFakeMP(t *testing.T, token string) *fakeMP {
	t.Helper()
	f := &fakeMP{
		t:            t,
		token:        token,
		clock:        time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
		plans:        map[string]fakeAutoRecurring{},
		preapprovals: map[string]*fakePreapproval{},
		payments:     map[int64]*fakePayment{},
		failures:     map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/me", f.usersMe)
	mux.HandleFunc("POST /preapproval", f.createPreapproval)
	mux.HandleFunc("GET /preapproval/{id}", f.getPreapproval)
	mux.HandleFunc("PUT /preapproval/{id}", f.updatePreapproval)
	mux.HandleFunc("GET /authorized_payments/search", f.searchPayments)
	mux.HandleFunc("GET /authorized_payments/{id}", f.getPayment)
	f.srv = httptest.NewServer(f.intercept(mux))
	t.Cleanup(f.srv.Close)
	return f
}

// intercept records the request, checks the token and answers injected
// failures before the routes run.
func (f *fakeMP) intercept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone()}
		if r.Body != nil {
			var body map[string]any
			dec := json.NewDecoder(r.Body)
			if err := dec.Decode(&body); err == nil {
				rec.Body = body
			}
		}
		f.mu.Lock()
		f.requests = append(f.requests, rec)
		status := 0
		for prefix, s := range f.failures {
			if strings.HasPrefix(r.Method+" "+r.URL.Path, prefix) {
				status = s
			}
		}
		f.mu.Unlock()
		switch {
		case r.Header.Get("Authorization") != "Bearer "+f.token:
			writeError(w, http.StatusUnauthorized, "unauthorized", "invalid access token")
		case status != 0:
			writeError(w, status, strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_")), "injected failure")
		default:
			// The body was read for the record; the routes take it from there.
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyKey{}, rec.Body)))
		}
	})
}

type bodyKey struct{}

// bodyOf is the request's decoded JSON body (nil without one).
func bodyOf(r *http.Request) map[string]any {
	b, _ := r.Context().Value(bodyKey{}).(map[string]any)
	return b
}

// writeError answers as Mercado Pago's API does.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]any{"message": message, "error": code, "status": status, "cause": []any{}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// tick advances the fake's clock, so every change has a later last_modified.
func (f *fakeMP) tick() time.Time {
	f.clock = f.clock.Add(time.Minute)
	return f.clock
}

func (f *fakeMP) usersMe(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": 1340175910, "nickname": "TEST_USER_658045679", "first_name": "Test", "last_name": "Test",
		"country_id": "BR", "email": "test_user_658045679@testuser.com", "site_id": "MLB",
	})
}

func (f *fakeMP) createPreapproval(w http.ResponseWriter, r *http.Request) {
	body := bodyOf(r)
	str := func(k string) string { s, _ := body[k].(string); return s }
	if !strings.Contains(str("payer_email"), "@") {
		writeError(w, http.StatusBadRequest, "bad_request", "Invalid payer_email")
		return
	}
	if str("back_url") == "" || str("reason") == "" {
		writeError(w, http.StatusBadRequest, "bad_request", "back_url and reason are required")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var ar fakeAutoRecurring
	if plan := str("preapproval_plan_id"); plan != "" {
		var ok bool
		if ar, ok = f.plans[plan]; !ok {
			writeError(w, http.StatusNotFound, "not_found", "preapproval_plan_id not found")
			return
		}
	} else {
		raw, _ := json.Marshal(body["auto_recurring"])
		if err := json.Unmarshal(raw, &ar); err != nil || ar.TransactionAmount <= 0 || ar.CurrencyID == "" || ar.Frequency < 1 {
			writeError(w, http.StatusBadRequest, "bad_request", "auto_recurring is invalid")
			return
		}
	}
	now := f.tick()
	if ar.StartDate == "" {
		ar.StartDate = mpTime(now)
	}
	f.seq++
	id := fmt.Sprintf("2c938084726fca48017275%010x", f.seq)
	pa := &fakePreapproval{
		ID: id, PayerID: 123123123, PayerEmail: str("payer_email"), BackURL: str("back_url"),
		CollectorID: 987654321, ApplicationID: 1234567890, Status: str("status"), Reason: str("reason"),
		ExternalReference: str("external_reference"), DateCreated: mpTime(now), LastModified: mpTime(now),
		InitPoint:         "https://www.mercadopago.com.br/subscriptions/checkout?preapproval_id=" + id,
		PreapprovalPlanID: str("preapproval_plan_id"), AutoRecurring: ar,
		Summarized: map[string]*string{"quotas": nil, "semaphore": nil, "last_charged_date": nil},
	}
	if pa.Status == "" {
		pa.Status = "pending"
	}
	f.preapprovals[id] = pa
	writeJSON(w, http.StatusCreated, pa)
}

func (f *fakeMP) getPreapproval(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	pa, ok := f.preapprovals[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "The preapproval with id "+r.PathValue("id")+" does not exist")
		return
	}
	writeJSON(w, http.StatusOK, pa)
}

func (f *fakeMP) updatePreapproval(w http.ResponseWriter, r *http.Request) {
	body := bodyOf(r)
	f.mu.Lock()
	defer f.mu.Unlock()
	pa, ok := f.preapprovals[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "The preapproval with id "+r.PathValue("id")+" does not exist")
		return
	}
	if pa.Status == "cancelled" {
		writeError(w, http.StatusBadRequest, "bad_request", "You can not modify a cancelled preapproval")
		return
	}
	if s, ok := body["status"].(string); ok {
		switch s {
		case "authorized", "paused", "cancelled":
			pa.Status = s
		default:
			writeError(w, http.StatusBadRequest, "bad_request", "Invalid status "+s)
			return
		}
	}
	if reason, ok := body["reason"].(string); ok {
		pa.Reason = reason
	}
	if ar, ok := body["auto_recurring"].(map[string]any); ok {
		if pa.PreapprovalPlanID != "" {
			writeError(w, http.StatusBadRequest, "bad_request", "Cannot modify auto_recurring of a preapproval with a plan")
			return
		}
		if amount, ok := ar["transaction_amount"].(float64); ok {
			pa.AutoRecurring.TransactionAmount = amount
		}
	}
	pa.LastModified = mpTime(f.tick())
	writeJSON(w, http.StatusOK, pa)
}

func (f *fakeMP) getPayment(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ap, ok := f.payments[id]
	if !ok {
		writeError(w, http.StatusNotFound, "not_found", "Authorized payment not found")
		return
	}
	writeJSON(w, http.StatusOK, ap)
}

func (f *fakeMP) searchPayments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	if limit <= 0 || limit > 100 {
		writeError(w, http.StatusBadRequest, "bad_request", "limit must be between 1 and 100")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []*fakePayment
	for _, ap := range f.payments {
		if ap.PreapprovalID == q.Get("preapproval_id") {
			all = append(all, ap)
		}
	}
	// Newest first: the adapter must not rely on any order.
	sort.Slice(all, func(i, j int) bool { return all[i].ID > all[j].ID })
	page := []*fakePayment{}
	for i := offset; i < len(all) && i < offset+limit; i++ {
		page = append(page, all[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"results": page,
		"paging":  map[string]int{"offset": offset, "limit": limit, "total": len(all)},
	})
}

// addPreapproval stores a preapproval as if a buyer had gone through the
// checkout; next is its next_payment_date (zero: null).
func (f *fakeMP) addPreapproval(pa fakePreapproval, next time.Time) *fakePreapproval {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.tick()
	f.seq++
	if pa.ID == "" {
		pa.ID = fmt.Sprintf("2c938084726fca48017275%010x", f.seq)
	}
	if pa.DateCreated == "" {
		pa.DateCreated = mpTime(now.Add(-24 * time.Hour))
	}
	pa.LastModified = mpTime(now)
	pa.InitPoint = "https://www.mercadopago.com.br/subscriptions/checkout?preapproval_id=" + pa.ID
	if !next.IsZero() {
		s := mpTime(next)
		pa.NextPaymentDate = &s
	}
	f.preapprovals[pa.ID] = &pa
	return &pa
}

// addPayment stores an authorized payment of preapprovalID created at.
func (f *fakeMP) addPayment(preapprovalID string, at time.Time, status, paymentStatus string, retries int) *fakePayment {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	ap := &fakePayment{
		PreapprovalID: preapprovalID, ID: 7010581900 + int64(f.seq), Type: "recurring", Status: status,
		DateCreated: mpTime(at), LastModified: mpTime(at), TransactionAmount: 19.99, CurrencyID: "BRL",
		Reason: "pro", RetryAttempt: retries, DebitDate: mpTime(at), PaymentMethodID: "visa",
	}
	if paymentStatus != "" {
		ap.Payment.ID = 3950169500 + int64(f.seq)
		ap.Payment.Status = paymentStatus
		ap.Payment.StatusDetail = map[string]string{"approved": "accredited", "rejected": "cc_rejected_insufficient_amount"}[paymentStatus]
	}
	if status == "recycling" {
		next := mpTime(at.Add(72 * time.Hour))
		ap.NextRetryDate = &next
	}
	f.payments[ap.ID] = ap
	return ap
}

// fail makes every request whose "METHOD /path" starts with prefix answer
// status.
func (f *fakeMP) fail(prefix string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[prefix] = status
}

// received returns the requests so far whose "METHOD /path" starts with
// prefix ("" for all).
func (f *fakeMP) received(prefix string) []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.requests {
		if strings.HasPrefix(r.Method+" "+r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// stored returns a copy of the preapproval as the fake holds it.
func (f *fakeMP) stored(id string) fakePreapproval {
	f.mu.Lock()
	defer f.mu.Unlock()
	pa, ok := f.preapprovals[id]
	if !ok {
		f.t.Fatalf("no preapproval %s", id)
	}
	return *pa
}
