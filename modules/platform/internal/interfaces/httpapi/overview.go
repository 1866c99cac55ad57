package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/modules/platform/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// OverviewHandler serves the platform overview.
type OverviewHandler struct {
	overview *application.Overview
}

// NewOverview returns the handler over o.
func NewOverview(o *application.Overview) *OverviewHandler { return &OverviewHandler{overview: o} }

// RegisterAdmin mounts GET /api/v1/platform/overview on the platform's
// admin API.
func (h *OverviewHandler) RegisterAdmin(a *web.Admin) {
	api := a.API()
	op := web.Op("get-platform-overview", http.MethodGet, "/overview", web.AdminTag,
		"Read the platform overview",
		"The platform at a glance: users (total, verified, signed in within 7 and 30 days, sign-ups per day), "+
			"organizations (total, created per day), background jobs by state, and one more key per module that "+
			"contributes a section. Per-day series hold the last 30 UTC dates, today included, oldest first, zeros "+
			"filled in. Every section is read at generatedAt; if one cannot be read, the request fails.",
		http.StatusInternalServerError)
	// The body is assembled from the sections as bytes (overviewJSON):
	// document its fixed part; the sections are the modules'.
	op.Responses = map[string]*huma.Response{"200": {
		Description: "The overview.",
		Content: map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{
			Type:     huma.TypeObject,
			Required: []string{application.GeneratedAtKey},
			Properties: map[string]*huma.Schema{
				application.GeneratedAtKey: {Type: huma.TypeString, Format: "date-time", Description: "When the overview was read (RFC 3339, UTC)."},
			},
			AdditionalProperties: true,
			Description:          "generatedAt, then one key per section, in the order the sections were added: users, organizations, jobs, then the modules'.",
		}}},
	}}
	huma.Register(api, op, h.read)
}

type overviewOutput struct {
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

func (h *OverviewHandler) read(ctx context.Context, _ *struct{}) (*overviewOutput, error) {
	report, err := h.overview.Read(ctx)
	if err != nil {
		return nil, err
	}
	body, err := overviewJSON(report)
	if err != nil {
		return nil, err
	}
	return &overviewOutput{ContentType: "application/json", CacheControl: "no-store", Body: body}, nil
}

// overviewJSON encodes the report as one object: generatedAt, then each
// section under its key, in the report's order (a map would sort them).
func overviewJSON(r application.OverviewReport) ([]byte, error) {
	b := make([]byte, 0, 4096)
	b = append(b, `{"`+application.GeneratedAtKey+`":`...)
	b = web.AppendJSONTime(b, r.GeneratedAt)
	for _, s := range r.Sections {
		v, err := json.Marshal(s.Value)
		if err != nil {
			return nil, fmt.Errorf("encode overview section %s: %w", s.Key, err)
		}
		b = append(b, ',')
		b = web.AppendJSONString(b, s.Key)
		b = append(b, ':')
		b = append(b, v...)
	}
	return append(b, '}'), nil
}
