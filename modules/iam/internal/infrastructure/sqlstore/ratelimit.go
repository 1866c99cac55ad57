package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/internal/db"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
)

// MaxRateWindow is the longest window RateLimiter.Hit accepts. Rows do not
// record their window, so DeleteStale relies on it: a counter whose window
// started more than MaxRateWindow ago has ended whatever its window was.
const MaxRateWindow = 24 * time.Hour

// RateLimiter counts attempts per key in fixed windows, in the rate_limits
// table, so that limits hold across processes.
type RateLimiter struct {
	db *db.DB
}

var _ application.RateLimiter = (*RateLimiter)(nil)

// hit counts one attempt in a single statement, atomic on both dialects: a
// new key starts a window at now ($2); an existing key whose window started
// at or before now-window ($3) starts a new one; otherwise its count grows.
// Every SET expression reads the row as it was, so both CASEs agree.
// PostgreSQL locks the conflicting row and re-reads it, so concurrent hits
// never lose a count; SQLite has one writer.
const hit = `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
ON CONFLICT (key) DO UPDATE SET
	count = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.count + 1 END,
	window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END
RETURNING count, window_start`

// Hit records one attempt for key at now and reports whether it is within
// limit attempts per window; when it is not, retryAfter is the time until
// the window ends, rounded up to whole seconds and at least one second.
// Attempts refused still count. The window must be positive and at most
// MaxRateWindow.
//
// Hit writes in the transaction ctx carries or, without one, on its own
// (on SQLite, the single writer). Call it outside a transaction: inside one
// the counter's row stays locked until commit, and on SQLite a Hit on a
// context without the transaction while that transaction is open on the
// same goroutine waits for the writer forever.
func (r *RateLimiter) Hit(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (allowed bool, retryAfter time.Duration, err error) {
	if window <= 0 || window > MaxRateWindow {
		return false, 0, fmt.Errorf("rate limit %q: window %v out of range (0, %v]", key, window, MaxRateWindow)
	}
	var (
		count int
		start time.Time
	)
	// Times are parameters, not SQL interval arithmetic, which differs per
	// dialect.
	if err := r.db.QW(ctx).QueryRow(ctx, hit, key, now, now.Add(-window)).Scan(&count, &start); err != nil {
		return false, 0, fmt.Errorf("rate limit %q: %w", key, err)
	}
	if count <= limit {
		return true, 0, nil
	}
	wait := start.Add(window).Sub(now)
	// The window started at some process's now; with clocks apart it may
	// seem to lie ahead. It never lasts more than window.
	wait = min(max(wait, time.Second), window)
	if rem := wait % time.Second; rem != 0 {
		wait += time.Second - rem
	}
	return false, wait, nil
}

// DeleteStale removes the counters whose window started more than
// MaxRateWindow before now, which have ended whatever their window; it
// returns how many. It is the purge job's.
func (r *RateLimiter) DeleteStale(ctx context.Context, now time.Time) (int, error) {
	n, err := r.db.QW(ctx).Exec(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, now.Add(-MaxRateWindow))
	if err != nil {
		return 0, fmt.Errorf("delete stale rate limits: %w", err)
	}
	return int(n), nil
}
