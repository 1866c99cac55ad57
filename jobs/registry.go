package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// DefaultQueue is the queue a job goes to when neither its args nor its
// insert options name one. It always exists.
const DefaultQueue = river.QueueDefault

// DefaultQueueMaxWorkers is how many jobs of DefaultQueue one process runs at
// once unless AddQueue says otherwise.
const DefaultQueueMaxWorkers = 100

// maxQueueWorkers is River's upper bound on QueueConfig.MaxWorkers.
const maxQueueWorkers = 10_000

// Registry collects what modules contribute to the job system at boot:
// workers, queues and periodic jobs. It is not safe for concurrent use; fill
// it before calling New. Mistakes (a kind registered twice, a bad queue size)
// are remembered and returned by New rather than panicking at registration.
type Registry struct {
	workers    *river.Workers
	numWorkers int
	queues     map[string]int
	explicit   map[string]bool
	periodic   []*river.PeriodicJob
	errs       []error
}

// NewRegistry returns a Registry holding only DefaultQueue.
func NewRegistry() *Registry {
	return &Registry{
		workers:  river.NewWorkers(),
		queues:   map[string]int{DefaultQueue: DefaultQueueMaxWorkers},
		explicit: map[string]bool{},
	}
}

// AddWorker registers w as the worker of T's kind. Registering a second
// worker for the same kind is an error, reported by New.
func AddWorker[T river.JobArgs](r *Registry, w river.Worker[T]) {
	if err := river.AddWorkerSafely(r.workers, w); err != nil {
		var args T
		r.errs = append(r.errs, fmt.Errorf("add worker for %s: %w", kindOf(args), err))
		return
	}
	r.numWorkers++
}

// AddQueue declares a queue and how many of its jobs one process runs at
// once (1 to 10,000). It may resize DefaultQueue. Declaring the same queue
// twice with different sizes is an error, reported by New, as is an invalid
// size; River checks the name when a working Client is created.
func (r *Registry) AddQueue(name string, maxWorkers int) {
	switch {
	case maxWorkers < 1 || maxWorkers > maxQueueWorkers:
		r.errs = append(r.errs, fmt.Errorf("add queue %q: max workers %d is not between 1 and %d", name, maxWorkers, maxQueueWorkers))
		return
	case r.explicit[name] && r.queues[name] != maxWorkers:
		r.errs = append(r.errs, fmt.Errorf("add queue %q: declared twice, with %d and %d workers", name, r.queues[name], maxWorkers))
		return
	}
	r.queues[name] = maxWorkers
	r.explicit[name] = true
}

// AddPeriodic registers a River periodic job (river.NewPeriodicJob; set
// PeriodicJobOpts.RunOnStart to insert one as soon as a leader starts). Only
// the elected leader among working clients enqueues periodic jobs; their
// kinds need a worker like any other job. A nil job is an error, reported by
// New, as are duplicate IDs.
func (r *Registry) AddPeriodic(p *river.PeriodicJob) {
	if p == nil {
		r.errs = append(r.errs, errors.New("add periodic job: nil"))
		return
	}
	r.periodic = append(r.periodic, p)
}

// hasQueue reports whether name was declared.
func (r *Registry) hasQueue(name string) bool {
	_, ok := r.queues[name]
	return ok
}

// err returns every registration mistake.
func (r *Registry) err() error { return errors.Join(r.errs...) }

// queueConfig returns the queues in River's shape.
func (r *Registry) queueConfig() map[string]river.QueueConfig {
	qs := make(map[string]river.QueueConfig, len(r.queues))
	for name, n := range r.queues {
		qs[name] = river.QueueConfig{MaxWorkers: n}
	}
	return qs
}

// kindOf returns args' kind, tolerating nil args.
func kindOf(args river.JobArgs) string {
	if args == nil {
		return "<nil>"
	}
	return args.Kind()
}

// Every registers fn as the worker of T's kind and has the elected leader
// enqueue a T every interval, and once when it starts with runOnStart. T is
// an empty args type that names the job; fn must be idempotent, since a
// retry or an overlap runs it again.
func Every[T river.JobArgs](r *Registry, interval time.Duration, runOnStart bool, fn func(ctx context.Context) error) {
	AddWorker[T](r, &funcWorker[T]{fn: fn})
	var args T
	r.AddPeriodic(river.NewPeriodicJob(
		river.PeriodicInterval(interval),
		func() (river.JobArgs, *river.InsertOpts) {
			var a T
			return a, nil
		},
		&river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: runOnStart},
	))
}

// funcWorker runs a function for every job of T.
type funcWorker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	fn func(ctx context.Context) error
}

// Work calls the function.
func (w *funcWorker[T]) Work(ctx context.Context, _ *river.Job[T]) error { return w.fn(ctx) }
