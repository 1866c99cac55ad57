package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"modernc.org/sqlite"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteTimeLayout is how times are written to SQLite: fixed width and UTC,
// so text order is time order. modernc parses TIMESTAMP columns back by
// trying "2006-01-02 15:04:05.999999999 -0700 MST" first, then a list of
// layouts: written in that first one, every read parses once instead of
// failing once and parsing again. The zone is always UTC, so it is literal.
const sqliteTimeLayout = "2006-01-02 15:04:05.000000 +0000 UTC"

func newSQLite(opts Options) (*DB, error) {
	if opts.SQLitePath == "" {
		return nil, fmt.Errorf("open sqlite: no path")
	}
	pragmas := url.Values{}
	busy := opts.BusyTimeout
	if busy <= 0 {
		busy = 10 * time.Second
	}
	for _, p := range []string{fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()), "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		pragmas.Add("_pragma", p)
	}
	writeQ := url.Values{"_txlock": {"immediate"}}
	readQ := url.Values{"_pragma": {"query_only(1)"}}
	for k, v := range pragmas {
		writeQ[k] = append(writeQ[k], v...)
		readQ[k] = append(readQ[k], v...)
	}
	path := (&url.URL{Path: opts.SQLitePath}).EscapedPath()

	d := &DB{dialect: SQLite, logger: opts.Logger, sqlitePath: opts.SQLitePath, notes: newNotifier(), busyTimeout: busy}
	var err error
	// sql.Open connects nothing: connections are made on first use.
	if d.writer, err = sql.Open("sqlite", "file:"+path+"?"+writeQ.Encode()); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	d.writer.SetMaxOpenConns(1)
	d.writer.SetMaxIdleConns(1)
	d.writer.SetConnMaxLifetime(0)
	d.writer.SetConnMaxIdleTime(0)
	if d.reader, err = sql.Open("sqlite", "file:"+path+"?"+readQ.Encode()); err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	readers := opts.MaxConns
	if readers <= 0 {
		readers = max(8, 4*runtime.NumCPU())
	}
	d.readStmts = &stmtCache{pool: d.reader}
	d.writeStmts = newWriteStmtCache(d.writer)
	d.reader.SetMaxOpenConns(readers)
	d.reader.SetMaxIdleConns(readers)
	d.connect = d.connectSQLite
	return d, nil
}

// connectSQLite creates the file's folder, switches the file to WAL through
// the writer (first: readers open it in WAL), creates the notifications
// table and checks the readers.
func (d *DB) connectSQLite(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Dir(d.sqlitePath), 0o750); err != nil {
		return fmt.Errorf("open sqlite: create folder: %w", err)
	}
	if err := d.pingWriter(ctx); err != nil {
		return fmt.Errorf("open sqlite %s: %w", d.sqlitePath, err)
	}
	if err := createNotificationsTable(ctx, d); err != nil {
		return fmt.Errorf("open sqlite %s: %w", d.sqlitePath, err)
	}
	if err := d.reader.PingContext(ctx); err != nil {
		return fmt.Errorf("open sqlite %s: %w", d.sqlitePath, err)
	}
	return nil
}

// pingWriter opens the writer's connection, whose pragmas switch the file
// to WAL. Switching needs the file to itself, and SQLite answers a
// concurrent opener SQLITE_BUSY at once rather than through the busy
// timeout; several processes opening a new file together retry within it.
func (d *DB) pingWriter(ctx context.Context) error {
	deadline := time.Now().Add(d.busyTimeout)
	for {
		err := d.writer.PingContext(ctx)
		var liteErr *sqlite.Error
		if err == nil || !errors.As(err, &liteErr) || liteErr.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// sqlConn is what *sql.DB, *sql.Tx and *sql.Conn share.
type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type sqlQuerier struct{ c sqlConn }

func (q sqlQuerier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return affected(q.c.ExecContext(ctx, query, sqliteArgs(args)...))
}

func (q sqlQuerier) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	return rowsOf(q.c.QueryContext(ctx, query, sqliteArgs(args)...))
}

// affected is what Exec answers for a statement's result.
func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, translate(err)
	}
	return n, nil
}

// rowsOf is what Query answers for a statement's rows.
func rowsOf(rows *sql.Rows, err error) (Rows, error) {
	if err != nil {
		return nil, translate(err)
	}
	return sqlRows{rows}, nil
}

func (q sqlQuerier) QueryRow(ctx context.Context, query string, args ...any) Row {
	return sqlRow{q.c.QueryRowContext(ctx, query, sqliteArgs(args)...)}
}

type sqlRows struct{ r *sql.Rows }

func (r sqlRows) Next() bool             { return r.r.Next() }
func (r sqlRows) Err() error             { return translate(r.r.Err()) }
func (r sqlRows) Close()                 { _ = r.r.Close() }
func (r sqlRows) Scan(dest ...any) error { return scan(r.r.Scan, dest) }

type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error { return scan(r.r.Scan, dest) }

// sqliteArgs writes times in sqliteTimeLayout. Other values pass through;
// typed IDs and other driver.Valuers are handled by database/sql.
func sqliteArgs(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = v.UTC().Format(sqliteTimeLayout)
		case *time.Time:
			if v == nil {
				args[i] = nil
			} else {
				args[i] = v.UTC().Format(sqliteTimeLayout)
			}
		}
	}
	return args
}
