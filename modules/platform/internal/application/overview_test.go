package application_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/platform/internal/application"
)

var t0 = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// overview returns an overview at t0 with sections, failing the test if
// one is refused.
func overview(t *testing.T, sections ...application.OverviewSection) *application.Overview {
	t.Helper()
	o := application.NewOverview(kernel.ClockFunc(func() time.Time { return t0 }))
	if err := o.Add(sections...); err != nil {
		t.Fatal(err)
	}
	return o
}

// read is Read with a deadline, so that a section left waiting fails the
// test instead of hanging it.
func read(t *testing.T, o *application.Overview) (application.OverviewReport, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return o.Read(ctx)
}

func TestReadKeepsTheOrderSectionsWereAddedIn(t *testing.T) {
	t.Parallel()
	var sections []application.OverviewSection
	for _, key := range []string{"users", "organizations", "jobs", "billing"} {
		sections = append(sections, application.OverviewSection{Key: key, ReadFunc: func(_ context.Context, now time.Time) (any, error) {
			return key + "@" + now.Format(time.RFC3339), nil
		}})
	}
	r, err := read(t, overview(t, sections...))
	if err != nil {
		t.Fatal(err)
	}
	if !r.GeneratedAt.Equal(t0) {
		t.Errorf("GeneratedAt = %s, want %s", r.GeneratedAt, t0)
	}
	if len(r.Sections) != len(sections) {
		t.Fatalf("%d sections, want %d", len(r.Sections), len(sections))
	}
	for i, s := range r.Sections {
		want := sections[i].Key + "@2026-01-15T09:00:00Z"
		if s.Key != sections[i].Key || s.Value != want {
			t.Errorf("section %d = %s %v, want %s %s", i, s.Key, s.Value, sections[i].Key, want)
		}
	}
}

func TestReadRunsSectionsAtOnce(t *testing.T) {
	t.Parallel()
	// Each section waits for the other to start: read one after the other,
	// they would wait until the deadline.
	a, b := make(chan struct{}), make(chan struct{})
	meet := func(mine, theirs chan struct{}) func(ctx context.Context, _ time.Time) (any, error) {
		return func(ctx context.Context, _ time.Time) (any, error) {
			close(mine)
			select {
			case <-theirs:
				return 1, nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	_, err := read(t, overview(t,
		application.OverviewSection{Key: "a", ReadFunc: meet(a, b)},
		application.OverviewSection{Key: "b", ReadFunc: meet(b, a)}))
	if err != nil {
		t.Fatal(err)
	}
}

func TestReadFailsWithTheFirstErrorAndCancelsTheRest(t *testing.T) {
	t.Parallel()
	down := kernel.Unavailable("billing.down", "Billing is down.")
	var slowErr error // Read returns once every section has
	r, err := read(t, overview(t,
		application.OverviewSection{Key: "slow", ReadFunc: func(ctx context.Context, _ time.Time) (any, error) {
			<-ctx.Done() // until the failure cancels it, or the test's deadline
			slowErr = ctx.Err()
			return nil, slowErr
		}},
		application.OverviewSection{Key: "billing", ReadFunc: func(context.Context, time.Time) (any, error) {
			return nil, down
		}}))
	if !errors.Is(err, down) || kernel.CodeOf(err) != "billing.down" {
		t.Fatalf("err = %v, want billing's", err)
	}
	if !errors.Is(slowErr, context.Canceled) {
		t.Errorf("the slow section ended with %v, want it cancelled", slowErr)
	}
	if !strings.Contains(err.Error(), "overview section billing") {
		t.Errorf("err = %q does not name the section", err)
	}
	if r.Sections != nil {
		t.Errorf("a failed read returned sections: %+v", r.Sections)
	}
}

func TestReadTurnsAPanicIntoAnError(t *testing.T) {
	t.Parallel()
	_, err := read(t, overview(t, application.OverviewSection{Key: "boom", ReadFunc: func(context.Context, time.Time) (any, error) {
		panic("nil map")
	}}))
	if err == nil || kernel.KindOf(err) != kernel.KindInternal || !strings.Contains(err.Error(), "nil map") {
		t.Fatalf("err = %v, want an internal error naming the panic", err)
	}
}
