// Package httpapi is featureflags' HTTP edge: GET /api/feature-flags,
// OFREP under /ofrep/v1, the organizations' own switch and the platform
// administration.
package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// PermManage lets an organization's role switch its flags marked
// orgConfigurable; owners and admins hold it.
const PermManage = "featureflags:manage"

const tag = "Feature flags"

// Handler serves the routes.
type Handler struct{ svc *application.Service }

// New returns the handler.
func New(svc *application.Service) *Handler { return &Handler{svc: svc} }

// EvaluatedFlag is a flag's answer for the caller.
type EvaluatedFlag struct {
	Key     string `json:"key"`
	Type    string `json:"type" enum:"boolean,string,integer,object"`
	Value   any    `json:"value"`
	Reason  string `json:"reason" doc:"STATIC, TARGETING_MATCH, SPLIT, DISABLED or DEFAULT."`
	Variant string `json:"variant" doc:"The rule that answered."`
}

type flagsOutput struct {
	Body struct {
		Flags []EvaluatedFlag `json:"flags"`
	}
}

type orgFlagInput struct {
	Key  string `path:"key" maxLength:"100"`
	Body struct {
		Value json.RawMessage `json:"value" doc:"Of the flag's type."`
	}
}

type orgFlagKey struct {
	Key string `path:"key" maxLength:"100"`
}

// Register mounts the routes for callers and front ends.
func (h *Handler) Register(r *web.Router) {
	api := r.API()
	huma.Register(api, web.Op("list-feature-flags", http.MethodGet, "/api/feature-flags", tag,
		"Evaluate the visible flags", "Every client-visible flag evaluated for the caller: their user and active organization (anonymous callers get the global values)."),
		h.list)
	set := web.PermissionOp(api, PermManage, "set-organization-feature-flag", http.MethodPut, "/api/feature-flags/{key}/organization", tag,
		"Switch a flag for the organization", "Only flags marked orgConfigurable (403 featureflags.not_configurable otherwise); recorded in the audit log.",
		http.StatusNotFound, http.StatusUnprocessableEntity)
	set.DefaultStatus = http.StatusNoContent
	huma.Register(api, set, h.setOrg)
	clear := web.PermissionOp(api, PermManage, "clear-organization-feature-flag", http.MethodDelete, "/api/feature-flags/{key}/organization", tag,
		"Clear the organization's switch of a flag", "The flag's rules apply again.", http.StatusNotFound)
	clear.DefaultStatus = http.StatusNoContent
	huma.Register(api, clear, h.clearOrg)
	r.Handle("POST /ofrep/v1/evaluate/flags/{key}", http.HandlerFunc(h.ofrepOne))
	r.Handle("POST /ofrep/v1/evaluate/flags", http.HandlerFunc(h.ofrepBulk))
}

func evaluatedJSON(e application.Evaluation) EvaluatedFlag {
	return EvaluatedFlag{Key: e.Key, Type: string(e.Type), Value: e.Value, Reason: e.Reason, Variant: e.Variant}
}

func (h *Handler) list(ctx context.Context, _ *struct{}) (*flagsOutput, error) {
	out := &flagsOutput{}
	out.Body.Flags = []EvaluatedFlag{}
	for _, e := range h.svc.EvaluateVisible(ctx) {
		out.Body.Flags = append(out.Body.Flags, evaluatedJSON(e))
	}
	return out, nil
}

func byOrg(ctx context.Context) (kernel.UserID, kernel.OrganizationID) {
	p, _ := kernel.PrincipalFrom(ctx)
	o, _ := kernel.OrganizationFrom(ctx)
	return p.UserID, o.OrganizationID
}

func (h *Handler) setOrg(ctx context.Context, in *orgFlagInput) (*struct{}, error) {
	if in.Body.Value == nil {
		return nil, domainErrValue()
	}
	by, org := byOrg(ctx)
	return nil, web.BodyFields(h.svc.SetOwnOrganization(ctx, by, org, in.Key, in.Body.Value))
}

func (h *Handler) clearOrg(ctx context.Context, in *orgFlagKey) (*struct{}, error) {
	by, org := byOrg(ctx)
	if err := h.svc.SetOwnOrganization(ctx, by, org, in.Key, nil); err != nil {
		return nil, err
	}
	return nil, nil
}

// domainErrValue answers a body without a value.
func domainErrValue() error {
	return kernel.Invalid("featureflags.invalid_value", "A value is required.",
		kernel.FieldError{Field: "body.value", Code: "required", Message: "is required"})
}
