package db

import (
	"context"
	"fmt"
	"runtime"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

func newPostgres(opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		// The parse error may echo the URL, password included.
		return nil, fmt.Errorf("open postgres: DATABASE_URL is not a valid connection string")
	}
	switch {
	case opts.MaxConns > 0:
		cfg.MaxConns = int32(opts.MaxConns)
	case cfg.MaxConns == int32(max(4, runtime.NumCPU())): // pgx's default: not set in the URL
		cfg.MaxConns = int32(max(16, 4*runtime.NumCPU()))
	}
	// The pool connects on first use (no MinConns): New touches nothing.
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	d := &DB{dialect: Postgres, logger: opts.Logger, pool: pool, stdlib: stdlib.OpenDBFromPool(pool), notes: newNotifier()}
	host := cfg.ConnConfig.Host
	d.connect = func(ctx context.Context) error {
		if err := pool.Ping(ctx); err != nil {
			return fmt.Errorf("open postgres %s: %w", host, err)
		}
		return nil
	}
	return d, nil
}

// pgConn is what *pgxpool.Pool and pgx.Tx share.
type pgConn interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

type pgQuerier struct{ c pgConn }

func (q pgQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := q.c.Exec(ctx, query, pgArgs(args)...)
	if err != nil {
		return 0, translate(err)
	}
	return tag.RowsAffected(), nil
}

func (q pgQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	rows, err := q.c.Query(ctx, query, pgArgs(args)...)
	if err != nil {
		return nil, translate(err)
	}
	return pgRows{rows}, nil
}

func (q pgQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	return pgRow{q.c.QueryRow(ctx, query, pgArgs(args)...)}
}

type pgRows struct{ r pgx.Rows }

func (r pgRows) Next() bool             { return r.r.Next() }
func (r pgRows) Err() error             { return translate(r.r.Err()) }
func (r pgRows) Close()                 { r.r.Close() }
func (r pgRows) Scan(dest ...any) error { return scan(r.r.Scan, dest) }

type pgRow struct{ r pgx.Row }

func (r pgRow) Scan(dest ...any) error { return scan(r.r.Scan, dest) }

// pgArgs turns typed nil pointers into untyped nil; pgx encodes them as NULL
// already, but a nil driver.Valuer pointer would be called and panic.
func pgArgs(args []any) []any {
	for i, a := range args {
		if a != nil && isNilPointer(a) {
			args[i] = nil
		}
	}
	return args
}
