package application

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/domain"
)

// FlagChanged ("featureflags.flag_changed"): a flag, its rules or an
// override changed; Before and After are what the change touched, as JSON
// values (nil: nothing).
type FlagChanged struct {
	Key            string
	Change         string // created, archived, global, rollout, plan, kill_switch, organization_override, user_override
	Subject        string // the organization or user of an override
	OrganizationID kernel.OrganizationID
	By             kernel.UserID
	Before, After  any
}

// EventName implements kernel.Event.
func (FlagChanged) EventName() string { return "featureflags.flag_changed" }

// NewFlag is a runtime flag a platform admin creates.
type NewFlag struct {
	Key             string
	Type            string
	Default         json.RawMessage
	Description     string
	ClientVisible   bool
	OrgConfigurable bool
	BucketBy        string
}

// CreateFlag creates a runtime flag. Errors: Invalid (key, type,
// default, bucketBy), ErrExists (also for a key declared in code).
func (s *Service) CreateFlag(ctx context.Context, by kernel.UserID, in NewFlag) error {
	if !domain.ValidKey(in.Key) {
		return errBadKey
	}
	t, ok := domain.ParseType(in.Type)
	if !ok {
		return errBadType
	}
	if _, err := domain.ParseValue(t, in.Default, "default"); err != nil {
		return err
	}
	switch domain.BucketBy(in.BucketBy) {
	case "":
		in.BucketBy = string(domain.ByOrganization)
	case domain.ByOrganization, domain.ByUser:
	default:
		return errBadBucket
	}
	if len(in.Description) > 500 {
		return kernel.Invalid("featureflags.invalid_description", "The description is at most 500 characters.",
			kernel.FieldError{Field: "description", Code: "too_long", Message: "must be at most 500 characters"})
	}
	s.mu.Lock()
	_, declared := s.declared[in.Key]
	s.mu.Unlock()
	if declared {
		return ErrExists
	}
	row := Row{Key: in.Key, Runtime: true, Type: string(t), Default: string(in.Default), Description: strings.TrimSpace(in.Description),
		ClientVisible: in.ClientVisible, OrgConfigurable: in.OrgConfigurable, BucketBy: in.BucketBy, UpdatedAt: s.deps.Clock.Now()}
	return s.write(ctx, func(ctx context.Context) error {
		ok, err := s.deps.Store.Insert(ctx, row)
		if err != nil {
			return err
		}
		if !ok {
			return ErrExists
		}
		return s.deps.Events.Publish(ctx, FlagChanged{Key: in.Key, Change: "created", By: by, After: json.RawMessage(in.Default)})
	})
}

// write runs fn in a transaction and reloads this process's flags once it
// committed (the notification reloads the others').
func (s *Service) write(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := s.deps.UoW.Tx(ctx, fn); err != nil {
		return err
	}
	s.dirty.Store(true)
	return nil
}

// mutate changes the rules of the flag of key under its row's lock,
// publishing change with what before and after read of the row.
func (s *Service) mutate(ctx context.Context, by kernel.UserID, key, change string, view func(Row) any, fn func(r *Row, f *domain.Flag) error) error {
	f := s.Flag(ctx, key)
	if f == nil {
		return ErrNotFound
	}
	return s.write(ctx, func(ctx context.Context) error {
		r, err := s.deps.Store.Lock(ctx, seed(f, s.deps.Clock))
		if err != nil {
			return err
		}
		before := view(r)
		if err := fn(&r, f); err != nil {
			return err
		}
		r.UpdatedAt = s.deps.Clock.Now()
		if err := s.deps.Store.Save(ctx, r); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, FlagChanged{Key: key, Change: change, By: by, Before: before, After: view(r)})
	})
}

// seed is the row of a flag that has none yet: its definition, no rules.
func seed(f *domain.Flag, clock kernel.Clock) Row {
	def, _ := json.Marshal(f.Default)
	return Row{Key: f.Key, Runtime: f.Runtime, Type: string(f.Type), Default: string(def), Description: f.Description,
		ClientVisible: f.ClientVisible, OrgConfigurable: f.OrgConfigurable, BucketBy: string(f.BucketBy), UpdatedAt: clock.Now()}
}

func rawOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return json.RawMessage(*s)
}

// ArchiveFlag archives a runtime flag: it is gone from every answer.
func (s *Service) ArchiveFlag(ctx context.Context, by kernel.UserID, key string) error {
	f := s.Flag(ctx, key)
	if f == nil {
		return ErrNotFound
	}
	if !f.Runtime {
		return ErrDeclared
	}
	return s.mutate(ctx, by, key, "archived", func(r Row) any { return r.Archived }, func(r *Row, _ *domain.Flag) error {
		r.Archived = true
		return nil
	})
}

// SetGlobal sets the global value (nil clears it).
func (s *Service) SetGlobal(ctx context.Context, by kernel.UserID, key string, value json.RawMessage) error {
	return s.mutate(ctx, by, key, "global", func(r Row) any { return rawOrNil(r.Global) }, func(r *Row, f *domain.Flag) error {
		if value == nil {
			r.Global = nil
			return nil
		}
		v, err := canonical(f.Type, value)
		r.Global = v
		return err
	})
}

// canonical checks raw against t and returns it re-encoded.
func canonical(t domain.Type, raw json.RawMessage) (*string, error) {
	v, err := domain.ParseValue(t, raw, "value")
	if err != nil {
		return nil, err
	}
	b, _ := json.Marshal(v)
	out := string(b)
	return &out, nil
}

// SetRollout gives value to percentage of the organizations (or users);
// a nil percentage clears the rollout. A boolean flag's value defaults to
// true.
func (s *Service) SetRollout(ctx context.Context, by kernel.UserID, key string, percentage *float64, value json.RawMessage) error {
	type view struct {
		Percentage *float64 `json:"percentage"`
		Value      any      `json:"value"`
	}
	return s.mutate(ctx, by, key, "rollout", func(r Row) any {
		if r.RolloutPercent == nil {
			return nil
		}
		return view{r.RolloutPercent, rawOrNil(r.RolloutValue)}
	}, func(r *Row, f *domain.Flag) error {
		if percentage == nil {
			r.RolloutPercent, r.RolloutValue = nil, nil
			return nil
		}
		if err := domain.CheckPercentage(*percentage); err != nil {
			return err
		}
		if value == nil && f.Type == domain.Boolean {
			value = json.RawMessage("true")
		}
		v, err := canonical(f.Type, value)
		if err != nil {
			return err
		}
		p := *percentage
		r.RolloutPercent, r.RolloutValue = &p, v
		return nil
	})
}

// SetPlanRule gives value to organizations on plans (no plans clears
// the rule). A boolean flag's value defaults to true.
func (s *Service) SetPlanRule(ctx context.Context, by kernel.UserID, key string, plans []string, value json.RawMessage) error {
	type view struct {
		Plans json.RawMessage `json:"plans"`
		Value any             `json:"value"`
	}
	for _, p := range plans {
		if s.deps.Plans == nil || !s.deps.Plans.PlanExists(p) {
			return errUnknownPlan
		}
	}
	return s.mutate(ctx, by, key, "plan", func(r Row) any {
		if r.PlanPlans == nil {
			return nil
		}
		return view{json.RawMessage(*r.PlanPlans), rawOrNil(r.PlanValue)}
	}, func(r *Row, f *domain.Flag) error {
		if len(plans) == 0 {
			r.PlanPlans, r.PlanValue = nil, nil
			return nil
		}
		if value == nil && f.Type == domain.Boolean {
			value = json.RawMessage("true")
		}
		v, err := canonical(f.Type, value)
		if err != nil {
			return err
		}
		ps := slices.Compact(slices.Sorted(slices.Values(plans)))
		b, _ := json.Marshal(ps)
		list := string(b)
		r.PlanPlans, r.PlanValue = &list, v
		return nil
	})
}

// SetKillSwitch turns the kill switch on or off.
func (s *Service) SetKillSwitch(ctx context.Context, by kernel.UserID, key string, on bool) error {
	return s.mutate(ctx, by, key, "kill_switch", func(r Row) any { return r.KillSwitch }, func(r *Row, _ *domain.Flag) error {
		r.KillSwitch = on
		return nil
	})
}

// SetOverride sets (value non-nil) or clears an organization's or a
// user's override.
func (s *Service) SetOverride(ctx context.Context, by kernel.UserID, key, scope, subject string, value json.RawMessage) error {
	f := s.Flag(ctx, key)
	if f == nil {
		return ErrNotFound
	}
	var org kernel.OrganizationID
	if scope == ScopeOrganization {
		org, _ = kernel.ParseID[kernel.OrganizationKind](subject)
	}
	return s.write(ctx, func(ctx context.Context) error {
		var before, after any
		if value == nil {
			old, err := s.deps.Store.DeleteOverride(ctx, key, scope, subject)
			if err != nil || old == "" {
				return err
			}
			before = json.RawMessage(old)
		} else {
			v, err := canonical(f.Type, value)
			if err != nil {
				return err
			}
			old, err := s.deps.Store.SetOverride(ctx, Override{Key: key, Scope: scope, Subject: subject, Value: *v}, s.deps.Clock.Now())
			if err != nil {
				return err
			}
			if old != "" {
				before = json.RawMessage(old)
			}
			after = json.RawMessage(*v)
		}
		return s.deps.Events.Publish(ctx, FlagChanged{Key: key, Change: scope + "_override", Subject: subject,
			OrganizationID: org, By: by, Before: before, After: after})
	})
}

// SetOwnOrganization is SetOverride for an organization's admins on their
// own organization: only for a flag marked orgConfigurable.
func (s *Service) SetOwnOrganization(ctx context.Context, by kernel.UserID, org kernel.OrganizationID, key string, value json.RawMessage) error {
	f := s.Flag(ctx, key)
	if f == nil {
		return ErrNotFound
	}
	if !f.OrgConfigurable {
		return ErrNotConfigurable
	}
	return s.SetOverride(ctx, by, key, ScopeOrganization, org.String(), value)
}

// SubjectDeleted removes a deleted organization's or user's overrides.
func (s *Service) SubjectDeleted(ctx context.Context, scope, subject string) error {
	return s.deps.Store.DeleteSubject(ctx, scope, subject)
}
