package application

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

// The page sizes of History.
const (
	DefaultHistoryLimit = 100
	MaxHistoryLimit     = 1000
)

// CodeInvalidRange refuses a history query whose from is after its to.
const CodeInvalidRange = "usage.invalid_range"

// History returns org's closed windows of meter that overlap [from, to)
// (a zero bound is open), newest first, at most limit
// (DefaultHistoryLimit for 0, never more than MaxHistoryLimit). Errors:
// kernel Invalid usage.invalid_range naming query.to when from is after
// to, usage.unknown_meter, or the database's.
func (s *Service) History(ctx context.Context, org kernel.OrganizationID, meter string, from, to time.Time, limit int) ([]domain.Closed, error) {
	if !from.IsZero() && !to.IsZero() && from.After(to) {
		return nil, kernel.Invalid(CodeInvalidRange, "The range ends before it starts.",
			kernel.FieldError{Field: "query.to", Code: "before_from", Message: "must not be before from"})
	}
	m, err := s.meters.Meter(meter)
	if err != nil {
		return nil, err
	}
	out, err := s.deps.Store.History(ctx, Key{Org: org, Meter: m.Key}, from, to, kernel.PageLimit(limit, DefaultHistoryLimit, MaxHistoryLimit))
	if err != nil {
		return nil, fmt.Errorf("read history of %s: %w", m.Key, err)
	}
	return out, nil
}
