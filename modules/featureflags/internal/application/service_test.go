package application_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/application"
	"github.com/groundworkhq/groundwork/modules/featureflags/internal/domain"
)

// store is an in-memory Store whose rows a test changes behind the
// service's back, as another process would.
type store struct {
	application.Store
	listening atomic.Bool
	global    atomic.Pointer[string]
	loads     atomic.Int32
	heard     func()
}

func (s *store) Load(context.Context) ([]application.Row, []application.Override, error) {
	s.loads.Add(1)
	r := application.Row{Key: "beta", Type: "boolean", Default: "false", Global: s.global.Load()}
	return []application.Row{r}, nil, nil
}
func (s *store) Listening() bool     { return s.listening.Load() }
func (s *store) Subscribe(fn func()) { s.heard = fn }

func newService(t *testing.T, st *store) *application.Service {
	t.Helper()
	svc := application.NewService(application.Deps{Store: st, Clock: kernel.SystemClock{}})
	if err := svc.Declare(domain.Definition{Key: "beta", Type: domain.Boolean, Default: false}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	return svc
}

func value(t *testing.T, svc *application.Service) any {
	t.Helper()
	e, err := svc.Evaluate(context.Background(), "beta", false)
	if err != nil {
		t.Fatal(err)
	}
	return e.Value
}

// While listening, the rules are served from memory until a write is
// heard; evaluating reads nothing.
func TestReload_onNotification(t *testing.T) {
	st := &store{}
	st.listening.Store(true)
	svc := newService(t, st)
	on := "true"
	st.global.Store(&on)
	for range 100 {
		if value(t, svc) != false {
			t.Fatal("served a write that was not heard")
		}
	}
	if n := st.loads.Load(); n != 1 {
		t.Fatalf("%d loads while nothing was heard", n)
	}
	st.heard()
	if value(t, svc) != true || st.loads.Load() != 2 {
		t.Fatalf("after the notification: %v, %d loads", value(t, svc), st.loads.Load())
	}
}

// While not listening, the rules are read again once they are older than
// StaleAfter, so a missed write is served within it.
func TestReload_whileNotListening(t *testing.T) {
	st := &store{}
	svc := newService(t, st)
	on := "true"
	st.global.Store(&on)
	deadline := time.Now().Add(application.StaleAfter + time.Second)
	for value(t, svc) != true {
		if time.Now().After(deadline) {
			t.Fatalf("still stale after %v", application.StaleAfter+time.Second)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := st.loads.Load(); n < 2 || n > 4 {
		t.Fatalf("%d loads", n)
	}
}
