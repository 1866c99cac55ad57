package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/web"
)

// An operation states its ID, path, tag and docs once, and its gate with
// the Op variant: UserOp for signed-in users, PermissionOp for a
// permission in the active organization (platform administration is an
// Admin's: see NewAdmin). The gate answers before huma reads the request,
// and the statuses it answers are documented.
func ExamplePermissionOp() {
	r := web.NewRouter(web.Config{Title: "Example", Version: "1"}, slog.New(slog.DiscardHandler), nil)
	api := r.API()
	op := web.PermissionOp(api, "tickets:read", "list-tickets", http.MethodGet, "/api/tickets", "Tickets",
		"List tickets", "The active organization's tickets.")
	huma.Register(api, op, func(context.Context, *struct{}) (*struct{}, error) { return &struct{}{}, nil })

	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/tickets", nil))
	fmt.Println(rec.Code)
	fmt.Println(op.Description)
	fmt.Println(slices.Contains(op.Errors, http.StatusForbidden))
	// Output:
	// 401
	// The active organization's tickets. Needs the tickets:read permission in the active organization.
	// true
}
