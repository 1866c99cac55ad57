package usage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// benchWorkers is the benchmark's concurrency: "64 goroutines, each
// increment in its own transaction".
const benchWorkers = 64

// benchOrgs is how many organizations the spread runs share.
const benchOrgs = 1000

// floorTable is the bare floor's own table: one row per organization with
// a count and a cap.
const floorTable = `CREATE TABLE bench_floor (id TEXT PRIMARY KEY, n BIGINT NOT NULL, cap BIGINT NOT NULL)`

// hammer runs b.N calls of op over benchWorkers goroutines, op(i) for i
// in [0, b.N), and returns how many succeeded; it stops at the first
// error that is not a refusal.
func hammer(b *testing.B, op func(ctx context.Context, i int) (bool, error)) int64 {
	b.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	var next, passed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range benchWorkers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				ok, err := op(ctx, i)
				if err != nil {
					cancel(fmt.Errorf("call %d: %w", i, err))
					return
				}
				if ok {
					passed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if err := context.Cause(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	return passed.Load()
}

// capFor is the cap of each organization in a run of n calls over orgs:
// nine tenths of its share, so the last calls are refused and the cap is
// checked under load.
func capFor(n, orgs int) int64 { return max(int64(n/orgs)*9/10, 1) }

// expectPassed is how many of n calls spread round-robin over orgs pass
// under cap each.
func expectPassed(n, orgs int, cap int64) int64 {
	var total int64
	for o := range orgs {
		share := int64(n / orgs)
		if o < n%orgs {
			share++
		}
		total += min(share, cap)
	}
	return total
}

// BenchmarkCheckAndIncrement measures CheckAndIncrement from
// benchWorkers goroutines, each call in its own transaction, beside a
// bare floor in the same run: the same concurrency running a plain
// conditional UPDATE … SET n = n + 1 WHERE id = $1 AND n < $2 on a table
// of its own, in a transaction each. "spread" shares the calls among
// benchOrgs organizations, "hot" sends them all to one. Each
// organization's cap (a platform admin's override) is nine tenths of its
// share of the calls, so refusals happen too: after each run, what passed
// must be exactly what the caps allow and what is stored, or the
// benchmark fails. Each shape runs floor then ours benchRounds times in
// one run:
//
//	TEST_POSTGRES_URL=… go test ./modules/usage -run '^$' -bench CheckAndIncrement -benchtime 50000x
func BenchmarkCheckAndIncrement(b *testing.B) {
	for _, dialect := range testdb.Dialects() {
		b.Run(string(dialect), func(b *testing.B) { benchIncrement(b, dialect) })
	}
}

func benchIncrement(b *testing.B, dialect db.Dialect) {
	a := boot(b, dialect, nil, testkit.WithoutWorkers(), testkit.WithEnv("LOG_LEVEL", "error"))
	if _, err := a.DB().QW(b.Context()).Exec(b.Context(), floorTable); err != nil {
		b.Fatal(err)
	}
	orgs := make([]kernel.OrganizationID, benchOrgs)
	for i := range orgs {
		orgs[i] = newOrg()
	}
	for _, shape := range []struct {
		name string
		orgs int
	}{{"spread", benchOrgs}, {"hot", 1}} {
		for range benchRounds {
			benchRound(b, a, orgs, shape.name, shape.orgs) // the second round's are named …#01
		}
	}
}

// benchRounds is how many times each shape runs the floor then ours, one
// after the other, so that both see the same machine.
const benchRounds = 3

// benchRound runs the floor, then CheckAndIncrement, over the first n
// of orgs.
func benchRound(b *testing.B, a *testkit.App, orgs []kernel.OrganizationID, name string, n int) {
	orgs = orgs[:n]
	// check fails the run unless what passed is what the caps allow and
	// what sum (a query) finds stored.
	check := func(b *testing.B, what string, passed, cap int64, sum string) {
		var stored int64
		if err := a.DB().Q(b.Context()).QueryRow(b.Context(), sum).Scan(&stored); err != nil {
			b.Fatal(err)
		}
		if want := expectPassed(b.N, n, cap); passed != want || stored != want {
			b.Fatalf("%s: %d passed, %d stored, want %d", what, passed, stored, want)
		}
	}
	b.Run(name+"/floor", func(b *testing.B) {
		ctx, q, cap := b.Context(), a.DB().QW(b.Context()), capFor(b.N, n)
		if _, err := q.Exec(ctx, `DELETE FROM bench_floor`); err != nil {
			b.Fatal(err)
		}
		for _, o := range orgs {
			if _, err := q.Exec(ctx, `INSERT INTO bench_floor (id, n, cap) VALUES ($1, 0, $2)`, o, cap); err != nil {
				b.Fatal(err)
			}
		}
		passed := hammer(b, func(ctx context.Context, i int) (bool, error) {
			var changed int64
			err := a.DB().Tx(ctx, func(ctx context.Context) error {
				var err error
				changed, err = a.DB().QW(ctx).Exec(ctx, `UPDATE bench_floor SET n = n + 1 WHERE id = $1 AND n < $2`, orgs[i%n], cap)
				return err
			})
			return changed == 1, err
		})
		check(b, "floor", passed, cap, `SELECT COALESCE(SUM(n), 0) FROM bench_floor`)
	})
	b.Run(name+"/ours", func(b *testing.B) {
		ctx, cap := b.Context(), capFor(b.N, n)
		if _, err := a.DB().QW(ctx).Exec(ctx, `DELETE FROM usage_counters`); err != nil {
			b.Fatal(err)
		}
		setCaps(b, a, orgs, cap)
		passed := hammer(b, func(ctx context.Context, i int) (bool, error) {
			_, err := a.Usage().CheckAndIncrement(ctx, orgs[i%n], ticketsCreated.Key, 1)
			if errors.Is(err, usage.ErrQuotaExceeded) {
				return false, nil
			}
			return err == nil, err
		})
		check(b, "ours", passed, cap, `SELECT COALESCE(SUM(used), 0) FROM usage_counters`)
	})
}

// setCaps gives each of orgs an override of tickets_created at cap, as
// SetOverride stores one (the override, and its cap on a counter at zero
// in the current month), written straight to usage's tables: the
// benchmark's organizations exist only there.
func setCaps(b *testing.B, a *testkit.App, orgs []kernel.OrganizationID, cap int64) {
	b.Helper()
	ctx := b.Context()
	q, by, now := a.DB().QW(ctx), kernel.NewID[kernel.UserKind](), a.Clock.Now()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if _, err := q.Exec(ctx, `DELETE FROM usage_overrides`); err != nil {
		b.Fatal(err)
	}
	for _, o := range orgs {
		if _, err := q.Exec(ctx, `INSERT INTO usage_overrides (organization_id, meter, cap, reason, set_by, set_at)
			VALUES ($1, $2, $3, 'benchmark cap', $4, $5)`, o, ticketsCreated.Key, cap, by, now); err != nil {
			b.Fatal(err)
		}
		if _, err := q.Exec(ctx, `INSERT INTO usage_counters (organization_id, meter, used, cap, window_start, window_end, notified, updated_at, override_cap)
			VALUES ($1, $2, 0, $3, $4, $5, 0, $6, $3)`, o, ticketsCreated.Key, cap, start, start.AddDate(0, 1, 0), now); err != nil {
			b.Fatal(err)
		}
	}
}
