// Package httpapi is usage's HTTP surface: GET /api/usage, where the
// active organization stands on every meter, and GET
// /api/usage/{meter}/history, a meter's closed windows, for holders of
// usage:read.
package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/application"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

const tag = "Usage"

// PermRead is the permission both routes check; owners and admins hold it.
const PermRead = "usage:read"

// Handler serves usage's routes.
type Handler struct {
	svc *application.Service
}

// New returns a Handler over the use cases.
func New(svc *application.Service) *Handler { return &Handler{svc: svc} }

// Register mounts the routes on r.
func (h *Handler) Register(r *web.Router) {
	api := r.API()
	huma.Register(api, web.PermissionOp(api, PermRead, "list-usage", http.MethodGet, "/api/usage", tag,
		"Get the organization's usage",
		"Every meter with what the active organization's current window counts, the plan's limit (-1 unlimited, "+
			"0 not on the plan), what is left and when the window starts again (null for a lifetime meter)."), h.list)
	huma.Register(api, web.PermissionOp(api, PermRead, "get-usage-history", http.MethodGet, "/api/usage/{meter}/history", tag,
		"Get a meter's history",
		"The active organization's closed windows of the meter that overlap [from, to), newest first. "+
			"An unknown meter is 404 usage.unknown_meter; from after to is 422 usage.invalid_range.",
		http.StatusNotFound, http.StatusUnprocessableEntity), h.history)
}

// MeterUsage is where the organization stands on one meter.
type MeterUsage struct {
	Meter       string     `json:"meter" doc:"The meter's key." example:"tickets_created"`
	Description string     `json:"description"`
	Unit        string     `json:"unit" example:"tickets"`
	Window      string     `json:"window" enum:"lifetime,monthly,yearly"`
	Used        int64      `json:"used" doc:"What the current window counts."`
	Limit       int64      `json:"limit" doc:"The cap in force (the plan's, or one a platform admin set for the organization): -1 unlimited, 0 not on the plan."`
	Remaining   int64      `json:"remaining" doc:"What the cap leaves: -1 unlimited."`
	WindowStart *time.Time `json:"windowStart" doc:"When the current window began; null for a lifetime meter."`
	ResetsAt    *time.Time `json:"resetsAt" doc:"When the count starts again; null for a lifetime meter."`
	Enforced    bool       `json:"enforced" doc:"Whether the limit is enforced (USAGE_METERING_ENABLED)."`
}

func usageJSON(s application.Status) MeterUsage {
	out := MeterUsage{
		Meter: s.Meter.Key, Description: s.Meter.Description, Unit: s.Meter.Unit, Window: s.Meter.Window.String(),
		Used: s.Used, Limit: s.Limit, Remaining: s.Remaining, Enforced: s.Enforced,
	}
	if s.Meter.Window != domain.Lifetime {
		start, resets := s.WindowStart, s.ResetsAt
		out.WindowStart, out.ResetsAt = &start, &resets
	}
	return out
}

// org is the active organization (the permission gate has checked it).
func org(ctx context.Context) (kernel.OrganizationID, error) {
	o, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return kernel.OrganizationID{}, kernel.ErrNoActiveOrganization
	}
	return o.OrganizationID, nil
}

func (h *Handler) list(ctx context.Context, _ *struct{}) (*web.ItemsOutput[MeterUsage], error) {
	o, err := org(ctx)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.List(ctx, o)
	return web.ReplyItems(list, err, usageJSON)
}

type historyInput struct {
	Meter string    `path:"meter" maxLength:"64" doc:"The meter's key."`
	From  time.Time `query:"from" doc:"Only windows that end after this time (RFC 3339)."`
	To    time.Time `query:"to" doc:"Only windows that begin before this time (RFC 3339)."`
	Limit int       `query:"limit" minimum:"1" maximum:"1000" default:"100" doc:"At most this many windows, the newest."`
}

// UsageWindow is one closed window of a meter.
type UsageWindow struct {
	WindowStart time.Time `json:"windowStart"`
	WindowEnd   time.Time `json:"windowEnd"`
	Used        int64     `json:"used" doc:"What the window counted."`
	Limit       int64     `json:"limit" doc:"The plan's cap at the window's last increment: -1 unlimited, 0 not on the plan."`
}

func windowJSON(c domain.Closed) UsageWindow {
	return UsageWindow{WindowStart: c.WindowStart, WindowEnd: c.WindowEnd, Used: c.Used, Limit: c.Cap}
}

func (h *Handler) history(ctx context.Context, in *historyInput) (*web.ItemsOutput[UsageWindow], error) {
	o, err := org(ctx)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.History(ctx, o, in.Meter, in.From, in.To, in.Limit)
	return web.ReplyItems(list, err, windowJSON)
}
