package db

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"sync/atomic"
)

// maxCachedStatements bounds the cache: queries are mostly constants in the
// code, but a query built with a variable IN list is a new text each time.
const maxCachedStatements = 512

// stmtCache keeps statements prepared on a pool, so SQLite does not parse a
// query's text again on every call (pgx caches statements the same way).
// database/sql prepares a cached statement lazily on each connection that
// runs it. It is used for the read pool only: preparing on the single
// writer while a transaction holds it would wait forever.
type stmtCache struct {
	pool *sql.DB
	m    sync.Map // query text → *sql.Stmt
	n    atomic.Int32
}

// get returns the prepared statement for q, or nil when the cache is full
// (the caller then runs q unprepared).
func (c *stmtCache) get(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := c.m.Load(q); ok {
		return s.(*sql.Stmt), nil
	}
	if c.n.Load() >= maxCachedStatements {
		return nil, nil
	}
	s, err := c.pool.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prior, loaded := c.m.LoadOrStore(q, s); loaded {
		_ = s.Close()
		return prior.(*sql.Stmt), nil
	}
	c.n.Add(1)
	return s, nil
}

func (c *stmtCache) close() {
	c.m.Range(func(_, s any) bool {
		_ = s.(*sql.Stmt).Close()
		return true
	})
}

// cachedQuerier is sqlQuerier over the read pool with prepared statements.
type cachedQuerier struct{ c *stmtCache }

func (q cachedQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return sqlQuerier{q.c.pool}.Exec(ctx, query, args...)
}

func (q cachedQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	s, err := q.c.get(ctx, query)
	if err != nil || s == nil {
		return sqlQuerier{q.c.pool}.Query(ctx, query, args...)
	}
	return rowsOf(s.QueryContext(ctx, sqliteArgs(args)...))
}

func (q cachedQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	s, err := q.c.get(ctx, query)
	if err != nil || s == nil {
		return sqlQuerier{q.c.pool}.QueryRow(ctx, query, args...)
	}
	return sqlRow{s.QueryRowContext(ctx, sqliteArgs(args)...)}
}

// writeStmtCache keeps statements prepared on the SQLite writer for the
// write transactions. A statement cannot be prepared on the writer while a
// transaction holds its one connection, so a transaction only asks for
// the statements it runs unprepared (wish), and a goroutine of the cache
// prepares them once the writer is free; the transaction's later runs
// bind the prepared statement to their connection (Tx.StmtContext), which
// database/sql does without parsing it again.
type writeStmtCache struct {
	stmtCache
	wishes chan string
	wished sync.Map // query text → struct{}: asked for, prepared or not
	start  sync.Once
	stop   context.CancelFunc
	done   chan struct{}
}

func newWriteStmtCache(writer *sql.DB) *writeStmtCache {
	return &writeStmtCache{stmtCache: stmtCache{pool: writer}, wishes: make(chan string, 64), done: make(chan struct{})}
}

// lookup returns the statement prepared for q, or nil.
func (c *writeStmtCache) lookup(q string) *sql.Stmt {
	if s, ok := c.m.Load(q); ok {
		return s.(*sql.Stmt)
	}
	return nil
}

// wish asks for q to be prepared, once, unless the cache is full or q is
// not one statement of the kinds worth preparing. It never blocks.
func (c *writeStmtCache) wish(q string) {
	if c.n.Load() >= maxCachedStatements || !preparable(q) {
		return
	}
	if _, loaded := c.wished.LoadOrStore(q, struct{}{}); loaded {
		return
	}
	c.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		c.stop = cancel
		go c.prepare(ctx)
	})
	select {
	case c.wishes <- q:
	default:
		c.wished.Delete(q) // busy: asked again next time
	}
}

// prepare prepares the wished statements on the writer as it comes free.
func (c *writeStmtCache) prepare(ctx context.Context) {
	defer close(c.done)
	for {
		select {
		case <-ctx.Done():
			return
		case q := <-c.wishes:
			_, _ = c.get(ctx, q) // a statement that fails to prepare runs unprepared
		}
	}
}

func (c *writeStmtCache) close() {
	c.start.Do(func() { close(c.done) }) // never started
	if c.stop != nil {
		c.stop()
	}
	<-c.done
	c.stmtCache.close()
}

// preparable reports whether q is a single statement that reads or
// changes rows: DDL and multi-statement scripts run as they are.
func preparable(q string) bool {
	if strings.Contains(q, ";") {
		return false
	}
	head := strings.TrimSpace(q)
	if len(head) < 6 {
		return false
	}
	switch strings.ToUpper(head[:6]) {
	case "SELECT", "INSERT", "UPDATE", "DELETE":
		return true
	}
	return strings.EqualFold(head[:4], "WITH")
}

// txQuerier is sqlQuerier over a write transaction, running the
// statements the writer has prepared.
type txQuerier struct {
	tx    *sql.Tx
	cache *writeStmtCache
}

// stmt returns q bound to the transaction, or nil to run q unprepared.
func (q txQuerier) stmt(ctx context.Context, query string) *sql.Stmt {
	s := q.cache.lookup(query)
	if s == nil {
		q.cache.wish(query)
		return nil
	}
	return q.tx.StmtContext(ctx, s)
}

func (q txQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	s := q.stmt(ctx, query)
	if s == nil {
		return sqlQuerier{q.tx}.Exec(ctx, query, args...)
	}
	return affected(s.ExecContext(ctx, sqliteArgs(args)...))
}

func (q txQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	s := q.stmt(ctx, query)
	if s == nil {
		return sqlQuerier{q.tx}.Query(ctx, query, args...)
	}
	return rowsOf(s.QueryContext(ctx, sqliteArgs(args)...))
}

func (q txQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	s := q.stmt(ctx, query)
	if s == nil {
		return sqlQuerier{q.tx}.QueryRow(ctx, query, args...)
	}
	return sqlRow{s.QueryRowContext(ctx, sqliteArgs(args)...)}
}
