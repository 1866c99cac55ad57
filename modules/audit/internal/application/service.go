// Package application holds the audit log's use cases: recording an entry
// in the caller's transaction, listing entries for an organization or the
// whole platform, verifying every chain and pruning old entries.
package application

import (
	"context"
	"log/slog"

	"github.com/groundworkhq/groundwork/kernel"
)

// Deps are what the use cases need.
type Deps struct {
	UoW   kernel.UnitOfWork
	Store Store
	// Clock stamps entries (nil: the system clock).
	Clock kernel.Clock
	// Request reads the request an entry was caused by (nil: none).
	Request RequestFunc
	// Logger (nil: discard).
	Logger *slog.Logger
}

// Service runs the use cases.
type Service struct {
	uow     kernel.UnitOfWork
	store   Store
	clock   kernel.Clock
	request RequestFunc
	logger  *slog.Logger
}

// NewService returns a Service. Every dependency but Request is required;
// the module passes them. A nil Request reads no request metadata.
func NewService(d Deps) *Service {
	if d.Request == nil {
		d.Request = func(context.Context) RequestMeta { return RequestMeta{} }
	}
	return &Service{uow: d.UoW, store: d.Store, clock: d.Clock, request: d.Request, logger: d.Logger}
}
