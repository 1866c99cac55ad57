package localmail

import (
	"context"
	"log/slog"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

// LogSender logs each email instead of sending it.
type LogSender struct {
	logger *slog.Logger
}

var _ application.EmailSender = (*LogSender)(nil)

// NewLog returns a LogSender writing to logger (slog.Default() when nil).
func NewLog(logger *slog.Logger) *LogSender {
	if logger == nil {
		logger = slog.Default()
	}
	return &LogSender{logger: logger}
}

// Send logs one line at Info with the attributes to, subject, text and
// idempotency_key. The HTML body is never logged: it is long, and the text
// body carries the same links. Send always returns nil.
func (s *LogSender) Send(ctx context.Context, e application.Email) error {
	s.logger.LogAttrs(ctx, slog.LevelInfo, "email",
		slog.Any("to", e.To),
		slog.String("subject", e.Subject),
		slog.String("text", e.Text),
		slog.String("idempotency_key", e.IdempotencyKey),
	)
	return nil
}
