package web

import (
	"context"
	"log/slog"
	"net"
	"sync"
)

type ctxKey int

const (
	keyState ctxKey = iota
	keyLogger
)

// requestState is shared by the whole middleware chain for one request. The
// outermost middleware creates it; the innermost records the matched route,
// which the metrics and access-log middlewares read after the handler ran
// (they cannot read r.Pattern themselves: inner middlewares may hand the mux
// a copy of the request).
type requestState struct {
	id      string
	rec     *recorder
	pattern string

	// remoteAddr and userAgent are the client's, for records of who did
	// what (the audit log).
	remoteAddr string
	userAgent  string

	// attrs are log attributes learned during the request (user_id,
	// org_id). They are added to the access log line, and to the logger a
	// handler asks for, only when something is logged.
	mu       sync.Mutex
	attrs    []slog.Attr
	base     *slog.Logger
	enriched *slog.Logger
}

func stateFrom(ctx context.Context) *requestState {
	s, _ := ctx.Value(keyState).(*requestState)
	return s
}

// RequestID returns the ID of the request ctx belongs to, or "" outside a
// request served by a Router.
func RequestID(ctx context.Context) string {
	if s := stateFrom(ctx); s != nil {
		return s.id
	}
	return ""
}

// ClientIP returns the address of the TCP peer of the request ctx belongs
// to, without the port, or "" outside a request served by a Router.
// X-Forwarded-For is not read: any client can send it.
func ClientIP(ctx context.Context) string {
	s := stateFrom(ctx)
	if s == nil {
		return ""
	}
	host, _, err := net.SplitHostPort(s.remoteAddr)
	if err != nil {
		return s.remoteAddr
	}
	return host
}

// UserAgent returns the User-Agent of the request ctx belongs to, or ""
// outside a request served by a Router.
func UserAgent(ctx context.Context) string {
	if s := stateFrom(ctx); s != nil {
		return s.userAgent
	}
	return ""
}

// Logger returns the request's logger, which carries the request_id
// attribute, or slog.Default() outside a request served by a Router.
func Logger(ctx context.Context) *slog.Logger {
	l, ok := ctx.Value(keyLogger).(*slog.Logger)
	if !ok {
		return slog.Default()
	}
	st := stateFrom(ctx)
	if st == nil {
		return l
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.attrs) == 0 {
		return l
	}
	if st.enriched == nil || st.base != l {
		args := make([]any, len(st.attrs))
		for i, a := range st.attrs {
			args[i] = a
		}
		st.base, st.enriched = l, l.With(args...)
	}
	return st.enriched
}

// AddLogAttrs adds attributes (user_id, org_id) to every line logged for
// the request from now on, the access log line included. It costs nothing
// until something is logged.
func AddLogAttrs(ctx context.Context, attrs ...slog.Attr) {
	st := stateFrom(ctx)
	if st == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.attrs = append(st.attrs, attrs...)
	st.enriched = nil
}

// logAttrs returns a copy of the request's added log attributes.
func (s *requestState) logAttrs() []slog.Attr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]slog.Attr(nil), s.attrs...)
}

// WithLogger returns ctx carrying l as the request logger. Middlewares that
// learn more about the caller (user_id, org_id) use it to enrich the logger
// for the handlers they call.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, keyLogger, l)
}
