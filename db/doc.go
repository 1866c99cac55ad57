// Package db is Groundwork's storage plumbing: one unit-of-work API over the
// two supported dialects — embedded SQLite (modernc.org/sqlite, no cgo) and
// PostgreSQL (pgx) — and the per-module, per-dialect migrations.
//
// Repositories call DB.Q(ctx) for a Querier: the transaction in flight when
// ctx carries one (DB.Tx puts it there), otherwise the pool. SQL is written
// once with $1-style placeholders, which both dialects accept. Driver errors
// never leave this package untranslated: no rows is ErrNoRows and constraint
// violations are *ConstraintError.
//
// On SQLite, writes go through a single-connection pool (SQLite has one
// writer; transactions begin IMMEDIATE so they never deadlock on upgrade) and
// reads outside a transaction through a separate read-only pool. Times are
// stored as fixed-width UTC text so they sort and compare as text.
package db
