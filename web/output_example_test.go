package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

// A handler that calls one use case ends with Reply: the use case's error
// leaves as a problem, its value as JSON. The body's schema is named after
// what the output holds (Ticket here), not after Output.
func ExampleReply() {
	errNotFound := kernel.NotFound("tickets.not_found", "No such ticket.")
	subject := func(_ context.Context, id string) (string, error) {
		if id != "1" {
			return "", errNotFound
		}
		return "Printer on fire", nil
	}

	r := web.NewRouter(web.Config{Title: "Example", Version: "1"}, slog.New(slog.DiscardHandler), nil)
	api := r.API()
	type ticketPath struct {
		ID string `path:"id"`
	}
	huma.Register(api, huma.Operation{OperationID: "get-ticket", Method: http.MethodGet, Path: "/api/tickets/{id}"},
		func(ctx context.Context, in *ticketPath) (*web.Output[ticket], error) {
			v, err := subject(ctx, in.ID)
			return web.Reply(v, err, ticketJSON)
		})

	for _, path := range []string{"/api/tickets/1", "/api/tickets/2"} {
		rec := httptest.NewRecorder()
		r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			var p web.Problem
			_ = json.Unmarshal(rec.Body.Bytes(), &p)
			fmt.Println(rec.Code, p.Code)
			continue
		}
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}

	_, named := api.OpenAPI().Components.Schemas.Map()["Ticket"]
	fmt.Println(named)
	// Output:
	// 200 {"subject":"Printer on fire"}
	// 404 tickets.not_found
	// true
}
