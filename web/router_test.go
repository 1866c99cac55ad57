package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

var requestIDShape = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

func TestRequestID(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name, incoming string
		kept           bool
	}{
		{"well formed", "abc-123._XYZ", true},
		{"128 characters", strings.Repeat("a", 128), true},
		{"129 characters", strings.Repeat("a", 129), false},
		{"space", "abc 123", false},
		{"non-ASCII", "héllo", false},
		{"header injection attempt", "a;b=c", false},
		{"absent", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, "/nope", nil)
			if tt.incoming != "" {
				r.Header.Set("X-Request-Id", tt.incoming)
			}
			res := f.serve(t, r)
			id := res.Header.Get("X-Request-Id")
			if tt.kept && id != tt.incoming {
				t.Errorf("X-Request-Id = %q, want the incoming %q", id, tt.incoming)
			}
			if !tt.kept && (id == tt.incoming || !requestIDShape.MatchString(id)) {
				t.Errorf("X-Request-Id = %q, want a fresh well-formed ID", id)
			}
			if p := decodeProblem(t, res, http.StatusNotFound, "http.not_found"); p.RequestID != id {
				t.Errorf("problem requestId = %q, want %q", p.RequestID, id)
			}
		})
	}
	t.Run("generated IDs differ", func(t *testing.T) {
		t.Parallel()
		a, b := f.get(t, "/healthz").Header.Get("X-Request-Id"), f.get(t, "/healthz").Header.Get("X-Request-Id")
		if a == "" || a == b {
			t.Errorf("two requests got IDs %q and %q", a, b)
		}
	})
}

func TestUseRunsInnerMiddlewaresInOrderWithRequestContext(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tag := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("X-Order", name+":"+web.RequestID(r.Context()))
				next.ServeHTTP(w, r)
			})
		}
	}
	f.router.Use(tag("first"))
	f.router.Use(tag("second"))
	h := f.router.Handler()

	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	r.Header.Set("X-Request-Id", "req-1")
	h.ServeHTTP(rec, r)
	want := []string{"first:req-1", "second:req-1"}
	if got := rec.Result().Header.Values("X-Order"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("X-Order = %v, want %v", got, want)
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name, method, origin string
		preflight            bool
		status               int
		allowed              bool
	}{
		{name: "allowed origin", method: http.MethodGet, origin: webOrigin, status: http.StatusOK, allowed: true},
		{name: "other origin", method: http.MethodGet, origin: "https://evil.example", status: http.StatusOK},
		{name: "origin differing by port", method: http.MethodGet, origin: webOrigin + ":8443", status: http.StatusOK},
		{name: "no origin", method: http.MethodGet, status: http.StatusOK},
		{name: "preflight from allowed origin", method: http.MethodOptions, origin: webOrigin, preflight: true, status: http.StatusNoContent, allowed: true},
		{name: "preflight from other origin", method: http.MethodOptions, origin: "https://evil.example", preflight: true, status: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(tt.method, "/api/widgets/w1", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.preflight {
				r.Header.Set("Access-Control-Request-Method", http.MethodPost)
				r.Header.Set("Access-Control-Request-Headers", "content-type, x-request-id")
			}
			res := f.serve(t, r)
			h := res.Header
			if tt.status == http.StatusForbidden {
				decodeProblem(t, res, http.StatusForbidden, "http.cors_origin")
			} else if res.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", res.StatusCode, tt.status)
			}
			if !tt.allowed {
				for name := range h {
					if strings.HasPrefix(name, "Access-Control-") {
						t.Errorf("unexpected %s: %q", name, h.Get(name))
					}
				}
				return
			}
			if h.Get("Access-Control-Allow-Origin") != tt.origin || h.Get("Access-Control-Allow-Credentials") != "true" {
				t.Errorf("Allow-Origin %q, Allow-Credentials %q", h.Get("Access-Control-Allow-Origin"), h.Get("Access-Control-Allow-Credentials"))
			}
			if !hasToken(h.Values("Vary"), "Origin") {
				t.Errorf("Vary = %v, want Origin", h.Values("Vary"))
			}
			if tt.preflight {
				for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
					if !hasToken(h.Values("Access-Control-Allow-Methods"), m) {
						t.Errorf("Allow-Methods = %q, missing %s", h.Get("Access-Control-Allow-Methods"), m)
					}
				}
				if h.Get("Access-Control-Allow-Headers") != "content-type, x-request-id" || h.Get("Access-Control-Max-Age") != "600" {
					t.Errorf("Allow-Headers %q, Max-Age %q", h.Get("Access-Control-Allow-Headers"), h.Get("Access-Control-Max-Age"))
				}
				return
			}
			for _, exposed := range []string{"X-Request-Id", "Retry-After", "ETag"} {
				if !hasToken(h.Values("Access-Control-Expose-Headers"), exposed) {
					t.Errorf("Expose-Headers = %q, missing %s", h.Get("Access-Control-Expose-Headers"), exposed)
				}
			}
		})
	}
}

func hasToken(values []string, token string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(part), token) {
				return true
			}
		}
	}
	return false
}

func TestCrossOriginProtection(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name, path, origin, fetchSite, fetchMode, cookie string
		status                                           int
		code                                             string
	}{
		{name: "cross-site browser POST", path: "/upload", origin: "https://evil.example", fetchSite: "cross-site", status: http.StatusForbidden},
		{name: "cookie without Origin or Sec-Fetch-Site", path: "/upload", cookie: "s=1", status: http.StatusForbidden, code: "MISSING_OR_NULL_ORIGIN"},
		{name: "cookie with Origin null", path: "/upload", origin: "null", cookie: "s=1", status: http.StatusForbidden, code: "MISSING_OR_NULL_ORIGIN"},
		{name: "cookie, same-origin Sec-Fetch-Site only", path: "/upload", fetchSite: "same-origin", cookie: "s=1", status: http.StatusOK},
		{name: "cookie, same Origin", path: "/upload", origin: "http://example.com", cookie: "s=1", status: http.StatusOK},
		{name: "cross-site form to sign-in", path: "/api/auth/sign-in/email", origin: "https://evil.example", fetchSite: "cross-site", fetchMode: "navigate", status: http.StatusForbidden, code: "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"},
		{name: "webhook with a cookie and no Origin", path: "/webhooks/stripe", cookie: "s=1", status: http.StatusNoContent},
		{name: "cross-site POST to a huma op", path: "/api/widgets", origin: "https://evil.example", fetchSite: "cross-site", status: http.StatusForbidden},
		{name: "old browser, foreign Origin", path: "/upload", origin: "https://evil.example", status: http.StatusForbidden},
		{name: "same-origin browser POST", path: "/upload", origin: "http://example.com", fetchSite: "same-origin", status: http.StatusOK},
		{name: "old browser, Origin matches Host", path: "/upload", origin: "http://example.com", status: http.StatusOK},
		{name: "non-browser POST", path: "/upload", status: http.StatusOK},
		{name: "trusted web origin", path: "/upload", origin: webOrigin, fetchSite: "same-site", status: http.StatusOK},
		{name: "trusted web origin, cross-site", path: "/upload", origin: webOrigin, fetchSite: "cross-site", status: http.StatusOK},
		{name: "webhook from anywhere", path: "/webhooks/stripe", origin: "https://evil.example", fetchSite: "cross-site", status: http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(`{"name":"sprocket"}`))
			r.Header.Set("Content-Type", "application/json")
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.fetchSite != "" {
				r.Header.Set("Sec-Fetch-Site", tt.fetchSite)
			}
			if tt.fetchMode != "" {
				r.Header.Set("Sec-Fetch-Mode", tt.fetchMode)
			}
			if tt.cookie != "" {
				r.Header.Set("Cookie", tt.cookie)
			}
			res := f.serve(t, r)
			if tt.status == http.StatusForbidden {
				code := tt.code
				if code == "" {
					code = "INVALID_ORIGIN"
				}
				decodeProblem(t, res, http.StatusForbidden, code)
				return
			}
			if res.StatusCode != tt.status {
				t.Errorf("status = %d, want %d: %s", res.StatusCode, tt.status, readBody(t, res))
			}
		})
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		path   string
		ready  func(context.Context) error
		status int
		want   string // status field, or problem detail
	}{
		{name: "healthz", path: "/healthz", status: http.StatusOK, want: "ok"},
		{name: "readyz without a check", path: "/readyz", status: http.StatusOK, want: "ready"},
		{name: "readyz ready", path: "/readyz", ready: func(context.Context) error { return nil }, status: http.StatusOK, want: "ready"},
		{name: "readyz, plain error stays private", path: "/readyz",
			ready:  func(context.Context) error { return errors.New("dial tcp 10.0.0.5:5432: " + secret) },
			status: http.StatusServiceUnavailable, want: "The service is not ready."},
		{name: "readyz, kernel error detail shown", path: "/readyz",
			ready:  func(context.Context) error { return kernel.Unavailable("db.unreachable", "database unreachable") },
			status: http.StatusServiceUnavailable, want: "database unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, func(c *web.Config) { c.ReadyFunc = tt.ready })
			res := f.get(t, tt.path)
			if tt.status != http.StatusOK {
				p := decodeProblem(t, res, tt.status, "http.not_ready")
				if p.Detail != tt.want {
					t.Errorf("detail = %q, want %q", p.Detail, tt.want)
				}
				if strings.Contains(string(readBody(t, res)), secret) {
					t.Errorf("readiness error leaked: %s", readBody(t, res))
				}
				if len(f.logs.find(t, "not ready")) != 1 {
					t.Errorf("readiness failure not logged: %v", f.logs.entries(t))
				}
				return
			}
			var body map[string]string
			if err := json.Unmarshal(readBody(t, res), &body); err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("status %d, decode: %v", res.StatusCode, err)
			}
			if len(body) != 1 || body["status"] != tt.want {
				t.Errorf("body = %v, want status %q", body, tt.want)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.get(t, "/api/widgets/w1")
	f.get(t, "/api/widgets/w2")
	f.get(t, "/api/widgets/missing")
	f.get(t, "/no/such/route")
	f.get(t, "/api/widgets/panic")

	res := f.get(t, "/metrics")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", res.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	counts := map[string]float64{}
	for _, m := range families["http_requests_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		counts[labels["route"]+"|"+labels["method"]+"|"+labels["status"]] = m.GetCounter().GetValue()
	}
	want := map[string]float64{
		"GET /api/widgets/{id}|GET|200": 2,
		"GET /api/widgets/{id}|GET|404": 1,
		"GET /api/widgets/{id}|GET|500": 1,
		"unmatched|GET|404":             1,
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("http_requests_total{%s} = %v, want %v (all: %v)", k, counts[k], v, counts)
		}
	}
	hist := families["http_request_duration_seconds"]
	if hist == nil || len(hist.GetMetric()) == 0 || hist.GetMetric()[0].GetHistogram().GetSampleCount() == 0 {
		t.Errorf("http_request_duration_seconds missing or empty: %v", hist)
	}
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.get(t, "/api/widgets/missing")
	entries := f.logs.find(t, "http request")
	if len(entries) != 1 {
		t.Fatalf("%d access log lines, want 1", len(entries))
	}
	e := entries[0]
	want := map[string]any{
		"method": "GET", "path": "/api/widgets/missing", "route": "GET /api/widgets/{id}",
		"status": float64(404), "request_id": res.Header.Get("X-Request-Id"),
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("%s = %v, want %v", k, e[k], v)
		}
	}
	if b, _ := e["bytes"].(float64); b <= 0 {
		t.Errorf("bytes = %v", e["bytes"])
	}
	if _, ok := e["duration"].(float64); !ok {
		t.Errorf("duration = %v", e["duration"])
	}
}

func TestOpenAPI(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.get(t, "/api/openapi.json")
	var spec struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title, Version string
		} `json:"info"`
		Paths map[string]map[string]struct {
			OperationID string                                      `json:"operationId"`
			Responses   map[string]struct{ Content map[string]any } `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(readBody(t, res), &spec); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, decode: %v", res.StatusCode, err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.1") || spec.Info.Title != "Test API" || spec.Info.Version != "1.2.3" {
		t.Errorf("openapi %q, info %+v", spec.OpenAPI, spec.Info)
	}
	op := spec.Paths["/api/widgets"]["post"]
	if op.OperationID != "create-widget" {
		t.Fatalf("paths[/api/widgets].post.operationId = %q", op.OperationID)
	}
	if _, ok := op.Responses["default"].Content["application/problem+json"]; !ok {
		t.Errorf("default error response = %+v, want application/problem+json", op.Responses["default"])
	}
	for _, hidden := range []string{"/openapi.json", "/docs", "/schemas/{schema}"} {
		if r := f.get(t, hidden); r.StatusCode != http.StatusNotFound {
			t.Errorf("huma's default route %s answers %d", hidden, r.StatusCode)
		}
	}
}

func TestDocsPageIsSelfContained(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.get(t, "/api/docs")
	page := string(readBody(t, res))
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	external := regexp.MustCompile(`(?i)(\b(src|href)\s*=\s*["']?\s*(https?:)?//|@import|url\(\s*["']?(https?:)?//)`)
	if m := external.FindString(page); m != "" {
		t.Errorf("page loads something remote: %q", m)
	}
	script := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindStringSubmatch(page)
	if script == nil || !strings.Contains(script[1], "openapi.json") {
		t.Fatal("no inline script fetching openapi.json")
	}
	sum := sha256.Sum256([]byte(script[1]))
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q does not pin the inline script by hash", csp)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		origin string
		ok     bool
	}{
		{"https://app.example", true},
		{"http://localhost:3000", true},
		{"https://app.example/", false},
		{"https://app.example/path", false},
		{"HTTPS://APP.example", false},
		{"app.example", false},
		{"ftp://app.example", false},
		{"*", false},
	}
	for _, tt := range tests {
		err := web.Config{WebOrigins: []string{tt.origin}}.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("Validate(%q) = %v, want ok=%v", tt.origin, err, tt.ok)
		}
	}
}

// TestAddLogAttrs: attributes a middleware learns (user_id) reach the
// handler's logger and the access log line, which is written outside that
// middleware.
func TestAddLogAttrs(t *testing.T) {
	t.Parallel()
	f := setup(t, func(*web.Config) {})
	f.router.Handle("GET /whoami", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		web.Logger(r.Context()).Info("handler line")
	}))
	f.router.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			web.AddLogAttrs(r.Context(), slog.String("user_id", "usr_test"))
			next.ServeHTTP(w, r)
		})
	})
	h := f.router.Handler()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/whoami", nil))
	for _, msg := range []string{"handler line", "http request"} {
		entries := f.logs.find(t, msg)
		if len(entries) != 1 || entries[0]["user_id"] != "usr_test" {
			t.Errorf("%q lines = %v, want one with user_id=usr_test", msg, entries)
		}
	}
}
