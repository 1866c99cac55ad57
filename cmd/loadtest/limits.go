package main

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
)

// liftRateLimits lets the run's sign-ups and sign-ins through iam's abuse
// limits (10 sign-ups an hour and 30 sign-ins a minute per IP, 10 sign-ins
// per email in 15 minutes): every request of this tool comes from
// 127.0.0.1, so a run would measure 429s. The limits stay on, as they are
// by default (AUTH_RATE_LIMIT); instead it seeds the counters the limiter
// keeps in rate_limits (table and key format are iam's: "signin:ip:<ip>",
// "signin:email:<email>", "signup:ip:<ip>"): a window that starts a year
// from now, so it never restarts, and a count two billion below zero.
// Every sign-in still pays for counting both; none is refused. Should iam
// rename its keys, the run fails loudly with 429s rather than measuring
// them.
func liftRateLimits(ctx context.Context, d *db.DB, emails []string) error {
	keys := []string{"signup:ip:127.0.0.1", "signin:ip:127.0.0.1"}
	for _, e := range emails {
		keys = append(keys, "signin:email:"+e)
	}
	future := time.Now().AddDate(1, 0, 0)
	const seed = `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE SET window_start = excluded.window_start, count = excluded.count`
	for _, k := range keys {
		if _, err := d.QW(ctx).Exec(ctx, seed, k, future, -2_000_000_000); err != nil {
			return fmt.Errorf("lift rate limit %q: %w", k, err)
		}
	}
	return nil
}
