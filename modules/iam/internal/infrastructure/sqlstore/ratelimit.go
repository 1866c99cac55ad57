package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/db"
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

// hitQuery counts one attempt for each of n keys in a single statement,
// atomic on both dialects. $1 is now; key i is $(2+2i) and the start of its
// window's reach, now-window, is $(3+2i). A new key starts a window at now;
// an existing key whose window started at or before its now-window starts
// a new one; otherwise its count grows. Every SET expression reads the row
// as it was, so both CASEs agree. PostgreSQL locks each conflicting row and
// re-reads it, so concurrent hits never lose a count; SQLite has one
// writer.
func hitQuery(dialect db.Dialect, n int) string {
	var values, reach strings.Builder
	cast := ""
	if dialect == db.Postgres {
		cast = "::timestamptz" // the CASE's only branches are parameters
	}
	for i := range n {
		if i > 0 {
			values.WriteString(", ")
		}
		fmt.Fprintf(&values, "($%d, $1, 1)", 2+2*i)
		fmt.Fprintf(&reach, " WHEN $%d THEN $%d%s", 2+2*i, 3+2*i, cast)
	}
	since := "(CASE excluded.key" + reach.String() + " END)"
	return `INSERT INTO rate_limits (key, window_start, count) VALUES ` + values.String() + `
ON CONFLICT (key) DO UPDATE SET
	count = CASE WHEN rate_limits.window_start <= ` + since + ` THEN 1 ELSE rate_limits.count + 1 END,
	window_start = CASE WHEN rate_limits.window_start <= ` + since + ` THEN $1 ELSE rate_limits.window_start END
RETURNING key, count, window_start`
}

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
	res, err := r.HitAll(ctx, now, application.RateHit{Key: key, Limit: limit, Window: window})
	if err != nil {
		return false, 0, err
	}
	return res[0].Allowed, res[0].RetryAfter, nil
}

// HitAll is Hit for several distinct keys in one statement, with Hit's
// rules for each; the results are in the order of hits.
func (r *RateLimiter) HitAll(ctx context.Context, now time.Time, hits ...application.RateHit) ([]application.RateResult, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	// Times are parameters, not SQL interval arithmetic, which differs per
	// dialect.
	args := []any{now}
	at := make(map[string]int, len(hits))
	for i, h := range hits {
		if h.Window <= 0 || h.Window > MaxRateWindow {
			return nil, fmt.Errorf("rate limit %q: window %v out of range (0, %v]", h.Key, h.Window, MaxRateWindow)
		}
		if _, dup := at[h.Key]; dup {
			return nil, fmt.Errorf("rate limit %q: counted twice in one statement", h.Key)
		}
		at[h.Key] = i
		args = append(args, h.Key, now.Add(-h.Window))
	}
	out := make([]application.RateResult, len(hits))
	seen := 0
	rows, err := r.db.QW(ctx).Query(ctx, hitQuery(r.db.Dialect(), len(hits)), args...)
	if err != nil {
		return nil, fmt.Errorf("rate limit %q: %w", hits[0].Key, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			key   string
			count int
			start time.Time
		)
		if err := rows.Scan(&key, &count, &start); err != nil {
			return nil, fmt.Errorf("rate limit %q: %w", key, err)
		}
		i, ok := at[key]
		if !ok {
			return nil, fmt.Errorf("rate limit: unexpected key %q", key)
		}
		out[i] = result(count, start, hits[i], now)
		seen++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rate limit %q: %w", hits[0].Key, err)
	}
	if seen != len(hits) {
		return nil, fmt.Errorf("rate limit %q: %d of %d counters answered", hits[0].Key, seen, len(hits))
	}
	return out, nil
}

// Undo takes back one attempt for each key, in the window still running
// (a window that ended has nothing to take back); a count never goes below
// zero. Like Hit, call it outside a transaction.
func (r *RateLimiter) Undo(ctx context.Context, now time.Time, hits ...application.RateHit) error {
	for _, h := range hits {
		_, err := r.db.QW(ctx).Exec(ctx, `UPDATE rate_limits SET count = count - 1
			WHERE key = $1 AND count > 0 AND window_start > $2`, h.Key, now.Add(-h.Window))
		if err != nil {
			return fmt.Errorf("rate limit %q: undo: %w", h.Key, err)
		}
	}
	return nil
}

// result judges a counter at count in the window that started at start.
func result(count int, start time.Time, h application.RateHit, now time.Time) application.RateResult {
	if count <= h.Limit {
		return application.RateResult{Allowed: true}
	}
	wait := start.Add(h.Window).Sub(now)
	// The window started at some process's now; with clocks apart it may
	// seem to lie ahead. It never lasts more than window.
	wait = min(max(wait, time.Second), h.Window)
	if rem := wait % time.Second; rem != 0 {
		wait += time.Second - rem
	}
	return application.RateResult{RetryAfter: wait}
}

// DeleteStale removes the counters whose window started more than
// MaxRateWindow before now, which have ended whatever their window; it
// returns how many. It is the purge job's.
func (r *RateLimiter) DeleteStale(ctx context.Context, now time.Time) (int, error) {
	return db.Exec(ctx, r.db.QW(ctx), "delete stale rate limits", `DELETE FROM rate_limits WHERE window_start < $1`, now.Add(-MaxRateWindow))
}
