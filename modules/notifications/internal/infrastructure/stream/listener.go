package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Backoff bounds of the Listener's reconnection attempts.
const (
	DefaultMinBackoff = 100 * time.Millisecond
	DefaultMaxBackoff = 10 * time.Second
)

// Listener carries announcements from PostgreSQL to a Hub: it holds one
// dedicated connection taken out of the pool, LISTENs on Channel and
// publishes every notification it receives to the hub. If the connection
// drops it reconnects with exponential backoff and then disconnects every
// subscriber, because announcements sent while it was away are lost; their
// clients reconnect and catch up with Last-Event-ID.
type Listener struct {
	pool   *pgxpool.Pool
	hub    *Hub
	logger *slog.Logger
	// MinBackoff and MaxBackoff bound the wait between reconnection
	// attempts (defaults DefaultMinBackoff, DefaultMaxBackoff). Set them
	// before Start.
	MinBackoff, MaxBackoff time.Duration

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewListener returns a Listener over pool feeding hub. It does no I/O.
func NewListener(pool *pgxpool.Pool, hub *Hub, logger *slog.Logger) *Listener {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Listener{pool: pool, hub: hub, logger: logger, MinBackoff: DefaultMinBackoff, MaxBackoff: DefaultMaxBackoff}
}

// Start connects and LISTENs before it returns, so an announcement
// committed after Start is received, then listens in the background until
// Stop. ctx bounds only the first connection. It returns an error if that
// connection fails or the Listener has already started.
func (l *Listener) Start(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done != nil {
		return errors.New("notification listener: already started")
	}
	conn, err := l.connect(ctx)
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l.cancel, l.done = cancel, make(chan struct{})
	go l.run(runCtx, conn, l.done)
	return nil
}

// Stop stops listening and closes the connection, waiting for the
// background goroutine until ctx ends. It tolerates a Listener that never
// started and a second call.
func (l *Listener) Stop(ctx context.Context) error {
	l.mu.Lock()
	cancel, done := l.cancel, l.done
	l.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("notification listener: stop: %w", ctx.Err())
	}
}

// connect takes a connection out of the pool for good (a LISTENing
// connection must never serve other queries) and LISTENs on it.
func (l *Listener) connect(ctx context.Context) (*pgx.Conn, error) {
	pc, err := l.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("notification listener: connect: %w", err)
	}
	conn := pc.Hijack()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		closeConn(conn)
		return nil, fmt.Errorf("notification listener: listen: %w", err)
	}
	return conn, nil
}

func (l *Listener) run(ctx context.Context, conn *pgx.Conn, done chan struct{}) {
	defer close(done)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err == nil {
			l.dispatch(ctx, n.Payload)
			continue
		}
		closeConn(conn)
		if ctx.Err() != nil {
			return
		}
		l.logger.Warn("notification listener lost its connection; reconnecting", "error", err.Error())
		if conn = l.reconnect(ctx); conn == nil {
			return
		}
		l.hub.DisconnectAll()
	}
}

// reconnect retries with exponential backoff until it connects or ctx ends
// (nil).
func (l *Listener) reconnect(ctx context.Context) *pgx.Conn {
	wait := l.MinBackoff
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C:
		}
		conn, err := l.connect(ctx)
		if err == nil {
			l.logger.Info("notification listener reconnected")
			return conn
		}
		if ctx.Err() != nil {
			return nil
		}
		l.logger.Warn("notification listener cannot reconnect", "error", err.Error(), "retry_in", wait.String())
		wait = min(2*wait, l.MaxBackoff)
	}
}

func (l *Listener) dispatch(ctx context.Context, raw string) {
	var p payload
	if err := json.Unmarshal([]byte(raw), &p); err != nil || p.UserID.IsZero() || p.ID.IsZero() {
		l.logger.Warn("notification listener: ignoring a malformed payload", "payload", raw)
		return
	}
	l.hub.Publish(ctx, p.UserID, p.ID)
}

func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = conn.Close(ctx)
}
