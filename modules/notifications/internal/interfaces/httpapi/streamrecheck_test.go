package httpapi

import (
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
)

func TestRechecks(t *testing.T) {
	t.Parallel()
	r := newRechecks()
	ana, bo := kernel.NewID[kernel.UserKind](), kernel.NewID[kernel.UserKind]()
	a1, forgetA1 := r.register(ana)
	a2, forgetA2 := r.register(ana)
	b1, forgetB1 := r.register(bo)
	signalled := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	r.signal(ana)
	r.signal(ana) // a second signal before the stream looked is one
	if !signalled(a1) || !signalled(a2) || signalled(a1) || signalled(b1) {
		t.Fatal("signal reached the wrong streams")
	}
	r.signalAll()
	if !signalled(a1) || !signalled(a2) || !signalled(b1) {
		t.Fatal("signalAll missed a stream")
	}
	forgetA1()
	forgetA2()
	// A stream registered after the last one left is kept, and the
	// earlier forget (run again) does not drop it.
	a3, forgetA3 := r.register(ana)
	forgetA1()
	r.signal(ana)
	if !signalled(a3) {
		t.Fatal("a new stream was forgotten with an old one")
	}
	forgetA3()
	forgetB1()
	if len(r.byUser) != 0 {
		t.Errorf("%d users left registered", len(r.byUser))
	}
}
