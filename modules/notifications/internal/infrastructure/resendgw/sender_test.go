package resendgw_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/resendgw"
)

const testAPIKey = "re_test_9f8e7d6c5b4a"

// sendEmailBody is the JSON body of Resend's POST /emails.
type sendEmailBody struct {
	From    string   `json:"from"`
	To      []string `json:"to"`
	Subject string   `json:"subject"`
	ReplyTo string   `json:"reply_to"`
	HTML    string   `json:"html"`
	Text    string   `json:"text"`
	Tags    []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"tags"`
}

type seenRequest struct {
	path           string
	authorization  string
	idempotencyKey string
	contentType    string
	body           sendEmailBody
}

// fakeResend speaks the slice of Resend's API the adapter uses: POST
// /emails with Bearer auth, deduplicated by Idempotency-Key for the same
// payload, 409 for a reused key with a different payload.
type fakeResend struct {
	// fail, when set, answers instead of delivering (status, headers, body).
	fail func(w http.ResponseWriter, r *http.Request, body sendEmailBody) bool

	mu         sync.Mutex
	requests   []seenRequest
	deliveries []sendEmailBody
	byKey      map[string]keyed
	nextID     int
}

type keyed struct {
	id   string
	body string
}

func startResend(t *testing.T, prefix string, fail func(http.ResponseWriter, *http.Request, sendEmailBody) bool) (*fakeResend, *httptest.Server) {
	t.Helper()
	f := &fakeResend{fail: fail, byKey: map[string]keyed{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+prefix+"/emails", f.emails)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

func writeError(w http.ResponseWriter, status int, name, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"statusCode": status, "name": name, "message": message})
}

func (f *fakeResend) emails(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, "validation_error", "bad json")
		return
	}
	var body sendEmailBody
	if err := json.Unmarshal(raw, &body); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "validation_error", "bad body")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	f.mu.Lock()
	f.requests = append(f.requests, seenRequest{
		path:           r.URL.Path,
		authorization:  r.Header.Get("Authorization"),
		idempotencyKey: key,
		contentType:    r.Header.Get("Content-Type"),
		body:           body,
	})
	f.mu.Unlock()

	if r.Header.Get("Authorization") != "Bearer "+testAPIKey {
		writeError(w, http.StatusForbidden, "invalid_api_key", "API key is invalid")
		return
	}
	if f.fail != nil && f.fail(w, r, body) {
		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	if prev, ok := f.byKey[key]; ok && key != "" {
		if prev.body != string(raw) {
			writeError(w, http.StatusConflict, "invalid_idempotent_request", "Same idempotency key used with a different request payload.")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"id":%q}`, prev.id)
		return
	}
	f.nextID++
	id := fmt.Sprintf("4ef9a417-02e9-4d39-ad75-%012d", f.nextID)
	if key != "" {
		f.byKey[key] = keyed{id: id, body: string(raw)}
	}
	f.deliveries = append(f.deliveries, body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = fmt.Fprintf(w, `{"id":%q}`, id)
}

func (f *fakeResend) snapshot() ([]seenRequest, []sendEmailBody) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.requests...), append([]sendEmailBody(nil), f.deliveries...)
}

func newSender(t *testing.T, baseURL string) *resendgw.Sender {
	t.Helper()
	s, err := resendgw.New(resendgw.Options{APIKey: testAPIKey, BaseURL: baseURL})
	if err != nil {
		t.Fatalf("resendgw.New: %v", err)
	}
	return s
}

func sampleEmail() application.Email {
	return application.Email{
		From:           "Acme <no-reply@acme.test>",
		To:             []string{"ana@example.test"},
		ReplyTo:        "support@acme.test",
		Subject:        "Bem-vinda à Acme ☕",
		HTML:           "<p>Olá Ana</p>",
		Text:           "Olá Ana",
		Tags:           map[string]string{"template": "welcome", "locale": "pt-BR"},
		IdempotencyKey: "welcome/usr_0190",
	}
}

func TestSendPostsEmail(t *testing.T) {
	t.Parallel()
	f, srv := startResend(t, "", nil)
	e := sampleEmail()

	if err := newSender(t, srv.URL).Send(t.Context(), e); err != nil {
		t.Fatalf("Send: %v", err)
	}

	reqs, deliveries := f.snapshot()
	if len(reqs) != 1 || len(deliveries) != 1 {
		t.Fatalf("server saw %d requests, %d deliveries; want 1, 1", len(reqs), len(deliveries))
	}
	r := reqs[0]
	if r.authorization != "Bearer "+testAPIKey {
		t.Errorf("Authorization = %q", r.authorization)
	}
	if r.idempotencyKey != e.IdempotencyKey {
		t.Errorf("Idempotency-Key = %q, want %q", r.idempotencyKey, e.IdempotencyKey)
	}
	if !strings.HasPrefix(r.contentType, "application/json") {
		t.Errorf("Content-Type = %q", r.contentType)
	}
	b := r.body
	if b.From != e.From || !reflect.DeepEqual(b.To, e.To) || b.ReplyTo != e.ReplyTo ||
		b.Subject != e.Subject || b.HTML != e.HTML || b.Text != e.Text {
		t.Errorf("body = %+v, want fields of %+v", b, e)
	}
	tags := map[string]string{}
	for _, tag := range b.Tags {
		tags[tag.Name] = tag.Value
	}
	if !reflect.DeepEqual(tags, e.Tags) {
		t.Errorf("tags = %v, want %v", tags, e.Tags)
	}
}

func TestSendSameIdempotencyKeyDeliversOnce(t *testing.T) {
	t.Parallel()
	f, srv := startResend(t, "", nil)
	s := newSender(t, srv.URL)
	e := sampleEmail()

	for range 2 {
		if err := s.Send(t.Context(), e); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	other := sampleEmail()
	other.IdempotencyKey = "welcome/usr_0191"
	if err := s.Send(t.Context(), other); err != nil {
		t.Fatalf("Send: %v", err)
	}

	reqs, deliveries := f.snapshot()
	if len(reqs) != 3 {
		t.Fatalf("server saw %d requests, want 3 (each Send reaches Resend)", len(reqs))
	}
	if len(deliveries) != 2 {
		t.Fatalf("server delivered %d emails, want 2 (one per idempotency key)", len(deliveries))
	}
}

func TestSendWithoutIdempotencyKey(t *testing.T) {
	t.Parallel()
	f, srv := startResend(t, "", nil)
	s := newSender(t, srv.URL)
	e := sampleEmail()
	e.IdempotencyKey = ""

	for range 2 {
		if err := s.Send(t.Context(), e); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	reqs, deliveries := f.snapshot()
	if len(deliveries) != 2 {
		t.Errorf("delivered %d emails, want 2", len(deliveries))
	}
	for _, r := range reqs {
		if r.idempotencyKey != "" {
			t.Errorf("Idempotency-Key = %q, want none", r.idempotencyKey)
		}
	}
}

func TestSendLongIdempotencyKeyIsHashedStably(t *testing.T) {
	t.Parallel()
	f, srv := startResend(t, "", nil)
	s := newSender(t, srv.URL)
	e := sampleEmail()
	e.IdempotencyKey = strings.Repeat("k", 300)

	for range 2 {
		if err := s.Send(t.Context(), e); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	reqs, deliveries := f.snapshot()
	if len(deliveries) != 1 {
		t.Errorf("delivered %d emails, want 1", len(deliveries))
	}
	for _, r := range reqs {
		if n := len(r.idempotencyKey); n == 0 || n > 256 {
			t.Errorf("Idempotency-Key has %d characters, want 1-256", n)
		}
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	t.Parallel()
	retryDate := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name          string
		status        int
		header        map[string]string
		errName       string
		message       string
		wantPermanent bool
		wantMin       time.Duration
		wantMax       time.Duration
	}{
		{name: "422 validation", status: 422, errName: "validation_error", message: "Invalid `to` field: ana@example.test", wantPermanent: true},
		{name: "400 validation", status: 400, errName: "validation_error", message: "bad field", wantPermanent: true},
		{name: "403 unverified domain", status: 403, errName: "validation_error", message: "The acme.test domain is not verified.", wantPermanent: true},
		{name: "409 reused key, other payload", status: 409, errName: "invalid_idempotent_request", message: "Same idempotency key used with a different request payload.", wantPermanent: true},
		{name: "409 concurrent same key", status: 409, errName: "concurrent_idempotent_requests", message: "Same idempotency key used while original request is still in progress."},
		{name: "429 retry after seconds", status: 429, header: map[string]string{"Retry-After": "7"}, errName: "rate_limit_exceeded", message: "Too many requests.", wantMin: 7 * time.Second, wantMax: 7 * time.Second},
		{name: "429 retry after date", status: 429, header: map[string]string{"Retry-After": retryDate}, errName: "daily_quota_exceeded", message: "quota", wantMin: 80 * time.Second, wantMax: 90 * time.Second},
		{name: "429 without hint", status: 429, errName: "rate_limit_exceeded", message: "slow down"},
		{name: "408 timeout", status: 408, errName: "request_timeout", message: "timeout"},
		{name: "500", status: 500, errName: "internal_server_error", message: "An unexpected error occurred."},
		{name: "503 retry after", status: 503, header: map[string]string{"Retry-After": "3"}, message: "unavailable", wantMin: 3 * time.Second, wantMax: 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, srv := startResend(t, "", func(w http.ResponseWriter, _ *http.Request, _ sendEmailBody) bool {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				writeError(w, tt.status, tt.errName, tt.message)
				return true
			})

			err := newSender(t, srv.URL).Send(t.Context(), sampleEmail())

			se := requireSendError(t, err)
			if se.Permanent != tt.wantPermanent || se.Status != tt.status || se.Provider != resendgw.Provider {
				t.Errorf("got provider=%s permanent=%v status=%d, want permanent=%v status=%d (%v)",
					se.Provider, se.Permanent, se.Status, tt.wantPermanent, tt.status, err)
			}
			if se.RetryAfter < tt.wantMin || se.RetryAfter > tt.wantMax {
				t.Errorf("RetryAfter = %v, want within [%v, %v]", se.RetryAfter, tt.wantMin, tt.wantMax)
			}
			if tt.errName != "" && !strings.Contains(err.Error(), tt.errName) {
				t.Errorf("error %q does not name Resend's error %q", err, tt.errName)
			}
			if strings.Contains(err.Error(), testAPIKey) || strings.Contains(err.Error(), "ana@example.test") {
				t.Errorf("error leaks the API key or the recipient: %v", err)
			}
		})
	}
}

func TestSendBadAPIKeyIsPermanent(t *testing.T) {
	t.Parallel()
	_, srv := startResend(t, "", nil)
	s, err := resendgw.New(resendgw.Options{APIKey: "re_wrong_key_123", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(t.Context(), sampleEmail())
	se := requireSendError(t, err)
	if !se.Permanent || se.Status != http.StatusForbidden {
		t.Errorf("got permanent=%v status=%d, want permanent 403", se.Permanent, se.Status)
	}
	if strings.Contains(err.Error(), "re_wrong_key_123") {
		t.Errorf("error leaks the API key: %v", err)
	}
}

func TestSendNetworkFailureIsTransient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more

	err := newSender(t, url).Send(t.Context(), sampleEmail())

	se := requireSendError(t, err)
	if se.Permanent || se.Status != 0 {
		t.Errorf("got permanent=%v status=%d, want transient with no status", se.Permanent, se.Status)
	}
	if strings.Contains(err.Error(), testAPIKey) {
		t.Errorf("error leaks the API key: %v", err)
	}
}

func TestSendHonoursBaseURLPath(t *testing.T) {
	t.Parallel()
	f, srv := startResend(t, "/proxy/resend", nil)
	if err := newSender(t, srv.URL+"/proxy/resend").Send(t.Context(), sampleEmail()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	reqs, _ := f.snapshot()
	if len(reqs) != 1 || reqs[0].path != "/proxy/resend/emails" {
		t.Fatalf("requests = %+v, want one POST /proxy/resend/emails", reqs)
	}
}

// Concurrent sends must each be classified by their own response.
func TestSendConcurrentClassification(t *testing.T) {
	t.Parallel()
	_, srv := startResend(t, "", func(w http.ResponseWriter, _ *http.Request, body sendEmailBody) bool {
		switch body.Subject {
		case "reject":
			writeError(w, 422, "validation_error", "no")
			return true
		case "busy":
			w.Header().Set("Retry-After", "5")
			writeError(w, 429, "rate_limit_exceeded", "busy")
			return true
		}
		return false
	})
	s := newSender(t, srv.URL)
	subjects := []string{"ok", "reject", "busy"}
	var wg sync.WaitGroup
	errs := make([]error, 30)
	for i := range errs {
		wg.Go(func() {
			e := sampleEmail()
			e.Subject = subjects[i%3]
			e.IdempotencyKey = fmt.Sprintf("k-%d", i)
			errs[i] = s.Send(t.Context(), e)
		})
	}
	wg.Wait()
	for i, err := range errs {
		permanent, retryAfter := application.Classify(err)
		switch subjects[i%3] {
		case "ok":
			if err != nil {
				t.Errorf("send %d: %v, want nil", i, err)
			}
		case "reject":
			if err == nil || !permanent {
				t.Errorf("send %d: %v, want permanent", i, err)
			}
		case "busy":
			if err == nil || permanent || retryAfter != 5*time.Second {
				t.Errorf("send %d: %v (retry after %v), want transient after 5s", i, err, retryAfter)
			}
		}
	}
}

func TestSendCancelledContextIsTransient(t *testing.T) {
	t.Parallel()
	_, srv := startResend(t, "", nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	err := newSender(t, srv.URL).Send(ctx, sampleEmail())

	se := requireSendError(t, err)
	if se.Permanent || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want transient wrapping context.Canceled", err)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    resendgw.Options
		wantErr bool
	}{
		{"default base url", resendgw.Options{APIKey: "re_x"}, false},
		{"custom base url", resendgw.Options{APIKey: "re_x", BaseURL: "http://127.0.0.1:9/api"}, false},
		{"missing key", resendgw.Options{BaseURL: "http://127.0.0.1:9"}, true},
		{"relative base url", resendgw.Options{APIKey: "re_x", BaseURL: "/api"}, true},
		{"ftp base url", resendgw.Options{APIKey: "re_x", BaseURL: "ftp://example.test"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := resendgw.New(tt.opts); (err != nil) != tt.wantErr {
				t.Errorf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}

func requireSendError(t *testing.T, err error) *application.SendError {
	t.Helper()
	if err == nil {
		t.Fatal("Send succeeded, want an error")
	}
	var se *application.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *application.SendError", err, err)
	}
	return se
}
