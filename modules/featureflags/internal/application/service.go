// Package application holds featureflags' use cases: the flags declared
// in code and created at run time, their rules kept in memory and
// reloaded on every write of any process, evaluation, and the writes.
package application

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/domain"
)

// Deps are the service's ports.
type Deps struct {
	UoW    kernel.UnitOfWork
	Store  Store
	Plans  Plans // nil: plan rules never match and every plan is unknown
	Events kernel.Publisher
	Clock  kernel.Clock
	Logger *slog.Logger
}

// StaleAfter is how long rules are served, while this process does not
// hear other processes' writes, before they are read again.
const StaleAfter = time.Second

// Errors.
var (
	// ErrNotFound: no such flag (404 featureflags.not_found).
	ErrNotFound = kernel.NotFound("featureflags.not_found", "There is no such flag.")
	// ErrExists: a flag of that key exists (409 featureflags.exists).
	ErrExists = kernel.Conflict("featureflags.exists", "A flag with this key exists.")
	// ErrNotConfigurable: the flag is not one organizations may switch
	// (403 featureflags.not_configurable).
	ErrNotConfigurable = kernel.Forbidden("featureflags.not_configurable", "Organizations cannot switch this flag.")
	// ErrDeclared: a flag declared in code cannot be archived (409).
	ErrDeclared = kernel.Conflict("featureflags.declared", "This flag is declared in code; it cannot be archived.")
	errBadKey   = kernel.Invalid("featureflags.invalid_key", "A flag key is 1 to 100 of a-z, 0-9, '_', '.', '-', starting with a letter.",
		kernel.FieldError{Field: "key", Code: "invalid", Message: "must be 1 to 100 of a-z, 0-9, _ . -, starting with a letter"})
	errBadType = kernel.Invalid("featureflags.invalid_type", "The type must be boolean, string, integer or object.",
		kernel.FieldError{Field: "type", Code: "invalid", Message: "must be boolean, string, integer or object"})
	errUnknownPlan = kernel.Invalid("featureflags.unknown_plan", "Every plan must be one of the catalog's.",
		kernel.FieldError{Field: "plans", Code: "unknown_plan", Message: "names a plan that does not exist"})
	errBadBucket = kernel.Invalid("featureflags.invalid_bucket", "bucketBy must be organization or user.",
		kernel.FieldError{Field: "bucketBy", Code: "invalid", Message: "must be organization or user"})
)

// snapshot is every flag as this process serves it.
type snapshot struct {
	flags  map[string]*domain.Flag
	loaded time.Time
}

// Service runs the use cases.
type Service struct {
	deps Deps

	mu       sync.Mutex
	declared map[string]domain.Definition
	closed   bool

	snap  atomic.Pointer[snapshot]
	dirty atomic.Bool
	load  sync.Mutex
}

// NewService returns the service; Declare the code's flags, then Start.
func NewService(d Deps) *Service {
	s := &Service{deps: d, declared: map[string]domain.Definition{}}
	s.snap.Store(&snapshot{flags: map[string]*domain.Flag{}})
	s.dirty.Store(true)
	return s
}

// Declare registers a flag declared in code, before Start.
func (s *Service) Declare(def domain.Definition) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return fmt.Errorf("featureflags: flag %q declared after the start", def.Key)
	case !domain.ValidKey(def.Key):
		return fmt.Errorf("featureflags: invalid flag key %q", def.Key)
	case !domain.Of(def.Type, def.Default):
		return fmt.Errorf("featureflags: flag %q: default %v is not a %s", def.Key, def.Default, def.Type)
	}
	if _, dup := s.declared[def.Key]; dup {
		return fmt.Errorf("featureflags: flag %q declared twice", def.Key)
	}
	if def.BucketBy == "" {
		def.BucketBy = domain.ByOrganization
	}
	s.declared[def.Key] = def
	return nil
}

// Start closes the declarations, subscribes to writes and loads the flags.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.deps.Store.Subscribe(func() { s.dirty.Store(true) })
	return s.reload(ctx)
}

// current returns the snapshot, reloading it first when a write was heard
// or, while not listening, when it is older than StaleAfter.
func (s *Service) current(ctx context.Context) *snapshot {
	snap := s.snap.Load()
	if s.stale(snap) {
		if err := s.reload(ctx); err != nil {
			s.deps.Logger.WarnContext(ctx, "reload feature flags", "error", err)
		}
		snap = s.snap.Load()
	}
	return snap
}

// stale reports whether snap must be read again: a write was heard, or
// this process is not hearing them and snap is older than StaleAfter.
func (s *Service) stale(snap *snapshot) bool {
	return s.dirty.Load() || (!s.deps.Store.Listening() && time.Since(snap.loaded) > StaleAfter)
}

// reload reads every flag into a new snapshot, unless another caller did
// while this one waited.
func (s *Service) reload(ctx context.Context) error {
	s.load.Lock()
	defer s.load.Unlock()
	if !s.stale(s.snap.Load()) {
		return nil
	}
	s.dirty.Store(false)
	rows, ovs, err := s.deps.Store.Load(context.WithoutCancel(ctx))
	if err != nil {
		s.dirty.Store(true)
		return err
	}
	s.mu.Lock()
	declared := make(map[string]domain.Definition, len(s.declared))
	for k, d := range s.declared {
		declared[k] = d
	}
	s.mu.Unlock()
	flags := make(map[string]*domain.Flag, len(declared)+len(rows))
	for k, d := range declared {
		flags[k] = &domain.Flag{Definition: d}
	}
	for _, r := range rows {
		f, err := s.compile(r, flags[r.Key])
		if err != nil {
			s.deps.Logger.ErrorContext(ctx, "a stored flag does not compile", "flag", r.Key, "error", err)
			continue
		}
		if f == nil {
			delete(flags, r.Key)
			continue
		}
		flags[r.Key] = f
	}
	for _, o := range ovs {
		f := flags[o.Key]
		if f == nil {
			continue
		}
		v, err := domain.ParseValue(f.Type, json.RawMessage(o.Value), "value")
		if err != nil {
			continue
		}
		switch o.Scope {
		case ScopeOrganization:
			if id, err := kernel.ParseID[kernel.OrganizationKind](o.Subject); err == nil {
				if f.Organizations == nil {
					f.Organizations = map[kernel.OrganizationID]any{}
				}
				f.Organizations[id] = v
			}
		case ScopeUser:
			if id, err := kernel.ParseID[kernel.UserKind](o.Subject); err == nil {
				if f.Users == nil {
					f.Users = map[kernel.UserID]any{}
				}
				f.Users[id] = v
			}
		}
	}
	s.snap.Store(&snapshot{flags: flags, loaded: time.Now()})
	return nil
}

// compile turns a row into a flag: a runtime flag's own definition, or the
// rules of a declared one (def). nil, nil for an archived runtime flag, or
// the rules of a flag no longer declared.
func (s *Service) compile(r Row, def *domain.Flag) (*domain.Flag, error) {
	var f domain.Flag
	switch {
	case def != nil:
		f.Definition = def.Definition
	case !r.Runtime || r.Archived:
		return nil, nil
	default:
		t, ok := domain.ParseType(r.Type)
		if !ok {
			return nil, fmt.Errorf("type %q", r.Type)
		}
		dv, err := domain.ParseValue(t, json.RawMessage(r.Default), "default")
		if err != nil {
			return nil, err
		}
		f.Definition = domain.Definition{Key: r.Key, Type: t, Default: dv, Description: r.Description,
			ClientVisible: r.ClientVisible, OrgConfigurable: r.OrgConfigurable, BucketBy: domain.BucketBy(r.BucketBy), Runtime: true}
	}
	f.KillSwitch = r.KillSwitch
	if r.Global != nil {
		v, err := domain.ParseValue(f.Type, json.RawMessage(*r.Global), "value")
		if err != nil {
			return nil, err
		}
		f.Global = &v
	}
	if r.RolloutPercent != nil && r.RolloutValue != nil {
		v, err := domain.ParseValue(f.Type, json.RawMessage(*r.RolloutValue), "value")
		if err != nil {
			return nil, err
		}
		f.Rollout = &domain.Rollout{Percentage: *r.RolloutPercent, Value: v}
	}
	if r.PlanPlans != nil && r.PlanValue != nil {
		var plans []string
		if err := json.Unmarshal([]byte(*r.PlanPlans), &plans); err != nil {
			return nil, err
		}
		v, err := domain.ParseValue(f.Type, json.RawMessage(*r.PlanValue), "value")
		if err != nil {
			return nil, err
		}
		f.Plan = &domain.PlanRule{Plans: plans, Value: v}
	}
	return &f, nil
}

// Evaluation is a flag's answer for a caller.
type Evaluation struct {
	Key     string
	Type    domain.Type
	Value   any
	Reason  string
	Variant string
}

// subject is whom ctx's request is for: its user and active organization.
func (s *Service) subject(ctx context.Context) domain.Subject {
	var sub domain.Subject
	if p, ok := kernel.PrincipalFrom(ctx); ok {
		sub.User = p.UserID
	}
	if o, ok := kernel.OrganizationFrom(ctx); ok {
		sub.Org = o.OrganizationID
	}
	return sub
}

// planOf returns the organization's plan, "" when unknown.
func (s *Service) planOf(ctx context.Context, org kernel.OrganizationID) func() string {
	return func() string {
		if s.deps.Plans == nil {
			return ""
		}
		p, err := s.deps.Plans.PlanOf(ctx, org)
		if err != nil {
			s.deps.Logger.WarnContext(ctx, "read an organization's plan for a flag", "error", err)
			return ""
		}
		return p
	}
}

// Flag returns the flag of key, or nil.
func (s *Service) Flag(ctx context.Context, key string) *domain.Flag {
	return s.current(ctx).flags[key]
}

// EvaluateFlag evaluates f for ctx's caller.
func (s *Service) EvaluateFlag(ctx context.Context, f *domain.Flag) (any, string, string) {
	sub := s.subject(ctx)
	if f.Plan != nil && !sub.Org.IsZero() {
		sub.Plan = s.planOf(ctx, sub.Org)
	}
	return f.Evaluate(sub)
}

// Evaluate evaluates the flag of key for ctx's caller; ErrNotFound for an
// unknown key, and for a flag not client-visible when visibleOnly.
func (s *Service) Evaluate(ctx context.Context, key string, visibleOnly bool) (Evaluation, error) {
	f := s.Flag(ctx, key)
	if f == nil || (visibleOnly && !f.ClientVisible) {
		return Evaluation{Key: key}, ErrNotFound
	}
	v, reason, variant := s.EvaluateFlag(ctx, f)
	return Evaluation{Key: key, Type: f.Type, Value: v, Reason: reason, Variant: variant}, nil
}

// EvaluateVisible evaluates every client-visible flag for ctx's caller, by
// key.
func (s *Service) EvaluateVisible(ctx context.Context) []Evaluation {
	snap := s.current(ctx)
	out := make([]Evaluation, 0, len(snap.flags))
	for _, f := range snap.flags {
		if !f.ClientVisible {
			continue
		}
		v, reason, variant := s.EvaluateFlag(ctx, f)
		out = append(out, Evaluation{Key: f.Key, Type: f.Type, Value: v, Reason: reason, Variant: variant})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Flags returns every flag, by key, for administration.
func (s *Service) Flags(ctx context.Context) []*domain.Flag {
	snap := s.current(ctx)
	out := make([]*domain.Flag, 0, len(snap.flags))
	for _, f := range snap.flags {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
