package db

import (
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/groundworkhq/groundwork/kernel"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNoRows is returned by Row.Scan when the query matched nothing.
// Repositories turn it into their module's NotFound error.
var ErrNoRows = errors.New("db: no rows")

// ConstraintKind says which kind of constraint a write violated.
type ConstraintKind int

// The constraint kinds.
const (
	Unique ConstraintKind = iota + 1
	ForeignKey
	Check
	NotNull
)

// ConstraintError is a violated constraint. Constraint is the constraint's
// name on PostgreSQL and "table.column[, …]" on SQLite; repositories match
// it with Mentions.
type ConstraintError struct {
	Kind       ConstraintKind
	Constraint string
	cause      error
}

func (e *ConstraintError) Error() string {
	return "constraint violated: " + e.Constraint + ": " + e.cause.Error()
}

// Unwrap returns the driver error, for logging only.
func (e *ConstraintError) Unwrap() error { return e.cause }

// Mentions reports whether the constraint description contains s (a
// constraint name or a column name), so a repository can tell which unique
// key was hit without knowing the dialect.
func (e *ConstraintError) Mentions(s string) bool { return strings.Contains(e.Constraint, s) }

// IsConstraint reports whether err is a violation of the given kind and, if
// it is, returns it.
func IsConstraint(err error, kind ConstraintKind) (*ConstraintError, bool) {
	var ce *ConstraintError
	if errors.As(err, &ce) && ce.Kind == kind {
		return ce, true
	}
	return nil, false
}

// ErrBusy is what a statement or transaction that lost to a concurrent one
// becomes — a serialization failure or deadlock on PostgreSQL, a locked
// database on SQLite: Unavailable (503) with Retry-After, since the same
// request a moment later succeeds. The driver's error is its cause.
var ErrBusy = &kernel.Error{Kind: kernel.KindUnavailable, Code: "db.busy",
	Detail: "The database was busy with a conflicting change; try again.", RetryAfterSeconds: 1}

// retryablePG are the PostgreSQL error codes of a transaction that lost to
// a concurrent one: serialization_failure, deadlock_detected,
// lock_not_available.
var retryablePG = map[string]bool{"40001": true, "40P01": true, "55P03": true}

// translate maps driver errors onto this package's errors.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return ErrNoRows
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && retryablePG[pgErr.Code] {
		return ErrBusy.WithCause(err)
	}
	if errors.As(err, &pgErr) {
		kind := map[string]ConstraintKind{"23505": Unique, "23503": ForeignKey, "23514": Check, "23502": NotNull}[pgErr.Code]
		if kind != 0 {
			name := pgErr.ConstraintName
			if name == "" {
				name = pgErr.TableName + "." + pgErr.ColumnName
			}
			return &ConstraintError{Kind: kind, Constraint: name, cause: err}
		}
		return err
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		switch liteErr.Code() & 0xff { // the primary code of an extended one
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return ErrBusy.WithCause(err)
		}
		var kind ConstraintKind
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			kind = Unique
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			kind = ForeignKey
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			kind = Check
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			kind = NotNull
		default:
			return err
		}
		// "UNIQUE constraint failed: users.email" → "users.email"
		msg := liteErr.Error()
		if _, after, ok := strings.Cut(msg, "failed: "); ok {
			msg = after
		}
		if i := strings.Index(msg, " ("); i >= 0 {
			msg = msg[:i]
		}
		return &ConstraintError{Kind: kind, Constraint: msg, cause: err}
	}
	return err
}
