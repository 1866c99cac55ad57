package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
)

// DiscardedJobRetention is how long a job that exhausted its attempts (state
// discarded) stays in river_job, with its errors, for admins to inspect and
// retry. River's default is 7 days.
const DiscardedJobRetention = 30 * 24 * time.Hour

// Defaults applied by New to a zero Config field.
const (
	// DefaultFetchPollIntervalPostgres is Config.FetchPollInterval's default
	// on PostgreSQL, where LISTEN/NOTIFY wakes fetching on insert anyway.
	DefaultFetchPollIntervalPostgres = time.Second
	// DefaultFetchPollIntervalSQLite is Config.FetchPollInterval's default on
	// SQLite.
	DefaultFetchPollIntervalSQLite = 200 * time.Millisecond
	// DefaultMaxAttempts is Config.MaxAttempts' default, River's.
	DefaultMaxAttempts = river.MaxAttemptsDefault
	// DefaultStopTimeout is Config.StopTimeout's default.
	DefaultStopTimeout = 30 * time.Second
	// DefaultJobTimeout is Config.JobTimeout's default.
	DefaultJobTimeout = time.Minute
	// DefaultRescueAfter is Config.RescueAfter's default.
	DefaultRescueAfter = 3 * time.Minute
)

// ErrJobNotFound is returned (wrapped) by Client.Job, Retry and Cancel for
// an unknown ID (404 "jobs.not_found" at the edge).
var ErrJobNotFound = kernel.NotFound("jobs.not_found", "The job does not exist.")

// Config tunes a Client. The zero value is an insert-only client with the
// defaults below.
type Config struct {
	// Work makes the client fetch and run jobs once started. False gives an
	// insert-only client (serve --no-workers): Start and Stop do nothing.
	Work bool
	// FetchPollInterval is how often an idle working client looks for jobs
	// (default 1s on PostgreSQL, where LISTEN/NOTIFY wakes it on insert
	// anyway; 200ms on SQLite).
	FetchPollInterval time.Duration
	// MaxAttempts is how many times a job runs before it is discarded, unless
	// its args or insert options say otherwise (default 25, River's).
	MaxAttempts int
	// StopTimeout is how long Stop waits for running jobs before cancelling
	// their contexts (default 30s).
	StopTimeout time.Duration
	// JobTimeout is how long one attempt of a job may run before its
	// context is cancelled and it counts as failed (default 1 minute; a
	// worker may set its own with a Timeout method).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken
	// for the leftover of a process that died mid-run (kill -9, a lost
	// machine) and is retried (default 3 minutes; longer than JobTimeout).
	// River checks every 30 seconds, so such a job runs again within
	// RescueAfter plus half a minute of the crash.
	RescueAfter time.Duration
	// RetryPolicy schedules the next attempt after a failure (default:
	// River's attempt^4 seconds with jitter). Tests use one that retries at
	// once.
	RetryPolicy river.ClientRetryPolicy
	// Clock, when set, is the time River uses for the times it writes
	// (created_at, scheduled_at, retries, leadership). For tests; nil uses
	// the wall clock and the database's now().
	Clock kernel.Clock
}

// withDefaults returns cfg with zero fields defaulted for dialect, or an
// error naming a field that cannot be used.
func (cfg Config) withDefaults(dialect db.Dialect) (Config, error) {
	switch {
	case cfg.FetchPollInterval < 0:
		return cfg, fmt.Errorf("fetch poll interval %s is negative", cfg.FetchPollInterval)
	case cfg.MaxAttempts < 0:
		return cfg, fmt.Errorf("max attempts %d is negative", cfg.MaxAttempts)
	case cfg.StopTimeout < 0:
		return cfg, fmt.Errorf("stop timeout %s is negative", cfg.StopTimeout)
	case cfg.JobTimeout < 0:
		return cfg, fmt.Errorf("job timeout %s is negative", cfg.JobTimeout)
	case cfg.RescueAfter < 0:
		return cfg, fmt.Errorf("rescue after %s is negative", cfg.RescueAfter)
	}
	poll := DefaultFetchPollIntervalSQLite
	if dialect == db.Postgres {
		poll = DefaultFetchPollIntervalPostgres
	}
	cfg.FetchPollInterval = cmp.Or(cfg.FetchPollInterval, poll)
	cfg.MaxAttempts = cmp.Or(cfg.MaxAttempts, DefaultMaxAttempts)
	cfg.StopTimeout = cmp.Or(cfg.StopTimeout, DefaultStopTimeout)
	cfg.JobTimeout = cmp.Or(cfg.JobTimeout, DefaultJobTimeout)
	cfg.RescueAfter = cmp.Or(cfg.RescueAfter, max(DefaultRescueAfter, 2*cfg.JobTimeout))
	if cfg.RescueAfter <= cfg.JobTimeout {
		return cfg, fmt.Errorf("rescue after %s is not longer than the job timeout %s", cfg.RescueAfter, cfg.JobTimeout)
	}
	return cfg, nil
}

// Client inserts jobs and, when configured to work, runs them. It is safe for
// concurrent use. Its lifecycle: New (no I/O), Start, Stop.
type Client struct {
	d      *db.DB
	eng    engine
	reg    *Registry
	cfg    Config
	logger *slog.Logger
}

// New returns a Client over d for the workers, queues and periodic jobs in
// reg: Prepare and Build in one step. It does no I/O; River's schema must be
// migrated (MigrationSet) before the client is used. It returns Build's
// errors.
func New(d *db.DB, reg *Registry, cfg Config, logger *slog.Logger) (*Client, error) {
	c := Prepare(d, reg, cfg, logger)
	if err := c.Build(); err != nil {
		return nil, err
	}
	return c, nil
}

// Prepare returns a Client whose registry is still open: the composition
// root hands it to modules, which keep it for inserting jobs and register
// their workers in reg; Build then makes it usable. Until Build succeeds,
// every method returns ErrNotBuilt.
func Prepare(d *db.DB, reg *Registry, cfg Config, logger *slog.Logger) *Client {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{d: d, reg: reg, cfg: cfg, logger: logger.With("module", "jobs")}
}

// ErrNotBuilt is returned by a Client from Prepare used before Build.
var ErrNotBuilt = errors.New("jobs: client used before Build")

// Build creates the River client from the registry as it now stands; later
// registrations are not seen. It does no I/O. It returns an error for a
// mistake recorded by the Registry, a bad Config value, or a configuration
// River rejects (such as an invalid queue name or job kind).
func (c *Client) Build() error {
	if c.eng != nil {
		return errors.New("jobs: Build called twice")
	}
	if err := c.reg.err(); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	cfg, err := c.cfg.withDefaults(c.d.Dialect())
	if err != nil {
		return fmt.Errorf("jobs config: %w", err)
	}
	rcfg := &river.Config{
		DiscardedJobRetentionPeriod: DiscardedJobRetention,
		FetchPollInterval:           cfg.FetchPollInterval,
		// River refuses a poll interval shorter than the fetch cooldown.
		FetchCooldown: min(river.FetchCooldownDefault, cfg.FetchPollInterval),
		JobTimeout:    cfg.JobTimeout,
		Logger:        c.logger,
		MaxAttempts:   cfg.MaxAttempts,
		// River's default is an hour: mail left running by a killed
		// process would wait that long.
		RescueStuckJobsAfter: cfg.RescueAfter,
		RetryPolicy:          cfg.RetryPolicy,
		// Also applies when the context given to Start is cancelled.
		SoftStopTimeout: cfg.StopTimeout,
		// Given even to an insert-only client, so that inserting a kind
		// without a worker fails at insert time.
		Workers: c.reg.workers,
	}
	if cfg.Clock != nil {
		rcfg.Test.Time = clockTime{cfg.Clock}
	}
	if cfg.Work {
		rcfg.Queues = c.reg.queueConfig()
	}
	eng, err := newEngine(c.d, rcfg)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	// Added after NewClient, whose own path panics on an invalid periodic
	// job. Only a working client can lead, so only it needs them.
	if cfg.Work && len(c.reg.periodic) > 0 {
		if err := eng.addPeriodic(c.reg.periodic); err != nil {
			return fmt.Errorf("jobs: add periodic jobs: %w", err)
		}
	}
	c.cfg, c.eng = cfg, eng
	return nil
}

// Start starts fetching and running jobs in the background; it returns once
// River has checked the database. ctx must live as long as the client:
// cancelling it stops the client as Stop does (soft, then cancelling running
// jobs after StopTimeout). Start does nothing on an insert-only client or
// when no worker is registered. It returns an error if the database does not
// answer.
func (c *Client) Start(ctx context.Context) error {
	if c.eng == nil {
		return ErrNotBuilt
	}
	if !c.cfg.Work {
		return nil
	}
	if c.reg.numWorkers == 0 {
		c.logger.InfoContext(ctx, "no job workers registered; not starting the job client")
		return nil
	}
	if err := c.eng.start(ctx); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	return nil
}

// Stop stops fetching jobs, waits up to Config.StopTimeout for running jobs
// to finish, then cancels the contexts of those still running and waits for
// them to return. It tolerates a client that never started. It returns ctx's
// error if ctx ends first (running jobs are cancelled then too).
func (c *Client) Stop(ctx context.Context) error {
	if c.eng == nil || !c.cfg.Work {
		return nil
	}
	softCtx, cancel := context.WithTimeout(ctx, c.cfg.StopTimeout)
	err := c.eng.stop(softCtx)
	cancel()
	if err == nil {
		return nil
	}
	c.logger.WarnContext(ctx, "jobs still running at stop; cancelling them", "stop_timeout", c.cfg.StopTimeout)
	if err := c.eng.stopAndCancel(ctx); err != nil {
		return fmt.Errorf("stop jobs: %w", err)
	}
	return nil
}

// Insert adds a job. When ctx carries a transaction of the client's
// database (db.DB.Tx), the job is inserted in it and commits or rolls back
// with it; otherwise it is inserted and committed at once. opts may be nil.
// It returns an error wrapping *rivertype.UnknownJobKindError for a kind
// without a registered worker, an error for a queue the Registry does not
// declare, and database errors. With a unique job that already exists, the
// existing job is returned.
func (c *Client) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobRow, error) {
	rows, err := c.insert(ctx, []river.InsertManyParams{{Args: args, InsertOpts: opts}})
	if err != nil {
		return nil, fmt.Errorf("insert job %s: %w", kindOf(args), err)
	}
	return rows[0], nil
}

// InsertMany adds several jobs at once, all or none, in the transaction ctx
// carries like Insert. It returns the jobs in the order given and the same
// errors as Insert.
func (c *Client) InsertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobRow, error) {
	rows, err := c.insert(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("insert %d jobs: %w", len(params), err)
	}
	return rows, nil
}

func (c *Client) insert(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobRow, error) {
	if c.eng == nil {
		return nil, ErrNotBuilt
	}
	if len(params) == 0 {
		return nil, errors.New("no jobs")
	}
	for _, p := range params {
		if p.Args == nil {
			return nil, errors.New("nil job args")
		}
		if q := queueOf(p.Args, p.InsertOpts); !c.reg.hasQueue(q) {
			return nil, fmt.Errorf("job %s: queue %q is not declared in the registry", p.Args.Kind(), q)
		}
	}
	res, err := c.eng.insertMany(ctx, params)
	if err != nil {
		return nil, err
	}
	rows := make([]*rivertype.JobRow, len(res))
	for i, r := range res {
		rows[i] = r.Job
	}
	return rows, nil
}

// queueOf resolves a job's queue as River does: insert options, then the
// args' own options, then DefaultQueue.
func queueOf(args river.JobArgs, opts *river.InsertOpts) string {
	var q, argsQ string
	if opts != nil {
		q = opts.Queue
	}
	if a, ok := args.(river.JobArgsWithInsertOpts); ok {
		argsQ = a.InsertOpts().Queue
	}
	return cmp.Or(q, argsQ, DefaultQueue)
}

// Job returns the job with the given ID, read in the transaction ctx carries
// if any. It returns an error matching ErrJobNotFound (errors.Is) when there
// is none.
func (c *Client) Job(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	if c.eng == nil {
		return nil, ErrNotBuilt
	}
	row, err := c.eng.jobGet(ctx, id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return nil, fmt.Errorf("job %d: %w", id, ErrJobNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("job %d: %w", id, err)
	}
	return row, nil
}

// ListParams filters Client.List. Zero fields do not filter.
type ListParams struct {
	Queue  string
	Kind   string
	States []rivertype.JobState
	// BeforeID keeps only jobs whose ID is lower: the next page of a
	// listing after a page whose last job had this ID. Since IDs grow with
	// each insert, jobs inserted meanwhile never make that page repeat or
	// skip one.
	BeforeID int64
	// Limit caps the number of jobs returned (default 100, at most 10,000).
	Limit int
}

// maxListLimit is River's upper bound on JobListParams.First.
const maxListLimit = 10_000

// List returns the jobs matching p, newest first (by ID), read in the
// transaction ctx carries if any. Admins find exhausted jobs with
// States: []rivertype.JobState{rivertype.JobStateDiscarded}; each keeps its
// Errors. It returns an error for a negative Limit or BeforeID and database
// errors.
func (c *Client) List(ctx context.Context, p ListParams) ([]*rivertype.JobRow, error) {
	if p.Limit < 0 {
		return nil, fmt.Errorf("list jobs: negative limit %d", p.Limit)
	}
	if p.BeforeID < 0 {
		return nil, fmt.Errorf("list jobs: negative before ID %d", p.BeforeID)
	}
	lp := river.NewJobListParams().
		First(min(cmp.Or(p.Limit, 100), maxListLimit)).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if p.Queue != "" {
		lp = lp.Queues(p.Queue)
	}
	if p.Kind != "" {
		lp = lp.Kinds(p.Kind)
	}
	if len(p.States) > 0 {
		lp = lp.States(p.States...)
	}
	if p.BeforeID > 0 {
		// Ordered by ID alone, River's cursor reads only the job's ID.
		lp = lp.After(river.JobListCursorFromJob(&rivertype.JobRow{ID: p.BeforeID}))
	}
	if c.eng == nil {
		return nil, ErrNotBuilt
	}
	res, err := c.eng.jobList(ctx, lp)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return res.Jobs, nil
}

// Subscribe returns a channel of River events of the given kinds
// (river.EventKindJobCompleted, river.EventKindJobFailed, …) produced by
// this client's own workers, and a function that ends the subscription.
// Events are dropped if the channel (1,000 deep) is not drained; use it to
// observe, never to drive work. It returns an error on an insert-only
// client, which never works jobs.
func (c *Client) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func(), error) {
	if c.eng == nil {
		return nil, nil, ErrNotBuilt
	}
	if !c.cfg.Work {
		return nil, nil, errors.New("subscribe to jobs: insert-only client")
	}
	ch, cancel := c.eng.subscribe(kinds...)
	return ch, cancel, nil
}

// clockTime adapts a kernel.Clock to River's stubbable time generator.
type clockTime struct{ c kernel.Clock }

func (t clockTime) Now() time.Time { return t.c.Now() }

func (t clockTime) NowOrNil() *time.Time {
	now := t.c.Now()
	return &now
}
