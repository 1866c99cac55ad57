package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

const (
	webOrigin = "https://app.example"
	secret    = "hunter2-secret"
)

// problem is the wire shape of a problem response, decoded independently
// of web.Problem so the tests pin the contract, not the Go type.
type problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail"`
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	RequestID string       `json:"requestId"`
	Errors    []fieldError `json:"errors"`
}

type fieldError struct {
	Location string `json:"location"`
	Message  string `json:"message"`
	Code     string `json:"code"`
	Value    any    `json:"value"`
}

type widgetIn struct {
	Body struct {
		Name  string `json:"name" minLength:"3" maxLength:"40"`
		Count int    `json:"count,omitempty" minimum:"0"`
	}
}

type widgetOut struct {
	Body struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
}

type widgetIDIn struct {
	ID string `path:"id"`
}

// widgetErr is what the widget handlers fail with for a given ID; the same
// table drives a huma operation and a plain handler.
func widgetErr(id string) error {
	switch id {
	case "missing":
		return kernel.NotFound("widgets.not_found", "The widget does not exist.")
	case "taken":
		return kernel.Conflict("widgets.name_taken", "The name is taken.")
	case "busy":
		return kernel.RateLimited("widgets.rate_limited", "Slow down.", 30)
	case "down":
		e := kernel.Unavailable("widgets.unavailable", "Widgets are resting.")
		e.RetryAfterSeconds = 5
		return e
	case "bad":
		return fmt.Errorf("check widget: %w", kernel.Invalid("widgets.invalid", "The widget is invalid.",
			kernel.FieldError{Field: "body.name", Code: "taken", Message: "is taken"}))
	case "boom":
		return fmt.Errorf("load widget: %w", errors.New("pq: password authentication failed: "+secret))
	case "internal":
		return kernel.Internal(errors.New("disk on fire: " + secret))
	case "huma":
		return huma.Error409Conflict("Already there.")
	case "panic":
		panic("kaboom " + secret)
	}
	return nil
}

// logBuffer collects JSON log lines; handlers log from server goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) entries(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(b.buf.Bytes()))
	for dec.More() {
		var e map[string]any
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("decode log line: %v", err)
		}
		out = append(out, e)
	}
	return out
}

// find returns the log entries with the given msg.
func (b *logBuffer) find(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range b.entries(t) {
		if e["msg"] == msg {
			out = append(out, e)
		}
	}
	return out
}

type fixture struct {
	router  *web.Router
	handler http.Handler
	reg     *prometheus.Registry
	logs    *logBuffer
}

func setup(t *testing.T, configure ...func(*web.Config)) *fixture {
	t.Helper()
	cfg := web.Config{Title: "Test API", Version: "1.2.3", WebOrigins: []string{webOrigin}}
	for _, c := range configure {
		c(&cfg)
	}
	logs := &logBuffer{}
	reg := prometheus.NewRegistry()
	rt := web.NewRouter(cfg, slog.New(slog.NewJSONHandler(logs, nil)), reg)

	huma.Register(rt.API(), huma.Operation{
		OperationID: "create-widget", Method: http.MethodPost, Path: "/api/widgets",
		Summary: "Create a widget", Tags: []string{"widgets"}, DefaultStatus: http.StatusCreated,
	}, func(_ context.Context, in *widgetIn) (*widgetOut, error) {
		out := &widgetOut{}
		out.Body.ID, out.Body.Name = "wdg_1", in.Body.Name
		return out, nil
	})
	huma.Register(rt.API(), huma.Operation{
		OperationID: "get-widget", Method: http.MethodGet, Path: "/api/widgets/{id}",
		Summary: "Get a widget", Tags: []string{"widgets"},
	}, func(_ context.Context, in *widgetIDIn) (*widgetOut, error) {
		if err := widgetErr(in.ID); err != nil {
			return nil, err
		}
		out := &widgetOut{}
		out.Body.ID, out.Body.Name = in.ID, "A widget"
		return out, nil
	})
	// The same errors answered by a middleware, before the handler runs.
	api := rt.API()
	huma.Register(api, huma.Operation{
		OperationID: "get-gated-widget", Method: http.MethodGet, Path: "/api/gated/{id}",
		Summary: "Get a widget behind a gate", Tags: []string{"widgets"},
		Middlewares: huma.Middlewares{func(hctx huma.Context, next func(huma.Context)) {
			if err := widgetErr(hctx.Param("id")); err != nil {
				web.WriteError(api, hctx, err)
				return
			}
			next(hctx)
		}},
	}, func(_ context.Context, in *widgetIDIn) (*widgetOut, error) {
		out := &widgetOut{}
		out.Body.ID, out.Body.Name = in.ID, "A widget"
		return out, nil
	})
	rt.Handle("GET /plain/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := widgetErr(r.PathValue("id")); err != nil {
			web.WriteProblem(w, r, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	rt.Handle("GET /plain-not-found", http.HandlerFunc(http.NotFound))
	upload := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := io.Copy(io.Discard, r.Body)
		if err != nil {
			web.WriteProblem(w, r, fmt.Errorf("read upload: %w", err))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int64{"bytes": n})
	})
	rt.Handle("POST /upload", upload)
	rt.HandleUpload("PUT /files/{name}", 3<<20, upload)
	rt.Handle("POST /webhooks/{provider}", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	rt.Handle("GET /stream-then-panic", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "partial")
		http.NewResponseController(w).Flush()
		panic("late " + secret)
	}))
	return &fixture{router: rt, handler: rt.Handler(), reg: reg, logs: logs}
}

// serve runs one request through the full chain.
func (f *fixture) serve(t *testing.T, r *http.Request) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, r)
	res := rec.Result()
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

func (f *fixture) get(t *testing.T, path string) *http.Response {
	t.Helper()
	return f.serve(t, httptest.NewRequest(http.MethodGet, path, nil))
}

func readBody(t *testing.T, res *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	res.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// decodeProblem checks what every problem response shares and returns it.
func decodeProblem(t *testing.T, res *http.Response, status int, code string) problem {
	t.Helper()
	body := readBody(t, res)
	if res.StatusCode != status {
		t.Fatalf("status = %d, want %d; body %s", res.StatusCode, status, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json; body %s", ct, body)
	}
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("decode problem %s: %v", body, err)
	}
	if p.Code != code {
		t.Errorf("code = %q, want %q (detail %q)", p.Code, code, p.Detail)
	}
	if p.Type != "about:blank" || p.Title != http.StatusText(status) || p.Status != status {
		t.Errorf("type/title/status = %q/%q/%d, want about:blank/%q/%d", p.Type, p.Title, p.Status, http.StatusText(status), status)
	}
	if p.Detail == "" || p.Message != p.Detail {
		t.Errorf("detail %q, message %q: want equal and non-empty", p.Detail, p.Message)
	}
	if id := res.Header.Get("X-Request-Id"); p.RequestID == "" || p.RequestID != id {
		t.Errorf("requestId = %q, X-Request-Id = %q: want equal and non-empty", p.RequestID, id)
	}
	return p
}

func bigBody(n int) string { return `{"name":"` + strings.Repeat("a", n) + `"}` }
