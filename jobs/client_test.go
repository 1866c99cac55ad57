package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func TestInsert_RolledBackTransactionNeverRuns(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c := b.started(t, jobs.Config{})
		ctx := context.Background()

		err := b.d.Tx(ctx, func(ctx context.Context) error {
			if _, err := c.Insert(ctx, countArgs{Token: "rolled-back"}, nil); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("tx error = %v, want the rollback", err)
		}
		// Same queue, inserted afterwards: once it has run, the rolled-back
		// job would have been fetched before it had it existed.
		err = b.d.Tx(ctx, func(ctx context.Context) error {
			_, err := c.Insert(ctx, countArgs{Token: "marker"}, nil)
			return err
		})
		if err != nil {
			t.Fatalf("insert marker: %v", err)
		}
		b.runs.wait(t, "marker", 1)

		if n := b.runs.count("rolled-back"); n != 0 {
			t.Errorf("rolled-back job ran %d times", n)
		}
		all, err := c.List(ctx, jobs.ListParams{Queue: jobs.DefaultQueue})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(all) != 1 || tokenOf(t, all[0]) != "marker" {
			t.Errorf("jobs in queue = %v, want only the marker", argsOf(all))
		}
	})
}

func TestInsert_CommittedTransactionRunsOnce(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c := b.started(t, jobs.Config{})
		ctx := context.Background()

		var id int64
		err := b.d.Tx(ctx, func(ctx context.Context) error {
			row, err := c.Insert(ctx, countArgs{Token: "committed"}, nil)
			if err != nil {
				return err
			}
			id = row.ID
			return nil
		})
		if err != nil {
			t.Fatalf("tx: %v", err)
		}
		b.runs.wait(t, "committed", 1)
		if err := c.Stop(ctx); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if n := b.runs.count("committed"); n != 1 {
			t.Errorf("job ran %d times, want 1", n)
		}
		row, err := c.Job(ctx, id)
		if err != nil {
			t.Fatalf("job: %v", err)
		}
		if row.State != rivertype.JobStateCompleted || row.Attempt != 1 {
			t.Errorf("job state %s after %d attempts, want completed after 1", row.State, row.Attempt)
		}
	})
}

func TestInsert_RunsOnceOnAClientStartedLater(t *testing.T) {
	t.Parallel()
	// How the job gets in before the working client exists.
	inserters := map[string]func(t *testing.T, b *bundle) *jobs.Client{
		"insert-only": func(t *testing.T, b *bundle) *jobs.Client {
			return b.client(t, jobs.Config{})
		},
		"never started": func(t *testing.T, b *bundle) *jobs.Client {
			return b.client(t, jobs.Config{Work: true})
		},
		"started and stopped": func(t *testing.T, b *bundle) *jobs.Client {
			c := b.started(t, jobs.Config{})
			if err := c.Stop(context.Background()); err != nil {
				t.Fatalf("stop: %v", err)
			}
			return c
		},
	}
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		for name, inserter := range inserters {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, dialect)
				ctx := context.Background()

				first := inserter(t, b)
				row, err := first.Insert(ctx, countArgs{Token: "later"}, nil)
				if err != nil {
					t.Fatalf("insert: %v", err)
				}
				if err := first.Stop(ctx); err != nil {
					t.Fatalf("stop first client: %v", err)
				}
				if n := b.runs.count("later"); n != 0 {
					t.Fatalf("job ran %d times before a working client started", n)
				}

				second := b.started(t, jobs.Config{})
				b.runs.wait(t, "later", 1)
				if err := second.Stop(ctx); err != nil {
					t.Fatalf("stop second client: %v", err)
				}
				if n := b.runs.count("later"); n != 1 {
					t.Errorf("job ran %d times, want 1", n)
				}
				got, err := second.Job(ctx, row.ID)
				if err != nil {
					t.Fatalf("job: %v", err)
				}
				if got.State != rivertype.JobStateCompleted {
					t.Errorf("job state = %s, want completed", got.State)
				}
			})
		}
	})
}

func TestFailingJob_IsDiscardedAndListed(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c := b.started(t, jobs.Config{MaxAttempts: 2, RetryPolicy: retryAtOnce{}})
		events, cancel, err := c.Subscribe(river.EventKindJobFailed)
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		defer cancel()
		ctx := context.Background()

		row, err := c.Insert(ctx, failArgs{}, nil)
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		deadline := time.After(waitFor)
	wait:
		for {
			select {
			case ev := <-events:
				if ev.Job.ID == row.ID && ev.Job.State == rivertype.JobStateDiscarded {
					break wait
				}
			case <-deadline:
				t.Fatalf("job not discarded within %s", waitFor)
			}
		}

		discarded, err := c.List(ctx, jobs.ListParams{States: []rivertype.JobState{rivertype.JobStateDiscarded}})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(discarded) != 1 || discarded[0].ID != row.ID {
			t.Fatalf("discarded jobs = %v, want job %d", discarded, row.ID)
		}
		got := discarded[0]
		if got.Attempt != 2 || len(got.Errors) != 2 {
			t.Fatalf("attempt %d with %d errors, want 2 and 2", got.Attempt, len(got.Errors))
		}
		if want := "attempt 2 failed on purpose"; got.Errors[1].Error != want {
			t.Errorf("last error = %q, want %q", got.Errors[1].Error, want)
		}
		if got.FinalizedAt == nil {
			t.Error("discarded job has no finalized_at")
		}
		// Other filters leave it out.
		none, err := c.List(ctx, jobs.ListParams{Kind: "jobs_test.count", States: []rivertype.JobState{rivertype.JobStateDiscarded}})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(none) != 0 {
			t.Errorf("list by another kind = %v, want none", argsOf(none))
		}
	})
}

func TestPeriodicJob_RunsOnStart(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		b.reg.AddPeriodic(river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return countArgs{Token: "periodic"}, nil },
			&river.PeriodicJobOpts{ID: "jobs_test_periodic", RunOnStart: true}))
		b.started(t, jobs.Config{})

		b.runs.wait(t, "periodic", 1)
	})
}

func TestInsert_WithoutTransaction(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c := b.client(t, jobs.Config{})
		ctx := context.Background()

		row, err := c.Insert(ctx, countArgs{Token: "plain"}, &river.InsertOpts{Priority: 2})
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		if row.Kind != "jobs_test.count" || row.Queue != jobs.DefaultQueue || row.State != rivertype.JobStateAvailable ||
			row.Priority != 2 || row.MaxAttempts != jobs.DefaultMaxAttempts {
			t.Errorf("inserted %s in %s, %s, priority %d, max attempts %d", row.Kind, row.Queue, row.State, row.Priority, row.MaxAttempts)
		}
		if n := b.countRows(t, "jobs_test.count"); n != 1 {
			t.Errorf("rows = %d, want 1", n)
		}
		got, err := c.Job(ctx, row.ID)
		if err != nil {
			t.Fatalf("job: %v", err)
		}
		if tok := tokenOf(t, got); tok != "plain" {
			t.Errorf("token = %q, want plain", tok)
		}
	})
}

func TestInsert_InTransactionVisibleOnlyAfterCommit(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c := b.client(t, jobs.Config{})
		ctx := context.Background()

		var id int64
		err := b.d.Tx(ctx, func(ctx context.Context) error {
			rows, err := c.InsertMany(ctx, []river.InsertManyParams{
				{Args: countArgs{Token: "a"}},
				{Args: countArgs{Token: "b"}},
			})
			if err != nil {
				return err
			}
			id = rows[0].ID
			if n := b.countRows(t, "jobs_test.count"); n != 0 {
				t.Errorf("rows seen outside the transaction before commit = %d, want 0", n)
			}
			// Reads through the client join the transaction (on SQLite,
			// going to the pool would wait for the writer this holds).
			if _, err := c.Job(ctx, id); err != nil {
				t.Errorf("job inside the transaction: %v", err)
			}
			inside, err := c.List(ctx, jobs.ListParams{Kind: "jobs_test.count"})
			if err != nil || len(inside) != 2 {
				t.Errorf("list inside the transaction = %d jobs, %v; want 2", len(inside), err)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("tx: %v", err)
		}
		if n := b.countRows(t, "jobs_test.count"); n != 2 {
			t.Errorf("rows after commit = %d, want 2", n)
		}
		if _, err := c.Job(ctx, id); err != nil {
			t.Errorf("job after commit: %v", err)
		}
	})
}

func TestInsert_Errors(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		for _, work := range []bool{false, true} {
			c := b.client(t, jobs.Config{Work: work})

			_, err := c.Insert(ctx, orphanArgs{}, nil)
			var unknown *rivertype.UnknownJobKindError
			if !errors.As(err, &unknown) || unknown.Kind != "jobs_test.orphan" {
				t.Errorf("work=%t: insert of a kind without worker: %v, want UnknownJobKindError", work, err)
			}
			if _, err := c.Insert(ctx, countArgs{}, &river.InsertOpts{Queue: "nowhere"}); err == nil {
				t.Errorf("work=%t: insert into an undeclared queue: no error", work)
			}
			if _, err := c.Insert(ctx, nil, nil); err == nil {
				t.Errorf("work=%t: insert of nil args: no error", work)
			}
			if _, err := c.InsertMany(ctx, nil); err == nil {
				t.Errorf("work=%t: insert of no jobs: no error", work)
			}
		}
		if n := b.countRows(t, "jobs_test.count"); n != 0 {
			t.Errorf("rows = %d, want 0", n)
		}

		c := b.client(t, jobs.Config{})
		_, err := c.Job(ctx, 424242)
		if !errors.Is(err, jobs.ErrJobNotFound) || kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("job of unknown id: %v, want ErrJobNotFound", err)
		}
		if _, err := c.List(ctx, jobs.ListParams{Limit: -1}); err == nil {
			t.Error("list with a negative limit: no error")
		}
	})
}

func TestInsert_QueueFromRegistry(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		b.reg.AddQueue("mail", 3)
		c := b.started(t, jobs.Config{})
		ctx := context.Background()

		row, err := c.Insert(ctx, countArgs{Token: "mail"}, &river.InsertOpts{Queue: "mail"})
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		if row.Queue != "mail" {
			t.Errorf("queue = %q, want mail", row.Queue)
		}
		b.runs.wait(t, "mail", 1)
	})
}

func TestNew_ReportsRegistryMistakes(t *testing.T) {
	t.Parallel()
	d := testdb.Open(t, db.SQLite)
	cases := map[string]func(r *jobs.Registry){
		"worker registered twice": func(r *jobs.Registry) {
			jobs.AddWorker(r, &countWorker{runs: newRuns()})
			jobs.AddWorker(r, &countWorker{runs: newRuns()})
		},
		"queue of no workers": func(r *jobs.Registry) { r.AddQueue("mail", 0) },
		"queue declared twice": func(r *jobs.Registry) {
			r.AddQueue("mail", 2)
			r.AddQueue("mail", 3)
		},
		"nil periodic job": func(r *jobs.Registry) { r.AddPeriodic(nil) },
		"periodic jobs with one ID": func(r *jobs.Registry) {
			jobs.AddWorker(r, &countWorker{runs: newRuns()})
			for range 2 {
				r.AddPeriodic(river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
					func() (river.JobArgs, *river.InsertOpts) { return countArgs{}, nil },
					&river.PeriodicJobOpts{ID: "same"}))
			}
		},
		"invalid queue name": func(r *jobs.Registry) { r.AddQueue("no spaces", 1) },
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := jobs.NewRegistry()
			build(r)
			if _, err := jobs.New(d, r, jobs.Config{Work: true}, discard()); err == nil {
				t.Error("New: no error")
			}
		})
	}
	if _, err := jobs.New(d, jobs.NewRegistry(), jobs.Config{MaxAttempts: -1}, discard()); err == nil {
		t.Error("New with negative MaxAttempts: no error")
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		t.Run("never started", func(t *testing.T) {
			t.Parallel()
			b := setup(t, dialect)
			c := b.client(t, jobs.Config{Work: true})
			if err := c.Stop(ctx); err != nil {
				t.Errorf("stop: %v", err)
			}
		})
		t.Run("cancels jobs still running after the timeout", func(t *testing.T) {
			t.Parallel()
			b := setup(t, dialect)
			w := &blockWorker{started: make(chan struct{}), cancelled: make(chan error, 1)}
			jobs.AddWorker(b.reg, w)
			c := b.started(t, jobs.Config{StopTimeout: 50 * time.Millisecond})
			if _, err := c.Insert(ctx, blockArgs{}, nil); err != nil {
				t.Fatalf("insert: %v", err)
			}
			select {
			case <-w.started:
			case <-time.After(waitFor):
				t.Fatalf("job did not start within %s", waitFor)
			}
			stopCtx, cancel := context.WithTimeout(ctx, waitFor)
			defer cancel()
			if err := c.Stop(stopCtx); err != nil {
				t.Fatalf("stop: %v", err)
			}
			select {
			case err := <-w.cancelled:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("job context ended with %v, want cancelled", err)
				}
			default:
				t.Error("Stop returned while the job was still running")
			}
		})
	})
}

func TestConfig_Clock(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		now := time.Date(2031, 2, 3, 4, 5, 6, 789_000_000, time.UTC)
		c := b.client(t, jobs.Config{Clock: kernel.ClockFunc(func() time.Time { return now })})

		row, err := c.Insert(context.Background(), countArgs{}, nil)
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		if !row.CreatedAt.Equal(now) || !row.ScheduledAt.Equal(now) {
			t.Errorf("created %s, scheduled %s; want both %s", row.CreatedAt, row.ScheduledAt, now)
		}
	})
}

// tokenOf decodes a count job's token.
func tokenOf(t *testing.T, row *rivertype.JobRow) string {
	t.Helper()
	var args countArgs
	if err := json.Unmarshal(row.EncodedArgs, &args); err != nil {
		t.Fatalf("decode args of job %d: %v", row.ID, err)
	}
	return args.Token
}

// argsOf lists jobs' encoded args, for failure messages.
func argsOf(rows []*rivertype.JobRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Kind + string(r.EncodedArgs)
	}
	return out
}

func TestPrepareThenBuild(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		reg := jobs.NewRegistry()
		c := jobs.Prepare(b.d, reg, jobs.Config{Work: true}, discard())
		ctx := context.Background()
		if _, err := c.Insert(ctx, countArgs{Token: "early"}, nil); !errors.Is(err, jobs.ErrNotBuilt) {
			t.Errorf("insert before Build: err = %v, want ErrNotBuilt", err)
		}
		if err := c.Start(ctx); !errors.Is(err, jobs.ErrNotBuilt) {
			t.Errorf("start before Build: err = %v, want ErrNotBuilt", err)
		}
		if err := c.Stop(ctx); err != nil {
			t.Errorf("stop before Build: %v", err)
		}
		// A worker registered after Prepare and before Build is seen.
		jobs.AddWorker(reg, &countWorker{runs: b.runs})
		if err := c.Build(); err != nil {
			t.Fatal(err)
		}
		if err := c.Build(); err == nil {
			t.Error("second Build succeeded")
		}
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Stop(context.Background()) })
		if _, err := c.Insert(ctx, countArgs{Token: "late"}, nil); err != nil {
			t.Fatal(err)
		}
		b.runs.wait(t, "late", 1)
	})
}

// TestRescue_JobLeftRunningByACrashRunsAgain: a process killed mid-job
// leaves the row running; a worker of another process takes it for stuck
// after RescueAfter and runs it, rather than an hour later (River's
// default).
func TestRescue_JobLeftRunningByACrashRunsAgain(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		row, err := b.client(t, jobs.Config{}).Insert(ctx, countArgs{Token: "crashed"}, nil)
		if err != nil {
			t.Fatalf("insert: %v", err)
		}
		// As a killed worker leaves it: running, attempted a while ago.
		attempted := time.Now().Add(-10 * time.Second)
		if _, err := b.d.QW(ctx).Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = $1 WHERE id = $2`,
			attempted.UTC(), row.ID); err != nil {
			t.Fatalf("mark running: %v", err)
		}
		c := b.started(t, jobs.Config{JobTimeout: time.Second, RescueAfter: 5 * time.Second, RetryPolicy: retryAtOnce{}})
		// The rescuer's first pass comes once the client leads; allow two.
		t.Cleanup(func() {
			if t.Failed() {
				got, _ := c.Job(context.Background(), row.ID)
				t.Logf("the stuck job: %+v", got)
			}
		})
		testdb.EventuallyWithin(t, "the stuck job to be rescued and run again", 75*time.Second, func() bool {
			return b.runs.count("crashed") > 0
		})
	})
}
