package localmail

import (
	"context"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

// NoneSender drops every email.
type NoneSender struct{}

var _ application.EmailSender = (*NoneSender)(nil)

// NewNone returns a NoneSender.
func NewNone() *NoneSender { return &NoneSender{} }

// Send discards e and returns nil.
func (*NoneSender) Send(context.Context, application.Email) error { return nil }
