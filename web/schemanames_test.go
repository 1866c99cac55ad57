package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/web"
)

// TestSchemaNamesNeverCollide: two modules whose output types share a Go
// name both register (huma alone panics "duplicate name" at boot); the
// first keeps the name.
func TestSchemaNamesNeverCollide(t *testing.T) {
	t.Parallel()
	rt := web.NewRouter(web.Config{Title: "t", Version: "1"}, slog.New(slog.DiscardHandler), nil)
	api := rt.API()
	registerA(api)
	registerB(api)
	schemas := api.OpenAPI().Components.Schemas.Map()
	if schemas["ListOutputBody"] == nil || schemas["ListOutputBody2"] == nil {
		names := make([]string, 0, len(schemas))
		for n := range schemas {
			names = append(names, n)
		}
		t.Fatalf("schemas = %v", names)
	}
	if _, ok := schemas["ListOutputBody"].Properties["items"]; !ok {
		t.Error("the first type lost its name")
	}
	if _, ok := schemas["ListOutputBody2"].Properties["entries"]; !ok {
		t.Error("the second type is not the numbered one")
	}
}

func registerA(api huma.API) {
	type listOutput struct {
		Body struct {
			Items []string `json:"items"`
		}
	}
	huma.Register(api, huma.Operation{OperationID: "list-a", Method: http.MethodGet, Path: "/a"},
		func(context.Context, *struct{}) (*listOutput, error) { return &listOutput{}, nil })
}

func registerB(api huma.API) {
	type listOutput struct {
		Body struct {
			Entries []int `json:"entries"`
		}
	}
	huma.Register(api, huma.Operation{OperationID: "list-b", Method: http.MethodGet, Path: "/b"},
		func(context.Context, *struct{}) (*listOutput, error) { return &listOutput{}, nil })
}
