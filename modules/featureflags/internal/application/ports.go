package application

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// Row is a flag's stored part, values as JSON: a runtime flag's
// definition, or only the rules of a flag declared in code (whose
// definition fields then repeat the code's).
type Row struct {
	Key             string
	Runtime         bool
	Type            string
	Default         string
	Description     string
	ClientVisible   bool
	OrgConfigurable bool
	BucketBy        string
	Archived        bool
	KillSwitch      bool
	Global          *string
	RolloutPercent  *float64
	RolloutValue    *string
	PlanPlans       *string // a JSON array of plan names
	PlanValue       *string
	UpdatedAt       time.Time
}

// Override is an organization's or a user's value of a flag.
type Override struct {
	Key     string
	Scope   string // ScopeOrganization or ScopeUser
	Subject string
	Value   string // JSON
}

// The scopes of overrides.
const (
	ScopeOrganization = "organization"
	ScopeUser         = "user"
)

// Store keeps the flags. Every write sends the flags' notification in its
// transaction, so every process reloads.
type Store interface {
	// Load reads every row and override.
	Load(ctx context.Context) ([]Row, []Override, error)
	// Lock returns the flag's row locked for update (in a transaction),
	// creating it from seed when there is none.
	Lock(ctx context.Context, seed Row) (Row, error)
	// Insert adds a runtime flag's row; false when the key is taken.
	Insert(ctx context.Context, r Row) (bool, error)
	// Save writes the row back.
	Save(ctx context.Context, r Row) error
	// SetOverride sets an override, returning the value it replaced ("" none).
	SetOverride(ctx context.Context, o Override, now time.Time) (string, error)
	// DeleteOverride removes an override, returning the value it had ("" none).
	DeleteOverride(ctx context.Context, key, scope, subject string) (string, error)
	// DeleteSubject removes every override of a deleted organization or user.
	DeleteSubject(ctx context.Context, scope, subject string) error
	// Listening reports whether other processes' writes reach this one at
	// once; Subscribe has fn run after each write of any process.
	Listening() bool
	Subscribe(fn func())
}

// Plans is billing's port: an organization's plan, and the plans that exist.
type Plans interface {
	PlanOf(ctx context.Context, org kernel.OrganizationID) (string, error)
	PlanExists(plan string) bool
}
