package sqlstore_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func TestRateLimiterWindow(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		limiter, ctx := s.Limiter, context.Background()
		const limit, window = 3, time.Minute
		steps := []struct {
			name    string
			key     string
			at      time.Duration // after t0
			allowed bool
			retry   time.Duration
		}{
			{"first", "sign-in:ip:203.0.113.7", 0, true, 0},
			{"second", "sign-in:ip:203.0.113.7", time.Second, true, 0},
			{"third", "sign-in:ip:203.0.113.7", 2 * time.Second, true, 0},
			{"over the limit", "sign-in:ip:203.0.113.7", 10*time.Second + 300*time.Millisecond, false, 50 * time.Second},
			{"another key", "sign-in:email:ana@example.com", 11 * time.Second, true, 0},
			{"still over", "sign-in:ip:203.0.113.7", 59*time.Second + 999*time.Millisecond, false, time.Second},
			{"new window", "sign-in:ip:203.0.113.7", window, true, 0},
			{"second in the new window", "sign-in:ip:203.0.113.7", window + time.Second, true, 0},
			{"third in the new window", "sign-in:ip:203.0.113.7", window + 2*time.Second, true, 0},
			{"over in the new window", "sign-in:ip:203.0.113.7", window + 3*time.Second, false, 57 * time.Second},
			{"other key unaffected", "sign-in:email:ana@example.com", window, true, 0},
			{"long after", "sign-in:ip:203.0.113.7", 10 * window, true, 0},
		}
		for _, st := range steps {
			allowed, retry, err := limiter.Hit(ctx, st.key, limit, window, t0.Add(st.at))
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if allowed != st.allowed || retry != st.retry {
				t.Errorf("%s: Hit = %v, %v; want %v, %v", st.name, allowed, retry, st.allowed, st.retry)
			}
		}

		for _, w := range []time.Duration{0, -time.Second, sqlstore.MaxRateWindow + time.Second} {
			if _, _, err := limiter.Hit(ctx, "k", 1, w, t0); err == nil {
				t.Errorf("window %v accepted", w)
			}
		}
	})
}

func TestRateLimiterInTransaction(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		limiter, ctx := s.Limiter, context.Background()
		err := d.Tx(ctx, func(ctx context.Context) error {
			// On SQLite, Hit on the writer instead of the transaction would
			// wait for it forever.
			allowed, _, err := limiter.Hit(ctx, "k", 1, time.Minute, t0)
			if !allowed {
				t.Error("first hit refused")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if allowed, retry, err := limiter.Hit(ctx, "k", 1, time.Minute, t0.Add(time.Second)); allowed || retry != 59*time.Second || err != nil {
			t.Errorf("after the transaction: %v, %v, %v", allowed, retry, err)
		}
	})
}

func TestRateLimiterConcurrent(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		limiter, ctx := s.Limiter, context.Background()
		const workers, limit = 20, 10
		var (
			wg      sync.WaitGroup
			allowed atomic.Int32
		)
		for i := range workers {
			wg.Go(func() {
				ok, _, err := limiter.Hit(ctx, "sign-up:ip:198.51.100.1", limit, time.Hour, t0.Add(time.Duration(i)*time.Millisecond))
				if err != nil {
					t.Error(err)
				}
				if ok {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		if n := allowed.Load(); n != limit {
			t.Errorf("%d of %d concurrent hits allowed, want %d", n, workers, limit)
		}
	})
}

func TestRateLimiterDeleteStale(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		limiter, ctx := s.Limiter, context.Background()
		for _, key := range []string{"old1", "old2"} {
			if _, _, err := limiter.Hit(ctx, key, 1, time.Hour, t0); err != nil {
				t.Fatal(err)
			}
		}
		now := t0.Add(sqlstore.MaxRateWindow + time.Second)
		if _, _, err := limiter.Hit(ctx, "recent", 1, time.Hour, now.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		n, err := limiter.DeleteStale(ctx, now)
		if err != nil || n != 2 {
			t.Errorf("DeleteStale = %d, %v; want 2", n, err)
		}
		// The recent counter survived: a second hit in its window is refused.
		if allowed, _, err := limiter.Hit(ctx, "recent", 1, time.Hour, now); allowed || err != nil {
			t.Errorf("recent counter after DeleteStale: allowed %v, %v", allowed, err)
		}
	})
}

// TestRateLimiterHitAll: several keys in one statement, each with its own
// limit and window, each counted once, answered in the order asked.
func TestRateLimiterHitAll(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		limiter, ctx := s.Limiter, context.Background()
		ip := application.RateHit{Key: "signin:ip:203.0.113.7", Limit: 2, Window: time.Minute}
		email := application.RateHit{Key: "signin:email:ana@example.com", Limit: 3, Window: 15 * time.Minute}
		steps := []struct {
			at   time.Duration
			want []application.RateResult
		}{
			{0, []application.RateResult{{Allowed: true}, {Allowed: true}}},
			{time.Second, []application.RateResult{{Allowed: true}, {Allowed: true}}},
			{2 * time.Second, []application.RateResult{{RetryAfter: 58 * time.Second}, {Allowed: true}}},
			// The address's window ends; the email's goes on.
			{time.Minute, []application.RateResult{{Allowed: true}, {RetryAfter: 14 * time.Minute}}},
		}
		for i, st := range steps {
			got, err := limiter.HitAll(ctx, t0.Add(st.at), ip, email)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			if !slices.Equal(got, st.want) {
				t.Errorf("step %d: HitAll = %+v, want %+v", i, got, st.want)
			}
		}
		// Hit sees the counts HitAll left: the email's fifth attempt.
		if ok, _, err := limiter.Hit(ctx, email.Key, email.Limit, email.Window, t0.Add(2*time.Minute)); err != nil || ok {
			t.Errorf("Hit after HitAll = %v, %v; want refused", ok, err)
		}
		if _, err := limiter.HitAll(ctx, t0, ip, ip); err == nil {
			t.Error("a key counted twice in one statement was accepted")
		}
		if got, err := limiter.HitAll(ctx, t0); err != nil || len(got) != 0 {
			t.Errorf("HitAll() = %v, %v", got, err)
		}
	})
}

// TestRateLimiterUndo: an attempt taken back frees its place in the
// running window, never below zero, and not in a window that has ended.
func TestRateLimiterUndo(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		limiter, ctx := s.Limiter, context.Background()
		h := application.RateHit{Key: "signin:email:ana@example.com", Limit: 2, Window: time.Minute}
		hit := func(at time.Duration) bool {
			t.Helper()
			res, err := limiter.HitAll(ctx, t0.Add(at), h)
			if err != nil {
				t.Fatal(err)
			}
			return res[0].Allowed
		}
		undo := func(at time.Duration) {
			t.Helper()
			if err := limiter.Undo(ctx, t0.Add(at), h); err != nil {
				t.Fatal(err)
			}
		}
		if !hit(0) || !hit(time.Second) || hit(2*time.Second) {
			t.Fatal("the limit of 2 does not hold")
		}
		undo(3 * time.Second) // the refused one
		undo(4 * time.Second) // and one allowed
		if !hit(5 * time.Second) {
			t.Error("an undone attempt still counts")
		}
		for range 5 {
			undo(6 * time.Second)
		}
		if !hit(7*time.Second) || !hit(8*time.Second) || hit(9*time.Second) {
			t.Error("undoing below zero made room beyond the limit")
		}
		// After the window ended, an undo changes nothing: the next hit
		// starts a fresh window.
		undo(time.Minute + time.Second)
		if !hit(time.Minute+2*time.Second) || !hit(time.Minute+3*time.Second) || hit(time.Minute+4*time.Second) {
			t.Error("the new window is off")
		}
		// An unknown key is no error.
		if err := limiter.Undo(ctx, t0, application.RateHit{Key: "nobody", Limit: 1, Window: time.Minute}); err != nil {
			t.Error(err)
		}
	})
}
