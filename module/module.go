// Package module holds what every module is built with, Groundwork's own
// and a product's alike: the shared Services. app.Deps carries them to a
// product's modules; iam, tenancy, audit and notifications embed them in
// their Deps.
package module

import (
	"errors"
	"log/slog"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
)

// Services are the shared services of one application. Jobs can insert
// only once the application is built: a module keeps the client for later
// and registers its workers through app.WorkerRegistrar.
type Services struct {
	DB     *db.DB
	Bus    *eventbus.Bus
	Jobs   *jobs.Client
	Clock  kernel.Clock // nil: the system clock
	Logger *slog.Logger // nil: discard
}

// Ready returns s for the module named name: an error ("tenancy: no
// database") without a database, else s with the system clock for a nil
// Clock, and the Logger (a discarding one for nil) scoped to the module:
// every line it writes carries module=name.
func (s Services) Ready(name string) (Services, error) {
	if s.DB == nil {
		return s, errors.New(name + ": no database")
	}
	if s.Clock == nil {
		s.Clock = kernel.SystemClock{}
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	s.Logger = s.Logger.With("module", name)
	return s, nil
}
