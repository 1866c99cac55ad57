package kernel

import (
	"log/slog"
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

// Defaults fills in a module's optional clock and logger: the system clock
// for a nil clock, a logger that discards for a nil logger.
func Defaults(clock Clock, logger *slog.Logger) (Clock, *slog.Logger) {
	if clock == nil {
		clock = SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return clock, logger
}
