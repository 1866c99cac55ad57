package web

import (
	"context"
	"log/slog"
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

// Logger returns the request's logger, which carries the request_id
// attribute, or slog.Default() outside a request served by a Router.
func Logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(keyLogger).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// WithLogger returns ctx carrying l as the request logger. Middlewares that
// learn more about the caller (user_id, org_id) use it to enrich the logger
// for the handlers they call.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, keyLogger, l)
}
