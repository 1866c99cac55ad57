package web_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

// TestGates: the one set of access gates answers the same codes for every
// module — 401 UNAUTHORIZED, 403 tenancy.no_active_organization,
// tenancy.forbidden, and platform.forbidden / platform.impersonating behind an
// Admin — before any input is read, as a huma middleware and as a plain
// handler's.
func TestGates(t *testing.T) {
	t.Parallel()
	rt := web.NewRouter(web.Config{Title: "t", Version: "1"}, slog.New(slog.DiscardHandler), nil)
	// X-User, X-Org, X-Grants and X-Admin stand in for the session and
	// organization middlewares.
	rt.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if r.Header.Get("X-User") != "" {
				p := kernel.Principal{UserID: kernel.NewID[kernel.UserKind](), PlatformAdmin: r.Header.Get("X-Admin") != ""}
				if r.Header.Get("X-Impersonator") != "" {
					p.ImpersonatorID = kernel.NewID[kernel.UserKind]()
				}
				ctx = kernel.WithPrincipal(ctx, p)
			}
			if r.Header.Get("X-Org") != "" {
				ctx = kernel.WithOrganization(ctx, kernel.OrganizationContext{
					OrganizationID: kernel.NewID[kernel.OrganizationKind](), Grants: strings.Split(r.Header.Get("X-Grants"), ","),
				})
			}
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	})
	api := rt.API()
	type in struct {
		Body struct {
			N int `json:"n" minimum:"1"`
		}
	}
	ok := func(context.Context, *in) (*struct{}, error) { return nil, nil }
	// The gates as the operations of every module declare them (web.UserOp,
	// PermissionOp), which also document what they answer.
	for path, tt := range map[string]struct {
		op   huma.Operation
		errs []int
	}{
		"/user": {web.UserOp(api, "op-user", http.MethodPost, "/user", "t", "s", "d"), []int{401}},
		"/perm": {web.PermissionOp(api, "widgets:read", "op-perm", http.MethodPost, "/perm", "t", "s", "d", 422), []int{401, 403, 422}},
	} {
		if !slices.Equal(tt.op.Errors, tt.errs) || len(tt.op.Middlewares) != 1 || tt.op.Path != path {
			t.Errorf("%s: operation documents %v with %d middlewares, want %v and the gate", path, tt.op.Errors, len(tt.op.Middlewares), tt.errs)
		}
		huma.Register(api, tt.op, ok)
	}
	// Admin routes: relative paths under /api/v1/platform, behind the gate.
	admin := web.NewAdmin(rt, func(ctx context.Context) error { _, err := kernel.RequirePlatformAdmin(ctx); return err })
	huma.Register(admin.API(), web.Op("op-admin", http.MethodPost, "/admin", "t", "s", "d", 422), ok)
	admin.Handle("POST /plain-admin", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	rt.Handle("POST /plain-perm", web.RequirePermissionHandler("widgets:read")(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	h := rt.Handler()
	for _, tt := range []struct {
		path    string
		headers []string
		status  int
		code    string
	}{
		{"/user", nil, 401, "UNAUTHORIZED"},
		{"/user", []string{"X-User", "1"}, 204, ""},
		{"/perm", nil, 401, "UNAUTHORIZED"},
		{"/perm", []string{"X-User", "1"}, 403, "tenancy.no_active_organization"},
		{"/perm", []string{"X-User", "1", "X-Org", "1", "X-Grants", "widgets:write"}, 403, "tenancy.forbidden"},
		{"/perm", []string{"X-User", "1", "X-Org", "1", "X-Grants", "widgets:*"}, 204, ""},
		{"/plain-perm", []string{"X-User", "1"}, 403, "tenancy.no_active_organization"},
		{"/plain-perm", []string{"X-User", "1", "X-Org", "1", "X-Grants", "widgets:read"}, 204, ""},
		{"/api/v1/platform/admin", nil, 401, "UNAUTHORIZED"},
		{"/api/v1/platform/admin", []string{"X-User", "1"}, 403, "platform.forbidden"},
		{"/api/v1/platform/admin", []string{"X-User", "1", "X-Admin", "1", "X-Impersonator", "1"}, 403, "platform.impersonating"},
		{"/api/v1/platform/admin", []string{"X-User", "1", "X-Admin", "1"}, 204, ""},
		{"/api/v1/platform/plain-admin", []string{"X-User", "1"}, 403, "platform.forbidden"},
		{"/api/v1/platform/plain-admin", []string{"X-User", "1", "X-Admin", "1"}, 204, ""},
		{"/admin", []string{"X-User", "1", "X-Admin", "1"}, 404, "http.not_found"},
	} {
		// A refused caller's body is invalid: the gate answers first, and
		// the caller does not learn it.
		body := `{"n":1}`
		if tt.status != 204 {
			body = `{"n":0}`
		}
		r := httptest.NewRequest(http.MethodPost, tt.path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(tt.headers); i += 2 {
			r.Header.Set(tt.headers[i], tt.headers[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var p web.Problem
		_ = json.Unmarshal(rec.Body.Bytes(), &p)
		if rec.Code != tt.status || p.Code != tt.code {
			t.Errorf("%s %v: %d %s; want %d %s", tt.path, tt.headers, rec.Code, rec.Body, tt.status, tt.code)
		}
	}
}

// TestPageFormsPassTheOriginCheck: a page's own form post, as browsers
// send it from a page whose referrer policy is same-origin — the real
// Origin, with or without Sec-Fetch-Site — passes with the session cookie.
func TestPageFormsPassTheOriginCheck(t *testing.T) {
	t.Parallel()
	rt := web.NewRouter(web.Config{Title: "t", Version: "1"}, slog.New(slog.DiscardHandler), nil)
	rt.Handle("POST /invitations/{token}", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	for _, fetchSite := range []string{"same-origin", ""} {
		r := httptest.NewRequest(http.MethodPost, "http://example.com/invitations/tok", strings.NewReader("action=accept"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Cookie", "groundwork.session_token=x")
		r.Header.Set("Origin", "http://example.com")
		if fetchSite != "" {
			r.Header.Set("Sec-Fetch-Site", fetchSite)
		}
		rec := httptest.NewRecorder()
		rt.Handler().ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			t.Errorf("Sec-Fetch-Site %q: %d %s", fetchSite, rec.Code, rec.Body)
		}
	}
	p := web.NewPage(`{{define "title"}}x{{end}}{{define "content"}}x{{end}}`)
	rec := httptest.NewRecorder()
	p.Write(rec, http.StatusOK, nil)
	if !strings.Contains(rec.Body.String(), `<meta name="referrer" content="same-origin">`) {
		t.Error("the page shell's referrer policy is not same-origin")
	}
}

// TestAdminDocumentsTheGate: an admin operation's OpenAPI responses name
// the gate's 401 and 403 with the problem schema, besides its own.
func TestAdminDocumentsTheGate(t *testing.T) {
	t.Parallel()
	rt := web.NewRouter(web.Config{Title: "t", Version: "1"}, slog.New(slog.DiscardHandler), nil)
	admin := web.NewAdmin(rt, func(context.Context) error { return nil })
	huma.Register(admin.API(), web.Op("op-doc", http.MethodGet, "/doc", "t", "s", "d", http.StatusNotFound),
		func(context.Context, *struct{}) (*struct{}, error) { return nil, nil })
	op := rt.API().OpenAPI().Paths["/api/v1/platform/doc"].Get
	if op == nil {
		t.Fatal("the operation is not in the document under the prefix")
	}
	for _, code := range []string{"401", "403", "404", "500"} {
		r, ok := op.Responses[code]
		if !ok || r.Content["application/problem+json"] == nil {
			t.Errorf("response %s = %+v", code, r)
		}
	}
	if !strings.HasSuffix(op.Description, "Platform admins only.") {
		t.Errorf("description = %q", op.Description)
	}
}
