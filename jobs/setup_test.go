package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// waitFor bounds every wait for background work.
const waitFor = 30 * time.Second

// countArgs is a job that records each run of its token.
type countArgs struct {
	Token string `json:"token"`
}

func (countArgs) Kind() string { return "jobs_test.count" }

// failArgs is a job that fails every attempt.
type failArgs struct{}

func (failArgs) Kind() string { return "jobs_test.fail" }

// blockArgs is a job that runs until its context is cancelled.
type blockArgs struct{}

func (blockArgs) Kind() string { return "jobs_test.block" }

// orphanArgs has no worker registered.
type orphanArgs struct{}

func (orphanArgs) Kind() string { return "jobs_test.orphan" }

// runs counts executions per token and signals each one.
type runs struct {
	counts sync.Map // token → *atomic.Int64
	ran    chan string
}

func newRuns() *runs { return &runs{ran: make(chan string, 1000)} }

func (r *runs) add(token string) {
	n, _ := r.counts.LoadOrStore(token, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	select {
	case r.ran <- token:
	default: // never with tests' handful of jobs; count stays exact
	}
}

func (r *runs) count(token string) int64 {
	n, ok := r.counts.Load(token)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

// wait blocks until token has run at least n times. The channel only wakes
// it up; the counts are the truth, so no signal can be missed.
func (r *runs) wait(t *testing.T, token string, n int64) {
	t.Helper()
	deadline := time.After(waitFor)
	for r.count(token) < n {
		select {
		case <-r.ran:
		case <-deadline:
			t.Fatalf("job %q ran %d times within %s, want %d", token, r.count(token), waitFor, n)
		}
	}
}

type countWorker struct {
	river.WorkerDefaults[countArgs]
	runs *runs
}

func (w *countWorker) Work(_ context.Context, job *river.Job[countArgs]) error {
	w.runs.add(job.Args.Token)
	return nil
}

type failWorker struct {
	river.WorkerDefaults[failArgs]
}

func (failWorker) Work(_ context.Context, job *river.Job[failArgs]) error {
	return fmt.Errorf("attempt %d failed on purpose", job.Attempt)
}

// blockWorker signals started, then holds until its context ends and
// reports how it ended.
type blockWorker struct {
	river.WorkerDefaults[blockArgs]
	started   chan struct{}
	cancelled chan error
}

func (w *blockWorker) Work(ctx context.Context, _ *river.Job[blockArgs]) error {
	close(w.started)
	<-ctx.Done()
	w.cancelled <- ctx.Err()
	return ctx.Err()
}

// retryAtOnce retries a failed job immediately.
type retryAtOnce struct{}

func (retryAtOnce) NextRetry(*rivertype.JobRow) time.Time { return time.Now() }

// bundle is what most tests need.
type bundle struct {
	d    *db.DB
	reg  *jobs.Registry
	runs *runs
}

// setup opens a migrated database of the dialect and a Registry with the
// count and fail workers.
func setup(t *testing.T, dialect db.Dialect) *bundle {
	t.Helper()
	d := testdb.Open(t, dialect)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := db.NewMigrator(d, discard(), jobs.MigrationSet(d)).Up(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	b := &bundle{d: d, reg: jobs.NewRegistry(), runs: newRuns()}
	jobs.AddWorker(b.reg, &countWorker{runs: b.runs})
	jobs.AddWorker(b.reg, failWorker{})
	return b
}

// client creates a client, stopped when the test ends.
func (b *bundle) client(t *testing.T, cfg jobs.Config) *jobs.Client {
	t.Helper()
	c, err := jobs.New(b.d, b.reg, cfg, discard())
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		if err := c.Stop(ctx); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return c
}

// started creates a working client and starts it.
func (b *bundle) started(t *testing.T, cfg jobs.Config) *jobs.Client {
	t.Helper()
	cfg.Work = true
	c := b.client(t, cfg)
	if err := c.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	return c
}

// countRows counts river_job rows of kind outside any transaction (on
// SQLite, through the read pool).
func (b *bundle) countRows(t *testing.T, kind string) int {
	t.Helper()
	var n int
	if err := b.d.Q(context.Background()).QueryRow(context.Background(),
		"SELECT count(*) FROM river_job WHERE kind = $1", kind).Scan(&n); err != nil {
		t.Fatalf("count jobs: %v", err)
	}
	return n
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

var errRollback = errors.New("roll back on purpose")
