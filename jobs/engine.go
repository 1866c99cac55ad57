package jobs

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/db"
)

// engine is a River client with its transaction type erased, so Client is not
// generic. Each method takes the transaction from ctx when it carries one of
// the database's.
type engine interface {
	start(ctx context.Context) error
	stop(ctx context.Context) error
	stopAndCancel(ctx context.Context) error
	addPeriodic(jobs []*river.PeriodicJob) error
	insertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
	jobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	jobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	jobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	jobCancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// newEngine builds the River client for d's dialect. It does no I/O.
func newEngine(d *db.DB, cfg *river.Config) (engine, error) {
	if d.Dialect() == db.Postgres {
		rc, err := river.NewClient(riverpgxv5.New(d.PgxPool()), cfg)
		if err != nil {
			return nil, err
		}
		return &riverEngine[pgx.Tx]{d: d, rc: rc, txFrom: db.PgxTx}, nil
	}
	// River's SQLite driver wants a single-connection pool, which the
	// writer is; sharing it makes job writes join the application's write
	// transactions instead of fighting them for SQLite's one write lock.
	rc, err := river.NewClient(riversqlite.New(d.SQLDB()), cfg)
	if err != nil {
		return nil, err
	}
	return &riverEngine[*sql.Tx]{d: d, rc: rc, txFrom: db.SQLTx}, nil
}

var (
	_ engine = (*riverEngine[pgx.Tx])(nil)
	_ engine = (*riverEngine[*sql.Tx])(nil)
)

type riverEngine[TTx any] struct {
	d      *db.DB
	rc     *river.Client[TTx]
	txFrom func(context.Context) (TTx, bool)
}

func (e *riverEngine[TTx]) start(ctx context.Context) error { return e.rc.Start(ctx) }
func (e *riverEngine[TTx]) stop(ctx context.Context) error  { return e.rc.Stop(ctx) }
func (e *riverEngine[TTx]) stopAndCancel(ctx context.Context) error {
	return e.rc.StopAndCancel(ctx)
}

func (e *riverEngine[TTx]) addPeriodic(jobs []*river.PeriodicJob) error {
	_, err := e.rc.PeriodicJobs().AddManySafely(jobs)
	return err
}

func (e *riverEngine[TTx]) insertMany(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	return inTx(ctx, e, params, e.rc.InsertMany, e.rc.InsertManyTx)
}

func (e *riverEngine[TTx]) jobGet(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return inTx(ctx, e, id, e.rc.JobGet, e.rc.JobGetTx)
}

func (e *riverEngine[TTx]) jobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error) {
	return inTx(ctx, e, params, e.rc.JobList, e.rc.JobListTx)
}

func (e *riverEngine[TTx]) jobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return inTx(ctx, e, id, e.rc.JobRetry, e.rc.JobRetryTx)
}

func (e *riverEngine[TTx]) jobCancel(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return inTx(ctx, e, id, e.rc.JobCancel, e.rc.JobCancelTx)
}

func (e *riverEngine[TTx]) subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return e.rc.Subscribe(kinds...)
}

// inTx calls River's plain method with p when ctx carries no transaction,
// else its Tx method with p in the transaction ctx carries. db.SQLTx and
// db.PgxTx return a transaction of any database, so the call goes through
// d.Tx, which joins the caller's transaction only when it is d's and
// otherwise opens one of its own on d (committed when the call returns). On
// SQLite this matters doubly: going to the pool while the caller holds the
// single writer would deadlock.
func inTx[TTx, P, T any](ctx context.Context, e *riverEngine[TTx], p P,
	plain func(context.Context, P) (T, error), withTx func(context.Context, TTx, P) (T, error),
) (T, error) {
	if !db.InTx(ctx) {
		return plain(ctx, p)
	}
	var res T
	err := e.d.Tx(ctx, func(ctx context.Context) error {
		tx, ok := e.txFrom(ctx)
		if !ok {
			return errors.New("no transaction of the expected type in context")
		}
		var err error
		res, err = withTx(ctx, tx, p)
		return err
	})
	return res, err
}
