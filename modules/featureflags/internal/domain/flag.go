// Package domain holds the flags' rules: their types and values, the
// precedence of rules and overrides, and the stable rollout buckets.
package domain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"

	"github.com/groundworkhq/groundwork/kernel"
)

// Type is a flag's value type, as OpenFeature names them.
type Type string

// The types.
const (
	Boolean Type = "boolean"
	String  Type = "string"
	Integer Type = "integer"
	Object  Type = "object"
)

// ParseType checks t.
func ParseType(t string) (Type, bool) {
	switch Type(t) {
	case Boolean, String, Integer, Object:
		return Type(t), true
	}
	return "", false
}

// BucketBy is what a rollout buckets on.
type BucketBy string

// What a rollout buckets on.
const (
	ByOrganization BucketBy = "organization"
	ByUser         BucketBy = "user"
)

// Buckets is how many rollout buckets there are: a percentage has a tenth
// of a point's resolution.
const Buckets = 1000

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,99}$`)

// ValidKey reports whether k is a flag key: 1 to 100 of a-z, 0-9, '_',
// '.', '-', starting with a letter.
func ValidKey(k string) bool { return keyPattern.MatchString(k) }

// Definition is what a flag is: declared in code by a module, or created
// at run time by a platform admin.
type Definition struct {
	Key             string
	Type            Type
	Default         any
	Description     string
	ClientVisible   bool
	OrgConfigurable bool
	BucketBy        BucketBy
	Runtime         bool
}

// Rollout gives Value to the first Percentage of the buckets.
type Rollout struct {
	Percentage float64
	Value      any
}

// PlanRule gives Value to organizations on one of Plans.
type PlanRule struct {
	Plans []string
	Value any
}

// Rules are a flag's rules, each optional.
type Rules struct {
	KillSwitch bool
	Global     *any
	Rollout    *Rollout
	Plan       *PlanRule
}

// Flag is a definition with its rules and overrides.
type Flag struct {
	Definition
	Rules
	Organizations map[kernel.OrganizationID]any
	Users         map[kernel.UserID]any
}

// Reasons, as OpenFeature and OFREP name them.
const (
	ReasonDisabled       = "DISABLED"
	ReasonTargetingMatch = "TARGETING_MATCH"
	ReasonSplit          = "SPLIT"
	ReasonStatic         = "STATIC"
	ReasonDefault        = "DEFAULT"
)

// Subject is whom a flag is evaluated for; zero IDs for an anonymous
// caller or one without an active organization. Plan returns the
// organization's plan, asked only when a plan rule needs it.
type Subject struct {
	User kernel.UserID
	Org  kernel.OrganizationID
	Plan func() string
}

// Evaluate applies the precedence, highest first: the kill switch (the
// default everywhere), the user's override, the organization's, the plan
// rule, the rollout, the global value, the default. It returns the value,
// the reason and the variant (which rule answered).
func (f *Flag) Evaluate(s Subject) (value any, reason, variant string) {
	switch {
	case f.KillSwitch:
		return f.Default, ReasonDisabled, "kill-switch"
	}
	if !s.User.IsZero() && f.Users != nil {
		if v, ok := f.Users[s.User]; ok {
			return v, ReasonTargetingMatch, "user-override"
		}
	}
	if !s.Org.IsZero() {
		if f.Organizations != nil {
			if v, ok := f.Organizations[s.Org]; ok {
				return v, ReasonTargetingMatch, "organization-override"
			}
		}
		if f.Plan != nil && s.Plan != nil && slices.Contains(f.Plan.Plans, s.Plan()) {
			return f.Plan.Value, ReasonTargetingMatch, "plan"
		}
	}
	if r := f.Rollout; r != nil {
		id, ok := s.Org.UUID(), !s.Org.IsZero()
		if f.BucketBy == ByUser {
			id, ok = s.User.UUID(), !s.User.IsZero()
		}
		if ok && Bucket(f.Key, id) < int(math.Round(r.Percentage*Buckets/100)) {
			return r.Value, ReasonSplit, "rollout"
		}
	}
	if f.Global != nil {
		return *f.Global, ReasonStatic, "global"
	}
	return f.Default, ReasonDefault, "default"
}

// Bucket is id's bucket for the flag key, in [0, Buckets): FNV-1a over the
// key, a separator and the ID's 16 bytes, so an ID keeps its bucket as
// the percentage grows, and flags bucket independently.
func Bucket(key string, id [16]byte) int {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(key); i++ {
		h ^= uint64(key[i])
		h *= prime
	}
	h ^= ':'
	h *= prime
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= prime
	}
	return int(h % Buckets)
}

// ErrWrongType answers a value that is not of its flag's type.
func ErrWrongType(field string, t Type) error {
	return kernel.Invalid("featureflags.invalid_value", fmt.Sprintf("The value must be of the flag's type, %s.", t),
		kernel.FieldError{Field: field, Code: "wrong_type", Message: "must be of type " + string(t)})
}

// ParseValue turns raw JSON into a value of type t (bool, string, int64,
// or the decoded object), or ErrWrongType naming field.
func ParseValue(t Type, raw json.RawMessage, field string) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, ErrWrongType(field, t)
	}
	switch t {
	case Boolean:
		var b bool
		if json.Unmarshal(raw, &b) == nil {
			return b, nil
		}
	case String:
		var s string
		if json.Unmarshal(raw, &s) == nil && len(s) <= 10_000 {
			return s, nil
		}
	case Integer:
		// Exactly, as JavaScript clients can hold it: |i| < 2^53.
		var n json.Number
		if raw[0] != '"' && json.Unmarshal(raw, &n) == nil {
			if i, err := n.Int64(); err == nil && i < 1<<53 && i > -(1<<53) {
				return i, nil
			}
		}
	case Object:
		if raw[0] == '{' && len(raw) <= 64<<10 {
			var m map[string]any
			if json.Unmarshal(raw, &m) == nil {
				return m, nil
			}
		}
	}
	return nil, ErrWrongType(field, t)
}

// Of reports whether v, a Go value, is of type t (a declared default).
func Of(t Type, v any) bool {
	switch t {
	case Boolean:
		_, ok := v.(bool)
		return ok
	case String:
		_, ok := v.(string)
		return ok
	case Integer:
		_, ok := v.(int64)
		return ok
	case Object:
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// ErrInvalidPercentage answers a percentage outside 0–100.
var ErrInvalidPercentage = kernel.Invalid("featureflags.invalid_percentage", "The percentage must be between 0 and 100.",
	kernel.FieldError{Field: "percentage", Code: "out_of_range", Message: "must be between 0 and 100"})

// CheckPercentage checks p is in [0, 100].
func CheckPercentage(p float64) error {
	if math.IsNaN(p) || p < 0 || p > 100 {
		return ErrInvalidPercentage
	}
	return nil
}
