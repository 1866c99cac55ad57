package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Dialect names a supported database engine.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options says which database to open.
type Options struct {
	// URL is a postgres:// URL; empty selects SQLite at SQLitePath.
	URL string
	// SQLitePath is the SQLite file, created with its folder when missing.
	SQLitePath string
	// MaxConns caps the PostgreSQL pool (default: the URL's pool_max_conns,
	// else 4 per core, at least 16) and the SQLite read pool (default 4 per
	// core, at least 8).
	MaxConns int
	// BusyTimeout is how long a SQLite statement waits for a lock another
	// connection holds before failing with ErrBusy (default 10s).
	BusyTimeout time.Duration
	Logger      *slog.Logger
}

// DB is an open database of either dialect. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	logger  *slog.Logger

	// SQLite: one writer, many readers.
	writer      *sql.DB
	reader      *sql.DB
	readStmts   *stmtCache
	writeStmts  *writeStmtCache
	sqlitePath  string
	busyTimeout time.Duration

	// PostgreSQL: a pgx pool, and a database/sql view of it for goose.
	pool   *pgxpool.Pool
	stdlib *sql.DB

	notes *notifier

	// connect is the dialect's first contact with the database (Connect);
	// connected is set once it succeeded.
	connect   func(ctx context.Context) error
	connectMu sync.Mutex
	connected atomic.Bool

	// observer, when set, sees every statement Q and QW run (Observe).
	observer atomic.Pointer[func(ctx context.Context, statement string)]
}

// New prepares a handle on the database opts names without touching it:
// no connection, no file. Connect (or the first Open) makes the first
// contact. It fails only on options that cannot work (a malformed URL, no
// SQLite path).
func New(opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.URL != "" {
		return newPostgres(opts)
	}
	return newSQLite(opts)
}

// Connect makes the first contact: on SQLite it creates the file and its
// folder, switches it to WAL and checks both pools; on PostgreSQL it checks
// the server answers. Then the notification listener starts if anything
// subscribed. It is safe to call again: after a success it does nothing,
// after a failure it tries again.
func (d *DB) Connect(ctx context.Context) error {
	d.connectMu.Lock()
	defer d.connectMu.Unlock()
	if d.connected.Load() {
		return nil
	}
	if err := d.connect(ctx); err != nil {
		return err
	}
	d.connected.Store(true)
	d.startListening()
	return nil
}

// Open is New then Connect: it opens (and for SQLite, creates) the
// database and checks that it answers. It returns an error naming what
// failed; no connection is left open on error.
func Open(ctx context.Context, opts Options) (*DB, error) {
	d, err := New(opts)
	if err != nil {
		return nil, err
	}
	if err := d.Connect(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	return d, nil
}

// Dialect returns the engine in use.
func (d *DB) Dialect() Dialect { return d.dialect }

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if d.dialect == Postgres {
		return d.pool.Ping(ctx)
	}
	return d.writer.PingContext(ctx)
}

// Close closes every pool. It is safe to call on a partly opened DB.
func (d *DB) Close() error {
	var errs []error
	if d.notes != nil {
		d.notes.stop()
	}
	if d.readStmts != nil {
		d.readStmts.close()
	}
	if d.writeStmts != nil {
		d.writeStmts.close()
	}
	if d.reader != nil {
		errs = append(errs, d.reader.Close())
	}
	if d.writer != nil {
		errs = append(errs, d.writer.Close())
	}
	if d.stdlib != nil {
		errs = append(errs, d.stdlib.Close())
	}
	if d.pool != nil {
		d.pool.Close()
	}
	return errors.Join(errs...)
}

// SQLDB returns a database/sql handle that writes: the single-connection
// writer on SQLite, a view of the pgx pool on PostgreSQL. For tools that need
// database/sql (migrations, River's SQLite driver); repositories use Q.
func (d *DB) SQLDB() *sql.DB {
	if d.dialect == Postgres {
		return d.stdlib
	}
	return d.writer
}

// PgxPool returns the PostgreSQL pool, or nil on SQLite.
func (d *DB) PgxPool() *pgxpool.Pool { return d.pool }

// ForUpdate returns " FOR UPDATE" on PostgreSQL and "" on SQLite, whose single
// writer already serializes write transactions.
func (d *DB) ForUpdate() string {
	if d.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// UTCDate returns the SQL expression of the UTC calendar date of a
// timestamp column, for per-day counts that bucket days alike on both
// dialects:
//
//	SELECT <d.UTCDate("created_at")>, COUNT(*) FROM t WHERE … GROUP BY 1
//
// column is spliced into the SQL: pass a constant. On SQLite, times are
// stored as fixed-width UTC text ("2026-01-15 09:00:00.000000 +0000 UTC"),
// which SQLite's date functions do not parse: the date is the first ten
// characters, "YYYY-MM-DD". On PostgreSQL the timestamptz is converted to
// UTC, whatever the session's time zone, and cast to a date (read as a
// time.Time at midnight UTC).
func (d *DB) UTCDate(column string) string {
	if d.dialect == Postgres {
		return "CAST(" + column + " AT TIME ZONE 'UTC' AS date)"
	}
	return "substr(" + column + ", 1, 10)"
}

// Querier runs statements. Its methods translate driver errors (ErrNoRows,
// *ConstraintError) and return times in UTC.
type Querier interface {
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a statement returning rows; the caller closes them.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow runs a statement expected to return at most one row; Scan
	// returns ErrNoRows when there is none.
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Rows iterates a result set.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result.
type Row interface {
	Scan(dest ...any) error
}

// QueryAll runs query on q and reads every row with scan, in order. Errors
// are wrapped with what names the read ("list roles: …"), as QueryOne's.
func QueryAll[T any](ctx context.Context, q Querier, scan func(Row) (T, error), what, query string, args ...any) ([]T, error) {
	out, err := queryAll(ctx, q, scan, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func queryAll[T any](ctx context.Context, q Querier, scan func(Row) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ScanValue reads a row of a single column, for QueryAll and QueryOne:
// db.QueryAll(ctx, q, db.ScanValue[kernel.UserID], …).
func ScanValue[T any](row Row) (T, error) {
	var v T
	err := row.Scan(&v)
	return v, err
}

// QueryOne runs query on q and reads the one row it returns with scan. It
// returns notFound, the caller's not-found error, when there is no row, and
// other errors wrapped with what names the read ("get role: …").
func QueryOne[T any](ctx context.Context, q Querier, scan func(Row) (T, error), notFound error, what, query string, args ...any) (T, error) {
	v, err := scan(q.QueryRow(ctx, query, args...))
	if errors.Is(err, ErrNoRows) {
		var zero T
		return zero, notFound
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// ExecOne runs on q a statement meant to change one row (an UPDATE or
// DELETE by key) and returns notFound when it changed none. Other errors
// are wrapped with what names the change ("delete role: …").
func ExecOne(ctx context.Context, q Querier, notFound error, what, query string, args ...any) error {
	n, err := q.Exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// Exec runs a statement on q and returns how many rows it changed, for
// inserts, purges and bulk updates. Errors are wrapped with what names the
// change ("create role: …").
func Exec(ctx context.Context, q Querier, what, query string, args ...any) (int, error) {
	n, err := q.Exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return int(n), nil
}

// Q returns the Querier for ctx: the transaction in flight if ctx carries
// one of this DB's, otherwise the pool (SQLite: the read-only pool).
func (d *DB) Q(ctx context.Context) Querier { return d.observed(d.querier(ctx, false)) }

// QW is Q for a statement that writes outside a transaction: on SQLite it
// goes to the writer instead of the read-only pool.
func (d *DB) QW(ctx context.Context) Querier { return d.observed(d.querier(ctx, true)) }

func (d *DB) querier(ctx context.Context, write bool) Querier {
	switch t := txFrom(ctx); {
	case t != nil && t.db == d:
		return t.q
	case d.dialect == Postgres:
		return pgQuerier{d.pool}
	case write:
		return sqlQuerier{d.writer}
	}
	return cachedQuerier{d.readStmts}
}

// Observe has fn called with every statement run through Q and QW — in a
// transaction or not, with the statement's context — until stop is
// called: for tests and diagnostics that compare the work requests do
// (statements the job queue runs through its own driver are not seen).
// One observer at a time; a second replaces the first. fn must be safe
// for concurrent use.
func (d *DB) Observe(fn func(ctx context.Context, statement string)) (stop func()) {
	d.observer.Store(&fn)
	return func() { d.observer.CompareAndSwap(&fn, nil) }
}

// observed wraps q for the observer, when there is one.
func (d *DB) observed(q Querier) Querier {
	if fn := d.observer.Load(); fn != nil {
		return observedQuerier{q: q, fn: *fn}
	}
	return q
}

// observedQuerier reports each statement to an observer, then runs it.
type observedQuerier struct {
	q  Querier
	fn func(ctx context.Context, statement string)
}

func (o observedQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	o.fn(ctx, query)
	return o.q.Exec(ctx, query, args...)
}

func (o observedQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	o.fn(ctx, query)
	return o.q.Query(ctx, query, args...)
}

func (o observedQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	o.fn(ctx, query)
	return o.q.QueryRow(ctx, query, args...)
}

// tx is the unit of work carried in a context.
type tx struct {
	db          *DB
	q           Querier
	sqlTx       *sql.Tx
	pgxTx       pgx.Tx
	afterCommit []func(context.Context)
	// notified holds the messages the transaction sent ("topic|payload").
	notified map[string]struct{}
}

type txKey struct{}

func txFrom(ctx context.Context) *tx {
	t, _ := ctx.Value(txKey{}).(*tx)
	return t
}

// InTx reports whether ctx carries a transaction.
func InTx(ctx context.Context) bool { return txFrom(ctx) != nil }

// SQLTx returns the database/sql transaction in ctx (SQLite), if any. River's
// SQLite driver inserts jobs through it.
func SQLTx(ctx context.Context) (*sql.Tx, bool) {
	if t := txFrom(ctx); t != nil && t.sqlTx != nil {
		return t.sqlTx, true
	}
	return nil, false
}

// PgxTx returns the pgx transaction in ctx (PostgreSQL), if any.
func PgxTx(ctx context.Context) (pgx.Tx, bool) {
	if t := txFrom(ctx); t != nil && t.pgxTx != nil {
		return t.pgxTx, true
	}
	return nil, false
}

// ErrNoTx is LockKey's error outside a transaction.
var ErrNoTx = errors.New("db: not in a transaction")

// LockKey takes a lock named key until the transaction ctx carries ends,
// waiting while another transaction holds it: what serializes writes that
// no single row stands for, such as counts across organizations. On
// PostgreSQL it is a transaction-scoped advisory lock on key's 64-bit hash;
// on SQLite the transaction already holds the only writer, so there is
// nothing more to take. Take several keys in one fixed order everywhere,
// after any row locks the same transactions take, so none can deadlock.
func (d *DB) LockKey(ctx context.Context, key string) error {
	t := txFrom(ctx)
	if t == nil || t.db != d {
		return ErrNoTx
	}
	if d.dialect != Postgres {
		return nil
	}
	if _, err := t.q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
		return fmt.Errorf("lock %q: %w", key, err)
	}
	return nil
}

// Tx runs fn in a transaction carried by the context fn receives. If ctx
// already carries one, fn joins it (the outermost Tx commits). fn's error,
// or a panic, rolls back; the after-commit hooks run only once the outermost
// transaction has committed. Do no slow work (hashing, provider calls) in fn:
// on SQLite the transaction holds the only writer.
func (d *DB) Tx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if t := txFrom(ctx); t != nil && t.db == d {
		return fn(ctx)
	}
	t := &tx{db: d}
	if d.dialect == Postgres {
		pt, err := d.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", translate(err))
		}
		t.pgxTx, t.q = pt, pgQuerier{pt}
	} else {
		st, err := d.writer.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("begin: %w", translate(err))
		}
		t.sqlTx, t.q = st, txQuerier{tx: st, cache: d.writeStmts}
	}
	txCtx := context.WithValue(ctx, txKey{}, t)

	committed := false
	defer func() {
		if committed {
			return
		}
		// Roll back on error and on panic; the rollback uses a context that
		// outlives a cancelled request so the connection is released.
		rbCtx := context.WithoutCancel(ctx)
		if t.pgxTx != nil {
			_ = t.pgxTx.Rollback(rbCtx)
		} else {
			_ = t.sqlTx.Rollback()
		}
	}()

	if err := fn(txCtx); err != nil {
		return err
	}
	if t.pgxTx != nil {
		err = t.pgxTx.Commit(ctx)
	} else {
		err = t.sqlTx.Commit()
	}
	if err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	committed = true
	for _, hook := range t.afterCommit {
		hook(context.WithoutCancel(ctx))
	}
	return nil
}

// AfterCommit registers fn to run after the transaction in ctx commits; it
// never runs if it rolls back. Without a transaction fn runs at once.
// Hooks run in registration order and must not fail: use them for in-process
// effects (cache invalidation, waking a stream), never for work that must
// not be lost — that is a job inserted in the transaction.
func AfterCommit(ctx context.Context, fn func(context.Context)) {
	if t := txFrom(ctx); t != nil {
		t.afterCommit = append(t.afterCommit, fn)
		return
	}
	fn(ctx)
}

// scan is every driver's Scan: read into dest with read, translate the
// error, and return times in UTC.
func scan(read func(dest ...any) error, dest []any) error {
	if err := read(dest...); err != nil {
		return translate(err)
	}
	normalizeTimes(dest)
	return nil
}

// normalizeTimes makes every scanned time UTC, so values read from either
// dialect compare equal.
func normalizeTimes(dest []any) {
	for _, d := range dest {
		switch v := d.(type) {
		case *time.Time:
			*v = v.UTC()
		case **time.Time:
			if *v != nil {
				u := (*v).UTC()
				*v = &u
			}
		case *sql.NullTime:
			v.Time = v.Time.UTC()
		}
	}
}

// isNilPointer reports whether v is a typed nil pointer (a nil *time.Time
// passed as an argument must become NULL on both drivers).
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
