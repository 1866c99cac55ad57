package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/application"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

const adminTag = "Platform: feature flags"

// AdminRollout is a flag's percentage rollout.
type AdminRollout struct {
	Percentage float64 `json:"percentage"`
	Value      any     `json:"value"`
}

// AdminPlanRule is a flag's plan rule.
type AdminPlanRule struct {
	Plans []string `json:"plans"`
	Value any      `json:"value"`
}

// AdminOverride is an organization's or a user's value.
type AdminOverride struct {
	ID    string `json:"id"`
	Value any    `json:"value"`
}

// AdminFlag is a flag with its rules, as platform administration sees it.
type AdminFlag struct {
	Key             string          `json:"key"`
	Type            string          `json:"type"`
	Default         any             `json:"default"`
	Description     string          `json:"description"`
	ClientVisible   bool            `json:"clientVisible"`
	OrgConfigurable bool            `json:"orgConfigurable"`
	BucketBy        string          `json:"bucketBy"`
	Runtime         bool            `json:"runtime" doc:"Created through the API rather than declared in code."`
	KillSwitch      bool            `json:"killSwitch"`
	Global          any             `json:"global" doc:"null: none."`
	Rollout         *AdminRollout   `json:"rollout"`
	Plan            *AdminPlanRule  `json:"plan"`
	Organizations   []AdminOverride `json:"organizations"`
	Users           []AdminOverride `json:"users"`
}

func adminFlagJSON(f *domain.Flag) AdminFlag {
	out := AdminFlag{Key: f.Key, Type: string(f.Type), Default: f.Default, Description: f.Description, ClientVisible: f.ClientVisible,
		OrgConfigurable: f.OrgConfigurable, BucketBy: string(f.BucketBy), Runtime: f.Runtime, KillSwitch: f.KillSwitch,
		Organizations: []AdminOverride{}, Users: []AdminOverride{}}
	if f.Global != nil {
		out.Global = *f.Global
	}
	if r := f.Rollout; r != nil {
		out.Rollout = &AdminRollout{Percentage: r.Percentage, Value: r.Value}
	}
	if p := f.Plan; p != nil {
		out.Plan = &AdminPlanRule{Plans: p.Plans, Value: p.Value}
	}
	for id, v := range f.Organizations {
		out.Organizations = append(out.Organizations, AdminOverride{ID: id.String(), Value: v})
	}
	for id, v := range f.Users {
		out.Users = append(out.Users, AdminOverride{ID: id.String(), Value: v})
	}
	sort.Slice(out.Organizations, func(i, j int) bool { return out.Organizations[i].ID < out.Organizations[j].ID })
	sort.Slice(out.Users, func(i, j int) bool { return out.Users[i].ID < out.Users[j].ID })
	return out
}

type keyPath struct {
	Key string `path:"key" maxLength:"100"`
}

type flagOutput struct{ Body AdminFlag }

type createInput struct {
	Body struct {
		Key             string          `json:"key" maxLength:"100"`
		Type            string          `json:"type" enum:"boolean,string,integer,object"`
		Default         json.RawMessage `json:"default" doc:"Of the flag's type."`
		Description     string          `json:"description,omitempty" maxLength:"500"`
		ClientVisible   bool            `json:"clientVisible,omitempty"`
		OrgConfigurable bool            `json:"orgConfigurable,omitempty"`
		BucketBy        string          `json:"bucketBy,omitempty" enum:"organization,user"`
	}
}

type valueInput struct {
	Key  string `path:"key" maxLength:"100"`
	Body struct {
		Value json.RawMessage `json:"value" doc:"Of the flag's type; null clears it."`
	}
}

type rolloutInput struct {
	Key  string `path:"key" maxLength:"100"`
	Body struct {
		Percentage *float64        `json:"percentage" doc:"0 to 100, in tenths; null clears the rollout."`
		Value      json.RawMessage `json:"value,omitempty" doc:"What the rollout gives; true for a boolean flag when left out."`
	}
}

type planInput struct {
	Key  string `path:"key" maxLength:"100"`
	Body struct {
		Plans []string        `json:"plans" maxItems:"100" doc:"Plans of the catalog; empty clears the rule."`
		Value json.RawMessage `json:"value,omitempty" doc:"What the rule gives; true for a boolean flag when left out."`
	}
}

type killInput struct {
	Key  string `path:"key" maxLength:"100"`
	Body struct {
		Enabled bool `json:"enabled"`
	}
}

type overrideInput struct {
	Key     string `path:"key" maxLength:"100"`
	Subject string `path:"subject" maxLength:"100"`
	Body    struct {
		Value json.RawMessage `json:"value" doc:"Of the flag's type."`
	}
}

type overridePath struct {
	Key     string `path:"key" maxLength:"100"`
	Subject string `path:"subject" maxLength:"100"`
}

// RegisterAdmin mounts /api/v1/platform/feature-flags.
func (h *Handler) RegisterAdmin(a *web.Admin) {
	api := a.API()
	base := "/feature-flags"
	huma.Register(api, web.Op("list-platform-feature-flags", http.MethodGet, base, adminTag,
		"List the flags", "Every flag, declared in code or created here, with its rules and overrides."), h.adminList)
	create := web.Op("create-feature-flag", http.MethodPost, base, adminTag, "Create a runtime flag",
		"For front ends: a flag with a type, default and description. Recorded in the audit log.",
		http.StatusConflict, http.StatusUnprocessableEntity)
	create.DefaultStatus = http.StatusCreated
	huma.Register(api, create, h.adminCreate)
	huma.Register(api, web.Op("get-platform-feature-flag", http.MethodGet, base+"/{key}", adminTag, "Get a flag", "With its rules and overrides.", http.StatusNotFound), h.adminGet)
	huma.Register(api, web.Op("archive-feature-flag", http.MethodPost, base+"/{key}/archive", adminTag, "Archive a runtime flag",
		"It leaves every answer; a flag declared in code cannot be archived (409).", http.StatusNotFound, http.StatusConflict), h.adminArchive)
	huma.Register(api, web.Op("set-feature-flag-global", http.MethodPut, base+"/{key}/global", adminTag, "Set the global value",
		"What everyone gets when no rule above it answers; null clears it.", http.StatusNotFound, http.StatusUnprocessableEntity), h.adminGlobal)
	huma.Register(api, web.Op("set-feature-flag-rollout", http.MethodPut, base+"/{key}/rollout", adminTag, "Set the percentage rollout",
		"The organizations (or users) in the first percentage of 1,000 stable buckets get the value.", http.StatusNotFound, http.StatusUnprocessableEntity), h.adminRollout)
	huma.Register(api, web.Op("set-feature-flag-plans", http.MethodPut, base+"/{key}/plans", adminTag, "Set the plan rule",
		"Organizations on one of the plans get the value.", http.StatusNotFound, http.StatusUnprocessableEntity), h.adminPlans)
	huma.Register(api, web.Op("set-feature-flag-kill-switch", http.MethodPut, base+"/{key}/kill-switch", adminTag, "Set the kill switch",
		"On, everyone gets the default, whatever the rules and overrides.", http.StatusNotFound), h.adminKill)
	for _, scope := range []string{application.ScopeOrganization, application.ScopeUser} {
		path := base + "/{key}/" + scope + "s/{subject}"
		huma.Register(api, web.Op("set-feature-flag-"+scope+"-override", http.MethodPut, path, adminTag, "Set a "+scope+"'s override",
			"Above every rule but the kill switch (a user's above an organization's).", http.StatusNotFound, http.StatusUnprocessableEntity), h.adminSetOverride(scope))
		del := web.Op("clear-feature-flag-"+scope+"-override", http.MethodDelete, path, adminTag, "Clear a "+scope+"'s override", "", http.StatusNotFound)
		del.DefaultStatus = http.StatusNoContent
		huma.Register(api, del, h.adminClearOverride(scope))
	}
}

func admin(ctx context.Context) kernel.UserID {
	p, _ := kernel.PrincipalFrom(ctx)
	return p.UserID
}

func (h *Handler) flag(ctx context.Context, key string, err error) (*flagOutput, error) {
	if err != nil {
		return nil, err
	}
	f := h.svc.Flag(ctx, key)
	if f == nil {
		return nil, application.ErrNotFound
	}
	return &flagOutput{Body: adminFlagJSON(f)}, nil
}

type listOutput struct {
	Body struct {
		Items []AdminFlag `json:"items"`
	}
}

func (h *Handler) adminList(ctx context.Context, _ *struct{}) (*listOutput, error) {
	out := &listOutput{}
	out.Body.Items = []AdminFlag{}
	for _, f := range h.svc.Flags(ctx) {
		out.Body.Items = append(out.Body.Items, adminFlagJSON(f))
	}
	return out, nil
}

func (h *Handler) adminCreate(ctx context.Context, in *createInput) (*flagOutput, error) {
	b := in.Body
	err := h.svc.CreateFlag(ctx, admin(ctx), application.NewFlag{Key: b.Key, Type: b.Type, Default: b.Default, Description: b.Description,
		ClientVisible: b.ClientVisible, OrgConfigurable: b.OrgConfigurable, BucketBy: b.BucketBy})
	return h.flag(ctx, b.Key, web.BodyFields(err))
}

func (h *Handler) adminGet(ctx context.Context, in *keyPath) (*flagOutput, error) {
	return h.flag(ctx, in.Key, nil)
}

func (h *Handler) adminArchive(ctx context.Context, in *keyPath) (*struct{}, error) {
	return nil, h.svc.ArchiveFlag(ctx, admin(ctx), in.Key)
}

// nullable is raw, or nil for a JSON null.
func nullable(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

func (h *Handler) adminGlobal(ctx context.Context, in *valueInput) (*flagOutput, error) {
	return h.flag(ctx, in.Key, web.BodyFields(h.svc.SetGlobal(ctx, admin(ctx), in.Key, nullable(in.Body.Value))))
}

func (h *Handler) adminRollout(ctx context.Context, in *rolloutInput) (*flagOutput, error) {
	return h.flag(ctx, in.Key, web.BodyFields(h.svc.SetRollout(ctx, admin(ctx), in.Key, in.Body.Percentage, nullable(in.Body.Value))))
}

func (h *Handler) adminPlans(ctx context.Context, in *planInput) (*flagOutput, error) {
	return h.flag(ctx, in.Key, web.BodyFields(h.svc.SetPlanRule(ctx, admin(ctx), in.Key, in.Body.Plans, nullable(in.Body.Value))))
}

func (h *Handler) adminKill(ctx context.Context, in *killInput) (*flagOutput, error) {
	return h.flag(ctx, in.Key, h.svc.SetKillSwitch(ctx, admin(ctx), in.Key, in.Body.Enabled))
}

// subjectID checks an override's subject: an organization or user ID,
// 404 otherwise.
func subjectID(scope, s string) (string, error) {
	if scope == application.ScopeOrganization {
		id, err := kernel.ParseIDOr[kernel.OrganizationKind](s, kernel.NotFound("tenancy.organization_not_found", "Organization not found."))
		return id.String(), err
	}
	id, err := kernel.ParseIDOr[kernel.UserKind](s, kernel.NotFound("iam.user_not_found", "User not found."))
	return id.String(), err
}

func (h *Handler) adminSetOverride(scope string) func(context.Context, *overrideInput) (*flagOutput, error) {
	return func(ctx context.Context, in *overrideInput) (*flagOutput, error) {
		subject, err := subjectID(scope, in.Subject)
		if err != nil {
			return nil, err
		}
		if nullable(in.Body.Value) == nil {
			return nil, domainErrValue()
		}
		return h.flag(ctx, in.Key, web.BodyFields(h.svc.SetOverride(ctx, admin(ctx), in.Key, scope, subject, in.Body.Value)))
	}
}

func (h *Handler) adminClearOverride(scope string) func(context.Context, *overridePath) (*struct{}, error) {
	return func(ctx context.Context, in *overridePath) (*struct{}, error) {
		subject, err := subjectID(scope, in.Subject)
		if err != nil {
			return nil, err
		}
		return nil, h.svc.SetOverride(ctx, admin(ctx), in.Key, scope, subject, nil)
	}
}
