package db

import (
	"context"
	"database/sql"
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
	rows, err := s.QueryContext(ctx, sqliteArgs(args)...)
	if err != nil {
		return nil, translate(err)
	}
	return sqlRows{rows}, nil
}

func (q cachedQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	s, err := q.c.get(ctx, query)
	if err != nil || s == nil {
		return sqlQuerier{q.c.pool}.QueryRow(ctx, query, args...)
	}
	return sqlRow{s.QueryRowContext(ctx, sqliteArgs(args)...)}
}
