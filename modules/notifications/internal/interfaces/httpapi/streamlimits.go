package httpapi

import (
	"sync"
	"syscall"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// The limits on open event streams. A stream holds a connection and a file
// descriptor for as long as it lives, so nobody may hold many, and none
// lives forever: clients reconnect with Last-Event-ID and miss nothing.
const (
	// MaxStreamsPerSession: a browser opens one per tab.
	MaxStreamsPerSession = 8
	// MaxStreamsPerIP: many people behind one address (an office) share
	// it.
	MaxStreamsPerIP = 64
	// MaxStreamLifetime: a stream is closed after it, and the client
	// reconnects (the retry it was given is 5 s).
	MaxStreamLifetime = time.Hour
	// DefaultRecheck is how often an open stream checks that its session
	// is still live; it ends at the first check after a sign-out,
	// revocation, expiry or deactivation.
	DefaultRecheck = 30 * time.Second
	// maxStreamsCeiling bounds the server-wide cap whatever the descriptor
	// limit.
	maxStreamsCeiling = 10_000
)

var (
	errTooManyStreams = kernel.RateLimited("notifications.too_many_streams",
		"Too many notification streams are open for this session or address; close one first.", 5)
	errStreamsFull = kernel.Unavailable("notifications.streams_full",
		"The server holds as many notification streams as it can; reconnect shortly.")
)

// streamLimits counts open streams per session, per client IP and in
// all; it is safe for concurrent use.
type streamLimits struct {
	mu        sync.Mutex
	total     int
	max       int
	bySession map[kernel.SessionID]int
	byIP      map[string]int
}

// newStreamLimits caps the server at half the process's file descriptor
// limit (the rest stay for requests, the database and files), at most
// maxStreamsCeiling.
func newStreamLimits() *streamLimits {
	limit := maxStreamsCeiling
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil && rl.Cur > 0 && rl.Cur/2 < uint64(limit) {
		limit = int(rl.Cur / 2)
	}
	return &streamLimits{max: limit, bySession: map[kernel.SessionID]int{}, byIP: map[string]int{}}
}

// acquire takes a place for a stream of session from ip, or answers why
// not; release gives it back.
func (l *streamLimits) acquire(session kernel.SessionID, ip string) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.total >= l.max:
		return nil, errStreamsFull
	case !session.IsZero() && l.bySession[session] >= MaxStreamsPerSession, l.byIP[ip] >= MaxStreamsPerIP:
		return nil, errTooManyStreams
	}
	l.total++
	l.bySession[session]++
	l.byIP[ip]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.total--
			if l.bySession[session]--; l.bySession[session] == 0 {
				delete(l.bySession, session)
			}
			if l.byIP[ip]--; l.byIP[ip] == 0 {
				delete(l.byIP, ip)
			}
		})
	}, nil
}
