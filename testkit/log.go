package testkit

import (
	"log/slog"
	"strings"
	"testing"
)

// Logger returns a logger that writes warnings and errors through t.Log, so
// they appear with the test that caused them and only when it fails or runs
// verbosely.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
