package main

import (
	"context"
	"math"
	"slices"
	"sync"
	"time"
)

// op is one unit of work of a scenario (a request, a hash), run by worker
// number worker. A non-nil error counts as a failure.
type op func(ctx context.Context, worker int) error

// result is what one scenario measured.
type result struct {
	Name     string
	Workers  int
	Duration time.Duration // the measured window
	// Count is the operations that completed without error inside the
	// measured window; latencies are theirs, sorted.
	Count     int
	latencies []time.Duration
	// Errors counts every failed operation, warm-up included; FirstError is
	// one of them.
	Errors     int
	FirstError string
}

// Rate is the operations per second over the measured window.
func (r result) Rate() float64 { return float64(r.Count) / r.Duration.Seconds() }

// Percentile returns the latency under which a fraction p (0–1) of the
// measured operations completed (nearest rank), or 0 with none.
func (r result) Percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	rank := int(math.Ceil(p*float64(len(r.latencies)))) - 1
	return r.latencies[min(max(rank, 0), len(r.latencies)-1)]
}

// workerStats is one worker's tally; each worker writes only its own.
type workerStats struct {
	latencies []time.Duration
	errors    int
	firstErr  error
}

// merge adds another round of the same scenario to r.
func (r result) merge(o result) result {
	r.Duration += o.Duration
	r.Errors += o.Errors
	if r.FirstError == "" {
		r.FirstError = o.FirstError
	}
	r.latencies = append(r.latencies, o.latencies...)
	r.Count += o.Count
	return r
}

// runLoad runs do on workers goroutines in closed loops: each starts its next
// operation when the last one ends. After warmup, operations that complete
// within duration are measured; no operation starts after that, and those
// still running then finish unmeasured. It returns early, with what it has,
// when ctx ends.
func runLoad(ctx context.Context, name string, workers int, warmup, duration time.Duration, do op) result {
	start := time.Now()
	from := start.Add(warmup)
	until := from.Add(duration)
	stats := make([]workerStats, workers)

	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			s := &stats[w]
			s.latencies = make([]time.Duration, 0, 4096)
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(until) {
					return
				}
				err := do(ctx, w)
				t1 := time.Now()
				if err != nil {
					if ctx.Err() != nil {
						return // interrupted: not the server's failure
					}
					s.errors++
					if s.firstErr == nil {
						s.firstErr = err
					}
					continue
				}
				if !t1.Before(from) && !t1.After(until) {
					s.latencies = append(s.latencies, t1.Sub(t0))
				}
			}
		})
	}
	wg.Wait()

	r := result{Name: name, Workers: workers, Duration: duration}
	for _, s := range stats {
		r.latencies = append(r.latencies, s.latencies...)
		r.Errors += s.errors
		if s.firstErr != nil && r.FirstError == "" {
			r.FirstError = s.firstErr.Error()
		}
	}
	if end := time.Now(); end.Before(until) { // interrupted
		r.Duration = max(end.Sub(from), time.Millisecond)
	}
	slices.Sort(r.latencies)
	r.Count = len(r.latencies)
	return r
}
