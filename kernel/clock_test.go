package kernel_test

import (
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

func TestSystemClock(t *testing.T) {
	t.Parallel()
	var c kernel.Clock = kernel.SystemClock{}
	before := time.Now().Add(-time.Microsecond)
	now := c.Now()
	after := time.Now()
	if now.Location() != time.UTC {
		t.Errorf("Now() is in %v, want UTC", now.Location())
	}
	if now.Nanosecond()%1000 != 0 {
		t.Errorf("Now() = %v is not truncated to the microsecond", now)
	}
	if now.Before(before) || now.After(after) {
		t.Errorf("Now() = %v, want between %v and %v", now, before, after)
	}
}

func TestClockFunc(t *testing.T) {
	t.Parallel()
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var c kernel.Clock = kernel.ClockFunc(func() time.Time { return fixed })
	if got := c.Now(); !got.Equal(fixed) {
		t.Errorf("Now() = %v, want %v", got, fixed)
	}
}
