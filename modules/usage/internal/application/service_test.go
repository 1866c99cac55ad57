package application_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/application"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

var (
	t0    = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	meter = domain.Meter{Key: "tickets", Window: domain.Monthly}
)

type txKey struct{}

// uow is a unit of work that marks the context it runs fn with.
type uow struct{}

func (uow) Tx(ctx context.Context, fn func(ctx context.Context) error) error {
	return fn(context.WithValue(ctx, txKey{}, true))
}

func inTx(ctx context.Context) bool { return ctx.Value(txKey{}) != nil }

// store is an in-memory Store that fails the test when a write runs
// outside a transaction, or when the service touches it while it is
// forbidden (enforcement off).
type store struct {
	application.Store // unimplemented methods panic
	t                 *testing.T
	forbidden         bool
	counters          map[application.Key]domain.Counter
	keys              map[string]bool
	history           []domain.Closed
	deleted           []application.Key
}

func newStore(t *testing.T) *store {
	return &store{t: t, counters: map[application.Key]domain.Counter{}, keys: map[string]bool{}}
}

func (s *store) write(ctx context.Context, what string) {
	s.t.Helper()
	if s.forbidden {
		s.t.Errorf("%s with enforcement off", what)
	}
	if !inTx(ctx) {
		s.t.Errorf("%s outside a transaction", what)
	}
}

func (s *store) Increment(ctx context.Context, in application.Increment) (domain.Counter, bool, error) {
	s.write(ctx, "Increment")
	k := application.Key{Org: in.Org, Meter: in.Meter}
	c, ok := s.counters[k]
	if !ok || c.Ended(in.Now) {
		c = domain.Counter{OrganizationID: in.Org, Meter: in.Meter, WindowStart: in.WindowStart, WindowEnd: in.WindowEnd}
	}
	if in.Cap >= 0 && c.Used+in.N > in.Cap {
		return domain.Counter{}, false, nil
	}
	c.Used += in.N
	c.Cap = in.Cap
	s.counters[k] = c
	// As the port says: the count, cap and notified threshold only.
	return domain.Counter{OrganizationID: c.OrganizationID, Meter: c.Meter, Used: c.Used, Cap: c.Cap, Notified: c.Notified}, true, nil
}

func (s *store) Override(context.Context, application.Key) (domain.Override, bool, error) {
	return domain.Override{}, false, nil
}

func (s *store) Overrides(context.Context, kernel.OrganizationID) ([]domain.Override, error) {
	return nil, nil
}

func (s *store) MarkNotified(ctx context.Context, k application.Key, p int) (time.Time, bool, error) {
	s.write(ctx, "MarkNotified")
	c := s.counters[k]
	if c.Notified >= p {
		return time.Time{}, false, nil
	}
	c.Notified = p
	s.counters[k] = c
	return c.WindowEnd, true, nil
}

func (s *store) Standing(_ context.Context, k application.Key) (*domain.Counter, *domain.Override, error) {
	c, ok := s.counters[k]
	if !ok {
		return nil, nil, nil
	}
	return &c, nil, nil
}

func (s *store) ClaimKey(ctx context.Context, k application.Key, key string, _ time.Time) (bool, error) {
	s.write(ctx, "ClaimKey")
	if s.keys[key] {
		return false, nil
	}
	s.keys[key] = true
	return true, nil
}

func (s *store) ReleaseKey(ctx context.Context, _ application.Key, key string) error {
	s.write(ctx, "ReleaseKey")
	delete(s.keys, key)
	return nil
}

func (s *store) Refund(ctx context.Context, _ application.Key, _ int64, _ time.Time) (bool, error) {
	s.write(ctx, "Refund")
	return false, nil
}

func (s *store) Due(_ context.Context, now time.Time, _ int) ([]application.Key, error) {
	var out []application.Key
	for k, c := range s.counters {
		if c.Ended(now) || c.Previous != nil {
			out = append(out, k)
		}
	}
	return out, nil
}

func (s *store) LockCounter(ctx context.Context, k application.Key) (domain.Counter, bool, error) {
	s.write(ctx, "LockCounter")
	c, ok := s.counters[k]
	return c, ok, nil
}

func (s *store) AddHistory(ctx context.Context, _ application.Key, w []domain.Closed, _ time.Time) (int, error) {
	s.write(ctx, "AddHistory")
	s.history = append(s.history, w...)
	return len(w), nil
}

func (s *store) SaveCounter(ctx context.Context, c domain.Counter) error {
	s.write(ctx, "SaveCounter")
	s.counters[application.Key{Org: c.OrganizationID, Meter: c.Meter}] = c
	return nil
}

func (s *store) DeleteCounter(ctx context.Context, k application.Key) error {
	s.write(ctx, "DeleteCounter")
	delete(s.counters, k)
	s.deleted = append(s.deleted, k)
	return nil
}

func (s *store) PruneKeys(context.Context, time.Time) (int, error) { return 0, nil }

// plan is a Subscriptions port with one plan for everyone.
type plan struct{ caps map[string]int64 }

func (p plan) ActiveSubscription(context.Context, kernel.OrganizationID) (application.Subscription, error) {
	return application.Subscription{Plan: "free", Caps: p.caps}, nil
}

// events records what is published, failing the test outside a
// transaction.
type events struct {
	t   *testing.T
	got []kernel.Event
}

func (e *events) Publish(ctx context.Context, evs ...kernel.Event) error {
	if !inTx(ctx) {
		e.t.Error("published outside a transaction")
	}
	e.got = append(e.got, evs...)
	return nil
}

type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

type fixture struct {
	svc    *application.Service
	store  *store
	events *events
	clock  *clock
}

func setup(t *testing.T, enabled bool, caps map[string]int64) fixture {
	t.Helper()
	f := fixture{store: newStore(t), events: &events{t: t}, clock: &clock{now: t0}}
	f.svc = application.NewService(application.Deps{UoW: uow{}, Store: f.store, Subscriptions: plan{caps: caps},
		Events: f.events, Clock: f.clock, Enabled: enabled})
	if err := f.svc.Meters().Register(meter); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDisabledTouchesNothing(t *testing.T) {
	t.Parallel()
	f := setup(t, false, map[string]int64{"tickets": 1})
	f.store.forbidden = true
	org := kernel.NewID[kernel.OrganizationKind]()
	for range 3 {
		if left, err := f.svc.CheckAndIncrement(t.Context(), org, "tickets", 5); left != domain.Unlimited || err != nil {
			t.Fatalf("CheckAndIncrement = %d, %v", left, err)
		}
	}
	if left, err := f.svc.CheckAndIncrementOnce(t.Context(), org, "tickets", 5, "k"); left != domain.Unlimited || err != nil {
		t.Fatalf("CheckAndIncrementOnce = %d, %v", left, err)
	}
	if err := f.svc.Refund(t.Context(), org, "tickets", 1); err != nil {
		t.Fatal(err)
	}
}

func TestIncrementPublishesThresholdsOnce(t *testing.T) {
	t.Parallel()
	f := setup(t, true, map[string]int64{"tickets": 5})
	org := kernel.NewID[kernel.OrganizationKind]()
	for range 5 {
		if _, err := f.svc.CheckAndIncrement(t.Context(), org, "tickets", 1); err != nil {
			t.Fatal(err)
		}
	}
	var qe *domain.QuotaExceeded
	if _, err := f.svc.CheckAndIncrement(t.Context(), org, "tickets", 1); !errors.As(err, &qe) || qe.Used != 5 || qe.Limit != 5 {
		t.Fatalf("over the cap = %v", err)
	}
	if len(f.events.got) != 2 {
		t.Fatalf("events = %+v", f.events.got)
	}
	for i, p := range []int{80, 100} {
		e := f.events.got[i].(application.ThresholdReached)
		if e.Percent != p || e.OrganizationID != org || e.Limit != 5 || e.ResetsAt != time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC) {
			t.Errorf("event %d = %+v", i, e)
		}
	}
}

func TestOnceReleasesARefusedKey(t *testing.T) {
	t.Parallel()
	f := setup(t, true, map[string]int64{"tickets": 1})
	org := kernel.NewID[kernel.OrganizationKind]()
	if _, err := f.svc.CheckAndIncrementOnce(t.Context(), org, "tickets", 1, "a"); err != nil {
		t.Fatal(err)
	}
	if left, err := f.svc.CheckAndIncrementOnce(t.Context(), org, "tickets", 1, "a"); left != 0 || err != nil {
		t.Fatalf("retry = %d, %v", left, err)
	}
	var qe *domain.QuotaExceeded
	if _, err := f.svc.CheckAndIncrementOnce(t.Context(), org, "tickets", 1, "b"); !errors.As(err, &qe) {
		t.Fatalf("b = %v", err)
	}
	if f.store.keys["b"] || !f.store.keys["a"] {
		t.Errorf("keys = %v", f.store.keys)
	}
}

// A counter of a meter no longer registered is recorded and removed.
func TestRolloverOfAnUnregisteredMeter(t *testing.T) {
	t.Parallel()
	f := setup(t, true, nil)
	org := kernel.NewID[kernel.OrganizationKind]()
	gone := application.Key{Org: org, Meter: "gone"}
	kept := application.Key{Org: org, Meter: "tickets"}
	jan, feb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	f.store.counters[gone] = domain.Counter{OrganizationID: org, Meter: "gone", Used: 3, WindowStart: jan, WindowEnd: feb}
	f.store.counters[kept] = domain.Counter{OrganizationID: org, Meter: "tickets", Used: 4, WindowStart: jan, WindowEnd: feb}
	f.clock.now = feb
	res, err := f.svc.Rollover(t.Context())
	if err != nil || res.Recorded != 2 || res.Counters != 2 {
		t.Fatalf("Rollover = %+v, %v", res, err)
	}
	if len(f.store.deleted) != 1 || f.store.deleted[0] != gone {
		t.Errorf("deleted = %+v", f.store.deleted)
	}
	if c := f.store.counters[kept]; c.Used != 0 || !c.WindowStart.Equal(feb) || !c.WindowEnd.Equal(feb.AddDate(0, 1, 0)) {
		t.Errorf("kept = %+v", c)
	}
}

func TestMeters(t *testing.T) {
	t.Parallel()
	r := application.NewMeters()
	if err := r.Register(meter); err != nil {
		t.Fatal(err)
	}
	if err := r.CheckPlans(map[string]map[string]int64{"free": {"tickets": 1}}); err != nil {
		t.Errorf("CheckPlans = %v", err)
	}
	if err := r.CheckPlans(map[string]map[string]int64{"free": {"tickets": 1, "seats": 2}}); err == nil {
		t.Error("CheckPlans passed an unregistered cap")
	}
	r.Close()
	if err := r.Register(domain.Meter{Key: "other", Window: domain.Lifetime}); kernel.CodeOf(err) != application.CodeRegistrationClosed {
		t.Errorf("Register after Close = %v", err)
	}
	if _, err := r.Meter("other"); !errors.Is(err, domain.ErrUnknownMeter) {
		t.Errorf("Meter(other) = %v", err)
	}
}
