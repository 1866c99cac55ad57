// Package application holds usage's use cases: the meters registered at
// boot, the quota check and increment in the caller's transaction, its
// idempotent variant and the refund, the reads of an organization's
// counters and history, and the rollover of ended windows.
package application

import (
	"log/slog"

	"github.com/groundworkhq/groundwork/kernel"
)

// Deps are the service's collaborators; all are required.
type Deps struct {
	UoW           kernel.UnitOfWork
	Store         Store
	Subscriptions Subscriptions
	Organizations Organizations
	Events        kernel.Publisher
	Clock         kernel.Clock
	Logger        *slog.Logger
	// Enabled turns enforcement on; off, increments allow everything and
	// write nothing.
	Enabled bool
}

// Service runs the use cases.
type Service struct {
	deps   Deps
	meters *Meters
}

// NewService returns the service over d with no meter registered; it does
// no I/O.
func NewService(d Deps) *Service { return &Service{deps: d, meters: NewMeters()} }

// Meters returns the registry of meters.
func (s *Service) Meters() *Meters { return s.meters }

// Enabled reports whether quotas are enforced.
func (s *Service) Enabled() bool { return s.deps.Enabled }
