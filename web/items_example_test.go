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

	"github.com/groundworkhq/groundwork/web"
)

// ticket is a ticket as the example's API shows it, declared at package
// level so that the schema of Items[ticket] is named ItemsTicket.
type ticket struct {
	Subject string `json:"subject"`
}

func ticketJSON(subject string) ticket { return ticket{Subject: subject} }

// A list answered in one piece: the use case's values mapped to what the
// API shows, under "items". The body's schema is named after the element
// type.
func ExampleItemsOf() {
	subjects := func(context.Context) ([]string, error) { return []string{"Printer on fire", "VPN down"}, nil }

	r := web.NewRouter(web.Config{Title: "Example", Version: "1"}, slog.New(slog.DiscardHandler), nil)
	api := r.API()
	huma.Register(api, huma.Operation{OperationID: "list-tickets", Method: http.MethodGet, Path: "/api/tickets"},
		func(ctx context.Context, _ *struct{}) (*web.ItemsOutput[ticket], error) {
			list, err := subjects(ctx)
			if err != nil {
				return nil, err
			}
			return web.ItemsOf(list, ticketJSON), nil
		})

	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/tickets", nil))
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))

	// Nothing to list is an empty list, not null.
	empty, _ := json.Marshal(web.ItemsOf([]string(nil), ticketJSON).Body)
	fmt.Println(string(empty))

	_, named := api.OpenAPI().Components.Schemas.Map()["ItemsTicket"]
	fmt.Println(named)
	// Output:
	// 200 {"items":[{"subject":"Printer on fire"},{"subject":"VPN down"}]}
	// {"items":[]}
	// true
}
