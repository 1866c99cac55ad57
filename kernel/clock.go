package kernel

import (
	"time"
)

// Clock tells the time. Production code takes a Clock instead of calling
// time.Now so tests can move time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC, truncated to microseconds so a time
// survives a round trip through either database unchanged.
type SystemClock struct{}

// Now returns the current UTC time to the microsecond.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }
