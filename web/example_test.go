package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

// A typed operation behind the one permission gate: 401 without a user,
// 403 without the permission in the active organization, then the
// handler. Errors a handler returns are problems with stable codes.
func ExampleRequirePermission() {
	r := web.NewRouter(web.Config{Title: "Example", Version: "1"}, slog.New(slog.DiscardHandler), nil)
	api := r.API()
	type out struct {
		Body struct {
			Count int `json:"count"`
		}
	}
	huma.Register(api, huma.Operation{
		OperationID: "count-tickets", Method: http.MethodGet, Path: "/api/tickets/count",
		Middlewares: huma.Middlewares{web.RequirePermission(api, "tickets:read")},
	}, func(ctx context.Context, _ *struct{}) (*out, error) {
		o := &out{}
		o.Body.Count = 3
		return o, nil
	})
	// iam's and tenancy's middlewares put these in a real request.
	signedIn := func(grants ...string) context.Context {
		ctx := kernel.WithPrincipal(context.Background(), kernel.Principal{UserID: kernel.NewID[kernel.UserKind]()})
		return kernel.WithOrganization(ctx, kernel.OrganizationContext{OrganizationID: kernel.NewID[kernel.OrganizationKind](), Grants: grants})
	}
	for _, ctx := range []context.Context{context.Background(), signedIn("members:read"), signedIn("tickets:*")} {
		rec := httptest.NewRecorder()
		r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/tickets/count", nil).WithContext(ctx))
		fmt.Println(rec.Code)
	}
	// Output:
	// 401
	// 403
	// 200
}
