package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

const adminTag = "Platform: usage"

// RegisterAdmin mounts usage's platform administration on a: an
// organization's meters, their overrides and counter resets.
func (h *Handler) RegisterAdmin(a *web.Admin) {
	api := a.API()
	huma.Register(api, web.Op("get-platform-organization-usage", http.MethodGet, "/usage/organizations/{organizationId}", adminTag,
		"Get an organization's usage", "Every meter with what the current window counts, the cap in force, the plan's and the override.",
		http.StatusNotFound), h.adminGet)
	huma.Register(api, web.Op("set-usage-override", http.MethodPut, "/usage/organizations/{organizationId}/overrides/{meter}", adminTag,
		"Set an organization's cap of a meter", "In place of its plan's, from the next increment on; what the window counted stays. Recorded in the audit log with the reason.",
		http.StatusNotFound, http.StatusUnprocessableEntity), h.adminSetOverride)
	clear := web.Op("clear-usage-override", http.MethodDelete, "/usage/organizations/{organizationId}/overrides/{meter}", adminTag,
		"Clear an organization's cap of a meter", "The plan's cap applies again. Recorded in the audit log; 404 usage.override_not_found when there is none.",
		http.StatusNotFound)
	clear.DefaultStatus = http.StatusNoContent
	huma.Register(api, clear, h.adminClearOverride)
	huma.Register(api, web.Op("reset-usage-counter", http.MethodPost, "/usage/organizations/{organizationId}/meters/{meter}/reset", adminTag,
		"Reset a meter's count", "Sets what the current window counts back to zero and re-arms its thresholds; the window stays. Recorded in the audit log with the reason.",
		http.StatusNotFound, http.StatusUnprocessableEntity), h.adminReset)
}

// AdminOverride is a platform admin's cap of an organization's meter.
type AdminOverride struct {
	Limit  int64     `json:"limit" doc:"-1 unlimited."`
	Reason string    `json:"reason"`
	SetBy  string    `json:"setBy" doc:"The platform admin's user ID."`
	SetAt  time.Time `json:"setAt"`
}

// AdminMeterUsage is a meter as platform administration sees it.
type AdminMeterUsage struct {
	MeterUsage
	PlanLimit int64          `json:"planLimit" doc:"The plan's cap, whatever the override: -1 unlimited, 0 not on the plan."`
	Override  *AdminOverride `json:"override" doc:"null when the plan's cap applies."`
}

func adminMeterJSON(s application.Status) AdminMeterUsage {
	out := AdminMeterUsage{MeterUsage: usageJSON(s), PlanLimit: s.PlanLimit}
	if o := s.Override; o != nil {
		out.Override = &AdminOverride{Limit: o.Cap, Reason: o.Reason, SetBy: o.SetBy.String(), SetAt: o.SetAt}
	}
	return out
}

// AdminOrganizationUsage is an organization's usage.
type AdminOrganizationUsage struct {
	OrganizationID string            `json:"organizationId"`
	Name           string            `json:"name"`
	Plan           string            `json:"plan"`
	Meters         []AdminMeterUsage `json:"meters"`
}

func adminUsageJSON(u application.OrganizationUsage) AdminOrganizationUsage {
	out := AdminOrganizationUsage{OrganizationID: u.OrganizationID.String(), Name: u.Name, Plan: u.Plan,
		Meters: make([]AdminMeterUsage, 0, len(u.Meters))}
	for _, m := range u.Meters {
		out.Meters = append(out.Meters, adminMeterJSON(m))
	}
	return out
}

type adminOrgInput struct {
	OrganizationID string `path:"organizationId" maxLength:"100"`
}

// parseOrg parses an organization ID of a path: one that is not is an
// organization there is not.
func parseOrg(id string) (kernel.OrganizationID, error) {
	return kernel.ParseIDOr[kernel.OrganizationKind](id, application.ErrOrganizationNotFound)
}

func (h *Handler) adminGet(ctx context.Context, in *adminOrgInput) (*web.Output[AdminOrganizationUsage], error) {
	org, err := parseOrg(in.OrganizationID)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.AdminUsage(ctx, org)
	return web.Reply(u, err, adminUsageJSON)
}

// adminTarget returns the platform admin who acts and the organization
// orgID, a path's, names.
func adminTarget(ctx context.Context, orgID string) (kernel.UserID, kernel.OrganizationID, error) {
	p, err := kernel.RequirePlatformAdmin(ctx)
	if err != nil {
		return kernel.UserID{}, kernel.OrganizationID{}, err
	}
	org, err := parseOrg(orgID)
	return p.UserID, org, err
}

type adminMeterInput struct {
	OrganizationID string `path:"organizationId" maxLength:"100"`
	Meter          string `path:"meter" maxLength:"64" doc:"The meter's key."`
}

type adminOverrideInput struct {
	OrganizationID string `path:"organizationId" maxLength:"100"`
	Meter          string `path:"meter" maxLength:"64" doc:"The meter's key."`
	Body           struct {
		Limit  int64  `json:"limit" doc:"The cap: -1 unlimited, 0 and up."`
		Reason string `json:"reason" maxLength:"500" doc:"5 to 500 characters; recorded in the audit log."`
	}
}

func (h *Handler) adminSetOverride(ctx context.Context, in *adminOverrideInput) (*web.Output[AdminMeterUsage], error) {
	by, org, err := adminTarget(ctx, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	st, err := h.svc.SetOverride(ctx, org, in.Meter, in.Body.Limit, in.Body.Reason, by)
	return web.Reply(st, err, adminMeterJSON)
}

func (h *Handler) adminClearOverride(ctx context.Context, in *adminMeterInput) (*struct{}, error) {
	by, org, err := adminTarget(ctx, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	return nil, h.svc.ClearOverride(ctx, org, in.Meter, by)
}

type adminResetInput struct {
	OrganizationID string `path:"organizationId" maxLength:"100"`
	Meter          string `path:"meter" maxLength:"64" doc:"The meter's key."`
	Body           struct {
		Reason string `json:"reason" maxLength:"500" doc:"5 to 500 characters; recorded in the audit log."`
	}
}

func (h *Handler) adminReset(ctx context.Context, in *adminResetInput) (*web.Output[AdminMeterUsage], error) {
	by, org, err := adminTarget(ctx, in.OrganizationID)
	if err != nil {
		return nil, err
	}
	st, err := h.svc.ResetCounter(ctx, org, in.Meter, in.Body.Reason, by)
	return web.Reply(st, err, adminMeterJSON)
}
