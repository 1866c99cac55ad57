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

// A module's platform administration goes on the one Admin the platform
// module builds (a module receives it in AdminRoutes): paths are relative
// to /api/v1/platform, and the gate answers before any input is read.
func ExampleNewAdmin() {
	r := web.NewRouter(web.Config{Title: "Example", Version: "1"}, slog.New(slog.DiscardHandler), nil)
	admin := web.NewAdmin(r, func(ctx context.Context) error { // the platform module's gate
		_, err := kernel.RequirePlatformAdmin(ctx)
		return err
	})
	huma.Register(admin.API(), web.Op("ticket-stats", http.MethodGet, "/tickets/stats", "Tickets",
		"Ticket statistics", "Open tickets across organizations."),
		func(context.Context, *struct{}) (*struct{}, error) { return &struct{}{}, nil })

	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/platform/tickets/stats", nil))
	fmt.Println(rec.Code)
	// Output: 401
}
