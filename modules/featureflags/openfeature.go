package featureflags

import (
	"context"
	"errors"

	"github.com/open-feature/go-sdk/openfeature"

	"github.com/groundworkhq/groundwork/modules/featureflags/internal/domain"
)

// OpenFeatureProvider is the module as an OpenFeature provider
// (github.com/open-feature/go-sdk), for server code written against the
// OpenFeature client rather than the typed handles. Register it once,
// after the app is built, and evaluate with the request's context:
//
//	// At start-up.
//	if err := openfeature.SetNamedProviderAndWait("groundwork", app.FeatureFlags().OpenFeatureProvider()); err != nil {
//		return err
//	}
//	flags := openfeature.NewClient("groundwork")
//
//	// In a handler.
//	on, err := flags.BooleanValue(r.Context(), "beta-dashboard", false, openfeature.EvaluationContext{})
//	limit := flags.Int(r.Context(), "export-limit", 100, openfeature.EvaluationContext{})
//
// Whom a flag is evaluated for comes from ctx, as for Evaluate: the
// request's user (kernel.PrincipalFrom) and active organization
// (kernel.OrganizationFrom); a ctx with neither evaluates for an
// anonymous caller. The OpenFeature evaluation context — its
// targetingKey and attributes — is not used to choose whom to evaluate
// for: a server-side caller evaluates for the request it serves, and a
// targetingKey naming another user or organization changes nothing.
//
// Every flag answers, client-visible or not: the server sees them all.
// An unknown key is the default with FLAG_NOT_FOUND, a flag of another
// type the default with TYPE_MISMATCH; the SDK reports both with the
// reason ERROR. FloatEvaluation answers an integer flag, converted; an
// object flag's value is a copy, so a caller may change it freely. The
// reason (STATIC, TARGETING_MATCH, SPLIT, DISABLED, DEFAULT) and the
// variant (which rule answered: "global", "organization-override", …)
// are the evaluation's; the flag metadata's "type" is the flag's type.
//
// The provider needs no Init or Shutdown: the app's Start loads the flags.
type OpenFeatureProvider struct {
	m *Module
}

var _ openfeature.FeatureProvider = (*OpenFeatureProvider)(nil)

// OpenFeatureProvider returns the module's OpenFeature provider. It does
// no I/O; one provider serves every request.
func (m *Module) OpenFeatureProvider() *OpenFeatureProvider { return &OpenFeatureProvider{m: m} }

// Metadata names the provider "groundwork".
func (p *OpenFeatureProvider) Metadata() openfeature.Metadata {
	return openfeature.Metadata{Name: "groundwork"}
}

// Hooks returns none.
func (p *OpenFeatureProvider) Hooks() []openfeature.Hook { return nil }

// BooleanEvaluation evaluates a boolean flag for ctx's caller.
func (p *OpenFeatureProvider) BooleanEvaluation(ctx context.Context, flag string, defaultValue bool, _ openfeature.FlattenedContext) openfeature.BoolResolutionDetail {
	e, err := p.m.Evaluate(ctx, flag)
	return resolve(e, err, defaultValue, func(v any) (bool, bool) {
		b, ok := v.(bool)
		return b, ok
	})
}

// StringEvaluation evaluates a string flag for ctx's caller.
func (p *OpenFeatureProvider) StringEvaluation(ctx context.Context, flag string, defaultValue string, _ openfeature.FlattenedContext) openfeature.StringResolutionDetail {
	e, err := p.m.Evaluate(ctx, flag)
	return resolve(e, err, defaultValue, func(v any) (string, bool) {
		s, ok := v.(string)
		return s, ok
	})
}

// FloatEvaluation evaluates an integer flag, as a float64, for ctx's
// caller: flags have no float type, and an integer flag's value
// (|v| < 2^53) converts exactly.
func (p *OpenFeatureProvider) FloatEvaluation(ctx context.Context, flag string, defaultValue float64, _ openfeature.FlattenedContext) openfeature.FloatResolutionDetail {
	e, err := p.m.Evaluate(ctx, flag)
	return resolve(e, err, defaultValue, func(v any) (float64, bool) {
		i, ok := v.(int64)
		return float64(i), ok
	})
}

// IntEvaluation evaluates an integer flag for ctx's caller.
func (p *OpenFeatureProvider) IntEvaluation(ctx context.Context, flag string, defaultValue int64, _ openfeature.FlattenedContext) openfeature.IntResolutionDetail {
	e, err := p.m.Evaluate(ctx, flag)
	return resolve(e, err, defaultValue, func(v any) (int64, bool) {
		i, ok := v.(int64)
		return i, ok
	})
}

// ObjectEvaluation evaluates an object flag for ctx's caller: its
// map[string]any, copied.
func (p *OpenFeatureProvider) ObjectEvaluation(ctx context.Context, flag string, defaultValue any, _ openfeature.FlattenedContext) openfeature.InterfaceResolutionDetail {
	e, err := p.m.Evaluate(ctx, flag)
	return resolve(e, err, defaultValue, func(v any) (any, bool) {
		o, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		// The value in memory is the one every request shares.
		return copyJSON(o), true
	})
}

// resolve turns Evaluate's answer into the SDK's detail: the value as T
// by as, or def with the resolution error and the reason ERROR.
func resolve[T any](e Evaluation, err error, def T, as func(any) (T, bool)) openfeature.GenericResolutionDetail[T] {
	fail := func(re openfeature.ResolutionError) openfeature.GenericResolutionDetail[T] {
		return openfeature.GenericResolutionDetail[T]{Value: def,
			ProviderResolutionDetail: openfeature.ProviderResolutionDetail{ResolutionError: re, Reason: openfeature.ErrorReason}}
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return fail(openfeature.NewFlagNotFoundResolutionError("there is no flag " + e.Key))
	case err != nil:
		return fail(openfeature.NewGeneralResolutionError(err.Error()))
	}
	v, ok := as(e.Value)
	if !ok {
		return fail(openfeature.NewTypeMismatchResolutionError("flag " + e.Key + " is of type " + string(e.Type)))
	}
	return openfeature.GenericResolutionDetail[T]{Value: v, ProviderResolutionDetail: openfeature.ProviderResolutionDetail{
		Reason:       reasonOf(e.Reason),
		Variant:      e.Variant,
		FlagMetadata: openfeature.FlagMetadata{"type": string(e.Type)},
	}}
}

// reasonOf maps an evaluation's reason to the SDK's constant; UNKNOWN for
// one the SDK does not name.
func reasonOf(r string) openfeature.Reason {
	switch r {
	case domain.ReasonStatic:
		return openfeature.StaticReason
	case domain.ReasonTargetingMatch:
		return openfeature.TargetingMatchReason
	case domain.ReasonSplit:
		return openfeature.SplitReason
	case domain.ReasonDisabled:
		return openfeature.DisabledReason
	case domain.ReasonDefault:
		return openfeature.DefaultReason
	}
	return openfeature.UnknownReason
}

// copyJSON copies a decoded JSON value's maps and slices; anything else
// (scalars, or other types a default declared in code holds) is shared.
func copyJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, e := range x {
			c[k] = copyJSON(e)
		}
		return c
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = copyJSON(e)
		}
		return c
	}
	return v
}
