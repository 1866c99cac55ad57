package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
)

// Refund takes n of meter back from org's current window — for work
// counted and then not done — never below zero. A window that has ended
// is history: nothing changes then, and nothing without a counter, or with
// enforcement off. It runs in the transaction ctx carries, or alone.
// Errors: kernel Invalid for n <= 0, usage.unknown_meter, or the
// database's.
func (s *Service) Refund(ctx context.Context, org kernel.OrganizationID, meter string, n int64) error {
	m, err := s.meterFor(meter, n)
	if err != nil || !s.deps.Enabled {
		return err
	}
	if _, err := s.deps.Store.Refund(ctx, Key{Org: org, Meter: m.Key}, n, s.deps.Clock.Now()); err != nil {
		return fmt.Errorf("refund %s: %w", m.Key, err)
	}
	return nil
}
