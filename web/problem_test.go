package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

func TestRouteProblems(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name, method, path string
		status             int
		code               string
		allow              string
	}{
		{"unknown route", http.MethodGet, "/nope", http.StatusNotFound, "http.not_found", ""},
		{"unknown route under /api", http.MethodGet, "/api/nope", http.StatusNotFound, "http.not_found", ""},
		{"unknown route HEAD", http.MethodHead, "/api/nope", http.StatusNotFound, "http.not_found", ""},
		{"wrong method on huma op", http.MethodDelete, "/api/widgets", http.StatusMethodNotAllowed, "http.method_not_allowed", "POST"},
		{"wrong method on GET op", http.MethodPost, "/api/widgets/w1", http.StatusMethodNotAllowed, "http.method_not_allowed", "GET, HEAD"},
		{"wrong method on built-in", http.MethodPut, "/healthz", http.StatusMethodNotAllowed, "http.method_not_allowed", "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := f.serve(t, httptest.NewRequest(tt.method, tt.path, nil))
			if tt.method == http.MethodHead {
				// No body for HEAD, but the status and headers are the problem's.
				if res.StatusCode != tt.status || res.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("HEAD: status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
				}
				return
			}
			decodeProblem(t, res, tt.status, tt.code)
			if got := res.Header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow = %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestRegisteredHandlerMayAnswer404Itself(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.get(t, "/plain-not-found")
	if res.StatusCode != http.StatusNotFound || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("got %d %q; a matched handler's own 404 must pass through untouched", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func TestHumaRequestProblems(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name        string
		contentType string
		body        string
		status      int
		code        string
		fields      map[string]any // location → value echoed (nil: none)
	}{
		{name: "malformed JSON", contentType: "application/json", body: `{"name": `,
			status: http.StatusBadRequest, code: "http.malformed_json", fields: map[string]any{"body": nil}},
		{name: "schema violations", contentType: "application/json", body: `{"name":"ab","count":-1}`,
			status: http.StatusUnprocessableEntity, code: "http.validation",
			fields: map[string]any{"body.name": "ab", "body.count": float64(-1)}},
		{name: "missing property does not echo the body", contentType: "application/json", body: `{"password":"` + secret + `"}`,
			status: http.StatusUnprocessableEntity, code: "http.validation",
			fields: map[string]any{"body": nil, "body.password": nil}},
		{name: "wrong content type", contentType: "text/plain", body: `{"name":"abc"}`,
			status: http.StatusUnsupportedMediaType, code: "http.unsupported_media_type"},
		{name: "form content type", contentType: "application/x-www-form-urlencoded", body: `name=abc`,
			status: http.StatusUnsupportedMediaType, code: "http.unsupported_media_type"},
		{name: "empty body", contentType: "application/json", body: ``,
			status: http.StatusBadRequest, code: "http.body_required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/api/widgets", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.contentType)
			res := f.serve(t, r)
			p := decodeProblem(t, res, tt.status, tt.code)
			got := map[string]any{}
			for _, fe := range p.Errors {
				if fe.Message == "" {
					t.Errorf("field error at %q has no message", fe.Location)
				}
				got[fe.Location] = fe.Value
			}
			if len(got) != len(tt.fields) {
				t.Errorf("errors = %+v, want locations %v", p.Errors, tt.fields)
			}
			for loc, want := range tt.fields {
				v, ok := got[loc]
				if !ok || v != want {
					t.Errorf("errors[%s] = %v (present %v), want value %v", loc, v, ok, want)
				}
			}
			if bytes.Contains(readBody(t, res), []byte(secret)) {
				t.Errorf("problem echoes the request's secret: %s", readBody(t, res))
			}
		})
	}
}

func TestHumaValidRequest(t *testing.T) {
	t.Parallel()
	f := setup(t)
	r := httptest.NewRequest(http.MethodPost, "/api/widgets", strings.NewReader(`{"name":"sprocket"}`))
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	res := f.serve(t, r)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("status = %d, body %s", res.StatusCode, readBody(t, res))
	}
	var body map[string]any
	if err := json.Unmarshal(readBody(t, res), &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"id": "wdg_1", "name": "sprocket"}
	if len(body) != len(want) || body["id"] != want["id"] || body["name"] != want["name"] {
		t.Errorf("body = %v, want exactly %v (no $schema link)", body, want)
	}
}

func TestHandlerErrors(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		id         string
		status     int
		code       string
		detail     string
		retryAfter string
		fields     []fieldError
	}{
		{id: "missing", status: http.StatusNotFound, code: "widgets.not_found", detail: "The widget does not exist."},
		{id: "taken", status: http.StatusConflict, code: "widgets.name_taken", detail: "The name is taken."},
		{id: "busy", status: http.StatusTooManyRequests, code: "widgets.rate_limited", detail: "Slow down.", retryAfter: "30"},
		{id: "down", status: http.StatusServiceUnavailable, code: "widgets.unavailable", detail: "Widgets are resting.", retryAfter: "5"},
		{id: "bad", status: http.StatusUnprocessableEntity, code: "widgets.invalid", detail: "The widget is invalid.",
			fields: []fieldError{{Location: "body.name", Code: "taken", Message: "is taken"}}},
		{id: "boom", status: http.StatusInternalServerError, code: "internal", detail: "An unexpected error occurred."},
		{id: "internal", status: http.StatusInternalServerError, code: "internal", detail: "An unexpected error occurred."},
		{id: "panic", status: http.StatusInternalServerError, code: "internal", detail: "An unexpected error occurred."},
	}
	// A handler's returned error, a plain handler's WriteProblem and a
	// middleware's WriteError answer alike.
	for _, prefix := range []string{"/api/widgets/", "/plain/", "/api/gated/"} {
		for _, tt := range tests {
			t.Run(prefix+tt.id, func(t *testing.T) {
				t.Parallel()
				res := f.get(t, prefix+tt.id)
				p := decodeProblem(t, res, tt.status, tt.code)
				if p.Detail != tt.detail {
					t.Errorf("detail = %q, want %q", p.Detail, tt.detail)
				}
				if got := res.Header.Get("Retry-After"); got != tt.retryAfter {
					t.Errorf("Retry-After = %q, want %q", got, tt.retryAfter)
				}
				if !slices.Equal(p.Errors, tt.fields) {
					t.Errorf("errors = %+v, want %+v", p.Errors, tt.fields)
				}
				if body := readBody(t, res); bytes.Contains(body, []byte(secret)) {
					t.Errorf("the cause leaked into the response: %s", body)
				}
			})
		}
	}
}

func TestHumaStatusErrorFromHandler(t *testing.T) {
	t.Parallel()
	f := setup(t)
	p := decodeProblem(t, f.get(t, "/api/widgets/huma"), http.StatusConflict, "http.conflict")
	if p.Detail != "Already there." {
		t.Errorf("detail = %q", p.Detail)
	}
}

func TestInternalErrorsAreLoggedWithRequestID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, msg, attr string
	}{
		{"/api/widgets/boom", "internal error", "error"},
		{"/plain/internal", "internal error", "error"},
		{"/api/gated/boom", "internal error", "error"},
		{"/api/gated/internal", "internal error", "error"},
		{"/api/widgets/panic", "panic", "panic"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			res := f.get(t, tt.path)
			id := res.Header.Get("X-Request-Id")
			entries := f.logs.find(t, tt.msg)
			if len(entries) != 1 {
				t.Fatalf("%d %q log entries, want 1: %v", len(entries), tt.msg, f.logs.entries(t))
			}
			e := entries[0]
			if e["request_id"] != id || e["level"] != "ERROR" {
				t.Errorf("entry %v: want level ERROR and request_id %q", e, id)
			}
			if cause, _ := e[tt.attr].(string); !strings.Contains(cause, secret) {
				t.Errorf("%s = %q, want the cause", tt.attr, cause)
			}
			if tt.msg == "panic" {
				if stack, _ := e["stack"].(string); !strings.Contains(stack, "goroutine") {
					t.Errorf("panic logged without a stack: %v", e)
				}
			}
		})
	}
}

func TestPanicAfterResponseStartedAbortsInsteadOfWritingTwice(t *testing.T) {
	t.Parallel()
	f := setup(t)
	srv := httptest.NewServer(f.handler)
	t.Cleanup(srv.Close)

	res, err := srv.Client().Get(srv.URL + "/stream-then-panic")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want the 200 already sent", res.StatusCode)
	}
	body, err := io.ReadAll(res.Body)
	if err == nil {
		t.Fatalf("read a complete body %q; want the connection aborted", body)
	}
	if string(body) != "partial" {
		t.Errorf("body = %q, want only what the handler wrote", body)
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		limit   int64
		path    string
		size    int
		chunked bool
		method  string // POST, or PUT for /files
		status  int
	}{
		{name: "huma op, Content-Length over 1 MiB", path: "/api/widgets", size: 1 << 20, status: http.StatusRequestEntityTooLarge},
		{name: "huma op, chunked over 1 MiB", path: "/api/widgets", size: 1 << 20, chunked: true, status: http.StatusRequestEntityTooLarge},
		{name: "huma op, chunked over a smaller limit", limit: 1024, path: "/api/widgets", size: 2048, chunked: true, status: http.StatusRequestEntityTooLarge},
		{name: "huma op, under the limit", limit: 1024, path: "/api/widgets", size: 10, status: http.StatusCreated},
		{name: "plain handler, Content-Length over 1 MiB", path: "/upload", size: 1 << 20, status: http.StatusRequestEntityTooLarge},
		{name: "plain handler, chunked over 1 MiB", path: "/upload", size: 1 << 20, chunked: true, status: http.StatusRequestEntityTooLarge},
		{name: "plain handler, under the limit", path: "/upload", size: 1 << 19, chunked: true, status: http.StatusOK},
		{name: "upload route, over the router's limit", path: "/files/a", size: 2 << 20, status: http.StatusOK},
		{name: "upload route, chunked over the router's limit", path: "/files/a", size: 2 << 20, chunked: true, status: http.StatusOK},
		{name: "upload route, Content-Length over its own", path: "/files/a", size: 3<<20 + 1, status: http.StatusRequestEntityTooLarge},
		{name: "upload route, chunked over its own", path: "/files/a", size: 3<<20 + 1, chunked: true, status: http.StatusRequestEntityTooLarge},
		{name: "upload route's path, another method", path: "/files/a", method: http.MethodPost, size: 2 << 20, chunked: true, status: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, func(c *web.Config) { c.MaxBodyBytes = tt.limit })
			var body io.Reader = strings.NewReader(bigBody(tt.size))
			if tt.chunked {
				body = io.MultiReader(body) // hides the length
			}
			method := tt.method
			if method == "" {
				method = http.MethodPost
				if strings.HasPrefix(tt.path, "/files/") {
					method = http.MethodPut
				}
			}
			r := httptest.NewRequest(method, tt.path, body)
			r.Header.Set("Content-Type", "application/json")
			res := f.serve(t, r)
			if tt.status != http.StatusRequestEntityTooLarge {
				if res.StatusCode != tt.status {
					t.Fatalf("status = %d, want %d: %s", res.StatusCode, tt.status, readBody(t, res))
				}
				return
			}
			decodeProblem(t, res, tt.status, "http.body_too_large")
		})
	}
}

func TestProblemFromOutsideARequest(t *testing.T) {
	t.Parallel()
	p := web.ProblemFrom(t.Context(), web.ProblemFrom(t.Context(), errNotFound))
	if p.Status != http.StatusNotFound || p.Code != "widgets.not_found" || p.RequestID != "" {
		t.Errorf("got %+v", p)
	}
	if p.GetStatus() != http.StatusNotFound || p.ContentType("application/json") != "application/problem+json" {
		t.Errorf("huma interfaces: status %d, content type %q", p.GetStatus(), p.ContentType("application/json"))
	}
}

var errNotFound = widgetErr("missing")

// TestProblemExtensions: a kernel error's Extra are members of the
// problem, after the standard ones, which they cannot replace; 402 is the
// payment-required kind's status.
func TestProblemExtensions(t *testing.T) {
	t.Parallel()
	err := kernel.PaymentRequired("billing.subscription_required", "Upgrade.").
		WithExtra("plans", []string{"pro", "business"}).WithExtra("code", "forged")
	p := web.ProblemFrom(context.Background(), err)
	b, jerr := json.Marshal(p)
	if jerr != nil {
		t.Fatal(jerr)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if p.Status != 402 || got["code"] != "billing.subscription_required" || fmt.Sprint(got["plans"]) != "[pro business]" {
		t.Errorf("problem = %s", b)
	}
}

// FieldsIn puts a use case's bare field names where huma puts its own,
// leaves qualified ones and other errors alone, and never changes the
// error it was given.
func TestFieldsIn(t *testing.T) {
	t.Parallel()
	in := kernel.Invalid("x.bad", "Bad.", kernel.FieldError{Field: "name", Code: "required"}, kernel.FieldError{Field: "body.slug", Code: "taken"})
	out := kernel.AsError(web.BodyFields(in))
	if out.Code != "x.bad" || out.Fields[0].Field != "body.name" || out.Fields[1].Field != "body.slug" {
		t.Fatalf("BodyFields = %+v", out)
	}
	if in.Fields[0].Field != "name" {
		t.Fatal("the original error was changed")
	}
	if q := kernel.AsError(web.FieldsIn("query.", in)); q.Fields[0].Field != "query.name" {
		t.Fatalf("FieldsIn(query.) = %+v", q)
	}
	other := kernel.NotFound("x.none", "None.")
	if web.BodyFields(other) != error(other) || web.BodyFields(nil) != nil {
		t.Fatal("other errors must pass through")
	}
}
