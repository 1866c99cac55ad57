package featureflags

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/modules/featureflags/internal/application"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/domain"
)

// Type is a flag's value type.
type Type = domain.Type

// The types.
const (
	TypeBoolean = domain.Boolean
	TypeString  = domain.String
	TypeInteger = domain.Integer
	TypeObject  = domain.Object
)

// Evaluation is a flag's answer: its value, the reason (STATIC,
// TARGETING_MATCH, SPLIT, DISABLED, DEFAULT) and the rule that answered.
type Evaluation = application.Evaluation

// FlagChanged ("featureflags.flag_changed") is published, and audited,
// with every write.
type FlagChanged = application.FlagChanged

// ErrNotFound: no such flag (404 featureflags.not_found).
var ErrNotFound = application.ErrNotFound

// Option sets what a declared flag is besides its key, default and
// description.
type Option func(*domain.Definition)

// ClientVisible lets the flag leave the server: GET /api/feature-flags
// and OFREP answer it.
func ClientVisible() Option { return func(d *domain.Definition) { d.ClientVisible = true } }

// OrgConfigurable lets an organization's admins (featureflags:manage)
// switch the flag for their organization.
func OrgConfigurable() Option { return func(d *domain.Definition) { d.OrgConfigurable = true } }

// BucketByUser has the rollout bucket users rather than organizations.
func BucketByUser() Option { return func(d *domain.Definition) { d.BucketBy = domain.ByUser } }

// Flag is a declared flag's typed handle: Value evaluates it for the
// request's user and active organization, from memory.
type Flag[T any] struct {
	m   *Module
	key string
	def T
}

// Key returns the flag's key.
func (f *Flag[T]) Key() string { return f.key }

// Value is the flag's value for ctx's caller; the default when the flag
// is gone (never for a declared flag) or its value is of another type.
func (f *Flag[T]) Value(ctx context.Context) T {
	fl := f.m.svc.Flag(ctx, f.key)
	if fl == nil {
		return f.def
	}
	v, _, _ := f.m.svc.EvaluateFlag(ctx, fl)
	if t, ok := v.(T); ok {
		return t
	}
	return f.def
}

func declare[T any](m *Module, t domain.Type, key string, def T, description string, opts []Option) (*Flag[T], error) {
	d := domain.Definition{Key: key, Type: t, Default: any(def), Description: description}
	for _, o := range opts {
		o(&d)
	}
	if err := m.svc.Declare(d); err != nil {
		return nil, err
	}
	return &Flag[T]{m: m, key: key, def: def}, nil
}

// Bool declares a boolean flag, before the app starts.
func Bool(m *Module, key string, def bool, description string, opts ...Option) (*Flag[bool], error) {
	return declare(m, TypeBoolean, key, def, description, opts)
}

// String declares a string flag.
func String(m *Module, key string, def, description string, opts ...Option) (*Flag[string], error) {
	return declare(m, TypeString, key, def, description, opts)
}

// Int declares an integer flag.
func Int(m *Module, key string, def int64, description string, opts ...Option) (*Flag[int64], error) {
	return declare(m, TypeInteger, key, def, description, opts)
}

// JSON declares an object flag. Its Value is the map every caller shares:
// read it, do not change it.
func JSON(m *Module, key string, def map[string]any, description string, opts ...Option) (*Flag[map[string]any], error) {
	if def == nil {
		return nil, fmt.Errorf("featureflags: flag %q: a JSON flag needs a default object", key)
	}
	return declare(m, TypeObject, key, def, description, opts)
}

// Evaluate evaluates any flag, declared or created at run time, for ctx's
// caller; ErrNotFound for an unknown key.
func (m *Module) Evaluate(ctx context.Context, key string) (Evaluation, error) {
	return m.svc.Evaluate(ctx, key, false)
}
