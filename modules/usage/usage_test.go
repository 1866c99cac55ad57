package usage_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/web"
)

func TestRegister(t *testing.T) {
	// A started app takes no more meters.
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		err := a.Usage().Register(usage.Meter{Key: "late", Window: usage.Monthly})
		if kernel.CodeOf(err) != "usage.registration_closed" {
			t.Fatalf("Register after Start = %v", err)
		}
		if n := len(a.Usage().Meters()); n != 0 {
			t.Errorf("meters = %d", n)
		}
	})
}

func TestRegister_beforeStart(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		u := a.Usage()
		if err := u.Register(ticketsCreated); err != nil {
			t.Fatal(err)
		}
		if err := u.Register(usage.Meter{Key: "tickets_created", Window: usage.Yearly}); kernel.CodeOf(err) != "usage.duplicate_meter" {
			t.Errorf("duplicate = %v", err)
		}
		for _, bad := range []usage.Meter{
			{Key: "Tickets", Window: usage.Monthly}, {Key: "", Window: usage.Monthly},
			{Key: "tickets-created", Window: usage.Monthly}, {Key: "no_window"},
		} {
			if err := u.Register(bad); kernel.CodeOf(err) != "usage.invalid_meter" {
				t.Errorf("Register(%+v) = %v", bad, err)
			}
		}
		if err := a.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		if err := a.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		if ms := u.Meters(); len(ms) != 1 || ms[0] != ticketsCreated {
			t.Errorf("meters = %+v", ms)
		}
		if err := u.Register(apiCalls); kernel.CodeOf(err) != "usage.registration_closed" {
			t.Errorf("after Start = %v", err)
		}
	}, testkit.WithoutMigrations())
}

// 64 callers, each in a transaction of its own, race for a cap of 50:
// exactly 50 count, the others are refused, and 50 are stored.
func TestCheckAndIncrement_parallel(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		org := newOrg()
		const callers, limit = 64, 50
		var counted, refusals atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range callers {
			wg.Go(func() {
				<-start
				err := a.DB().Tx(context.Background(), func(ctx context.Context) error {
					_, err := a.Usage().CheckAndIncrement(ctx, org, apiCalls.Key, 1)
					return err
				})
				var qe *usage.QuotaExceeded
				switch {
				case err == nil:
					counted.Add(1)
				case errors.As(err, &qe) && qe.Limit == limit:
					refusals.Add(1)
				default:
					t.Errorf("CheckAndIncrement: %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		if st := check(t, a, org, apiCalls.Key); counted.Load() != limit || refusals.Load() != callers-limit || st.Used != limit || st.Remaining != 0 {
			t.Fatalf("counted %d, refused %d, stored %d; want %d, %d, %d", counted.Load(), refusals.Load(), st.Used, limit, callers-limit, limit)
		}
	})
}

func TestCheckAndIncrement(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		ctx, u, org := t.Context(), a.Usage(), newOrg()

		if left := inc(t, a, org, ticketsCreated.Key, 2); left != 3 {
			t.Errorf("remaining = %d, want 3", left)
		}
		if left := inc(t, a, org, ticketsCreated.Key, 3); left != 0 {
			t.Errorf("remaining = %d, want 0", left)
		}
		qe := refused(t, a, org, ticketsCreated.Key, 1)
		feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
		if *qe != (usage.QuotaExceeded{Meter: "tickets_created", Limit: 5, Used: 5, ResetsAt: feb}) {
			t.Errorf("refusal = %+v", qe)
		}

		// A rolled-back caller counts nothing.
		other := newOrg()
		rollback := errors.New("the caller's work failed")
		err := a.DB().Tx(ctx, func(ctx context.Context) error {
			if _, err := u.CheckAndIncrement(ctx, other, ticketsCreated.Key, 4); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("Tx = %v", err)
		}
		if st := check(t, a, other, ticketsCreated.Key); st.Used != 0 || st.Remaining != 5 {
			t.Errorf("after a rollback = %+v", st)
		}
		if n := rows(t, a, "usage_counters", other); n != 0 {
			t.Errorf("a rolled-back first increment left %d rows", n)
		}

		// Unlimited: no cap check, -1 remaining.
		if left := inc(t, a, org, exports.Key, 1_000_000); left != usage.Unlimited {
			t.Errorf("unlimited remaining = %d", left)
		}
		if st := check(t, a, org, exports.Key); st.Used != 1_000_000 || st.Limit != -1 || st.Remaining != -1 {
			t.Errorf("unlimited status = %+v", st)
		}

		// Not on the plan: 402 with limit 0, nothing stored.
		qe = refused(t, a, org, customDomains.Key, 1)
		if qe.Limit != 0 || qe.Used != 0 || !qe.ResetsAt.IsZero() {
			t.Errorf("not on the plan = %+v", qe)
		}
		// Lifetime: a refusal has no reset.
		inc(t, a, org, projects.Key, 2)
		if qe = refused(t, a, org, projects.Key, 1); qe.Limit != 2 || qe.Used != 2 || !qe.ResetsAt.IsZero() {
			t.Errorf("lifetime refusal = %+v", qe)
		}

		// n <= 0 is refused before anything else.
		for _, n := range []int64{0, -1} {
			if _, err := u.CheckAndIncrement(ctx, org, ticketsCreated.Key, n); kernel.CodeOf(err) != "usage.invalid_amount" || kernel.KindOf(err) != kernel.KindInvalid {
				t.Errorf("CheckAndIncrement(n=%d) = %v", n, err)
			}
			if err := u.Refund(ctx, org, ticketsCreated.Key, n); kernel.KindOf(err) != kernel.KindInvalid {
				t.Errorf("Refund(n=%d) = %v", n, err)
			}
		}

		// An unknown meter, through every call.
		_, errInc := u.CheckAndIncrement(ctx, org, "nope", 1)
		_, errCheck := u.Check(ctx, org, "nope")
		_, errOnce := u.CheckAndIncrementOnce(ctx, org, "nope", 1, "k")
		_, errHistory := u.History(ctx, org, "nope", time.Time{}, time.Time{}, 0)
		errRefund := u.Refund(ctx, org, "nope", 1)
		for _, err := range []error{errInc, errCheck, errOnce, errHistory, errRefund} {
			if !errors.Is(err, usage.ErrUnknownMeter) {
				t.Errorf("unknown meter = %v", err)
			}
		}
		if p := web.ProblemFrom(ctx, errInc); p.Status != http.StatusNotFound || p.Code != "usage.unknown_meter" {
			t.Errorf("unknown meter problem = %d %s", p.Status, p.Code)
		}

		// Refund: never below zero.
		if err := u.Refund(ctx, org, ticketsCreated.Key, 2); err != nil {
			t.Fatal(err)
		}
		if st := check(t, a, org, ticketsCreated.Key); st.Used != 3 || st.Remaining != 2 {
			t.Errorf("after a refund = %+v", st)
		}
		if err := u.Refund(ctx, org, ticketsCreated.Key, 10); err != nil {
			t.Fatal(err)
		}
		if st := check(t, a, org, ticketsCreated.Key); st.Used != 0 {
			t.Errorf("after refunding too much = %+v", st)
		}
		// A refund does not reach into an ended window.
		inc(t, a, org, ticketsCreated.Key, 4)
		a.Clock.Set(feb)
		if err := u.Refund(ctx, org, ticketsCreated.Key, 4); err != nil {
			t.Fatal(err)
		}
		if c, _ := counter(t, a, org, ticketsCreated.Key); c.used != 4 || !c.end.Equal(feb) {
			t.Errorf("a refund after the window's end changed it: %+v", c)
		}
		inc(t, a, org, ticketsCreated.Key, 1)
		if st := check(t, a, org, ticketsCreated.Key); st.Used != 1 {
			t.Errorf("the next window = %+v", st)
		}
	})
}

// The 402 a handler answers by returning the refusal, through the edge's
// one mapping.
func TestQuotaExceeded_problem(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		org := newOrg()
		inc(t, a, org, ticketsCreated.Key, 5)
		_, err := a.Usage().CheckAndIncrement(t.Context(), org, ticketsCreated.Key, 1)
		p := web.ProblemFrom(t.Context(), err)
		if p.Status != http.StatusPaymentRequired || p.Code != "usage.quota_exceeded" {
			t.Fatalf("problem = %d %s", p.Status, p.Code)
		}
		resets, _ := p.Extensions["resetsAt"].(*time.Time)
		if p.Extensions["meter"] != "tickets_created" || p.Extensions["limit"] != int64(5) || p.Extensions["used"] != int64(5) ||
			resets == nil || !resets.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("extensions = %+v", p.Extensions)
		}
		if !errors.Is(err, usage.ErrQuotaExceeded) {
			t.Error("errors.Is(err, ErrQuotaExceeded) is false")
		}
	})
}

func TestCheckAndIncrementOnce(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		ctx, u, org := t.Context(), a.Usage(), newOrg()
		once := func(key string, n int64) (int64, error) {
			var left int64
			err := a.DB().Tx(ctx, func(ctx context.Context) error {
				var err error
				left, err = u.CheckAndIncrementOnce(ctx, org, ticketsCreated.Key, n, key)
				return err
			})
			return left, err
		}
		if left, err := once("req-1", 2); left != 3 || err != nil {
			t.Fatalf("first = %d, %v", left, err)
		}
		if left, err := once("req-1", 2); left != 3 || err != nil {
			t.Fatalf("retry = %d, %v", left, err)
		}
		if st := check(t, a, org, ticketsCreated.Key); st.Used != 2 {
			t.Fatalf("a retried key counted: used %d", st.Used)
		}
		if left, err := once("req-2", 3); left != 0 || err != nil {
			t.Fatalf("another key = %d, %v", left, err)
		}
		// A refused key is not recorded: once room is made, it counts.
		var qe *usage.QuotaExceeded
		if _, err := once("req-3", 1); !errors.As(err, &qe) {
			t.Fatalf("over the cap = %v", err)
		}
		if err := u.Refund(ctx, org, ticketsCreated.Key, 1); err != nil {
			t.Fatal(err)
		}
		if left, err := once("req-3", 1); left != 0 || err != nil {
			t.Fatalf("req-3 after a refund = %d, %v", left, err)
		}
		// A caller that swallows the refusal and commits records no key either.
		err := a.DB().Tx(ctx, func(ctx context.Context) error {
			_, err := u.CheckAndIncrementOnce(ctx, org, ticketsCreated.Key, 1, "req-4")
			if !errors.As(err, &qe) {
				t.Errorf("req-4 = %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := rows(t, a, "usage_idempotency", org); n != 3 {
			t.Errorf("keys = %d, want 3", n)
		}
		// A rolled-back caller records no key.
		if err := u.Refund(ctx, org, ticketsCreated.Key, 1); err != nil {
			t.Fatal(err)
		}
		_ = a.DB().Tx(ctx, func(ctx context.Context) error {
			if _, err := u.CheckAndIncrementOnce(ctx, org, ticketsCreated.Key, 1, "req-5"); err != nil {
				t.Errorf("req-5 = %v", err)
			}
			return errors.New("roll back")
		})
		if left, err := once("req-5", 1); left != 0 || err != nil {
			t.Fatalf("req-5 after a rollback = %d, %v", left, err)
		}
		for _, key := range []string{"", string(make([]byte, 201))} {
			if _, err := once(key, 1); kernel.CodeOf(err) != "usage.invalid_idempotency_key" {
				t.Errorf("key of %d bytes = %v", len(key), err)
			}
		}
	})
}

// Off (the default), increments allow everything and write nothing.
func TestDisabled(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		ctx, u, org := t.Context(), a.Usage(), newOrg()
		if u.Enabled() {
			t.Fatal("enabled")
		}
		for range 10 {
			if left := inc(t, a, org, ticketsCreated.Key, 100); left != usage.Unlimited {
				t.Fatalf("remaining = %d", left)
			}
		}
		if left, err := u.CheckAndIncrementOnce(ctx, org, customDomains.Key, 1, "k"); left != usage.Unlimited || err != nil {
			t.Fatalf("Once = %d, %v", left, err)
		}
		if err := u.Refund(ctx, org, ticketsCreated.Key, 1); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"usage_counters", "usage_idempotency", "usage_history"} {
			if n := rows(t, a, table, kernel.OrganizationID{}); n != 0 {
				t.Errorf("%s has %d rows", table, n)
			}
		}
		st := check(t, a, org, ticketsCreated.Key)
		if st.Used != 0 || st.Limit != 5 || st.Enforced {
			t.Errorf("status = %+v", st)
		}
		// Bad input is still refused.
		if _, err := u.CheckAndIncrement(ctx, org, ticketsCreated.Key, 0); kernel.KindOf(err) != kernel.KindInvalid {
			t.Errorf("n=0 = %v", err)
		}
		if _, err := u.CheckAndIncrement(ctx, org, "nope", 1); !errors.Is(err, usage.ErrUnknownMeter) {
			t.Errorf("unknown = %v", err)
		}
	}, testkit.WithEnv("USAGE_METERING_ENABLED", "false"))
}

// 80% and 100% are published once each per window, in the increment's
// transaction.
func TestThresholds(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App) {
		var mu sync.Mutex
		var got []usage.ThresholdReached
		// As a listener with outside effects sees them: once committed.
		eventbus.OnCommit(a.Bus(), func(_ context.Context, e usage.ThresholdReached) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, e)
		})
		events := func() []usage.ThresholdReached {
			mu.Lock()
			defer mu.Unlock()
			return append([]usage.ThresholdReached(nil), got...)
		}
		org := newOrg()
		feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
		for range 39 {
			inc(t, a, org, apiCalls.Key, 1)
		}
		if n := len(events()); n != 0 {
			t.Fatalf("below 80%%: %d events", n)
		}
		inc(t, a, org, apiCalls.Key, 1) // 40 of 50
		want := []usage.ThresholdReached{{OrganizationID: org, Meter: "api_calls", Percent: 80, Used: 40, Limit: 50, ResetsAt: feb}}
		if e := events(); len(e) != 1 || e[0] != want[0] {
			t.Fatalf("at 80%% = %+v", e)
		}
		// Back below and up again: not again in this window.
		if err := a.Usage().Refund(t.Context(), org, apiCalls.Key, 5); err != nil {
			t.Fatal(err)
		}
		inc(t, a, org, apiCalls.Key, 5)
		for range 9 {
			inc(t, a, org, apiCalls.Key, 1)
		}
		if n := len(events()); n != 1 {
			t.Fatalf("before 100%%: %d events", n)
		}
		inc(t, a, org, apiCalls.Key, 1) // 50 of 50
		refused(t, a, org, apiCalls.Key, 1)
		want = append(want, usage.ThresholdReached{OrganizationID: org, Meter: "api_calls", Percent: 100, Used: 50, Limit: 50, ResetsAt: feb})
		if e := events(); len(e) != 2 || e[1] != want[1] {
			t.Fatalf("at 100%% = %+v", e)
		}

		// A rolled-back increment's threshold is not spent.
		other := newOrg()
		inc(t, a, other, apiCalls.Key, 39)
		_ = a.DB().Tx(t.Context(), func(ctx context.Context) error {
			if _, err := a.Usage().CheckAndIncrement(ctx, other, apiCalls.Key, 1); err != nil {
				return err
			}
			return errors.New("roll back")
		})
		inc(t, a, other, apiCalls.Key, 1)
		if e := events(); len(e) != 3 || e[2].OrganizationID != other || e[2].Percent != 80 || e[2].Used != 40 {
			t.Fatalf("after a rollback = %+v", e)
		}

		// A new window: again. Straight past both at once: 100 only.
		a.Clock.Set(feb)
		inc(t, a, org, apiCalls.Key, 50)
		if e := events(); len(e) != 4 || e[3].Percent != 100 || e[3].Used != 50 || !e[3].ResetsAt.Equal(feb.AddDate(0, 1, 0)) {
			t.Fatalf("in February = %+v", e)
		}
	})
}
