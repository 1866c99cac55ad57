// Package sendfail holds what the email provider adapters (resendgw, sesgw,
// smtpgw) share when they turn a failed send into an application.SendError:
// which HTTP statuses are worth a retry, how a send that got no answer is
// classified, and how recipients' addresses are kept out of the provider's
// messages.
package sendfail

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

// RetryableStatus reports whether an HTTP provider's status asks for a
// retry rather than rejecting the email: 408, 429 and any 5xx.
func RetryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// Unanswered classifies err, a send that got no answer from the provider
// (transport, TLS, credentials or the end of ctx), as transient, wrapped
// under step ("send email", "connect", …). Once ctx has ended its error
// stands in for err, which the cancellation caused, and retryAfter is
// dropped: there is nothing to wait for. status is the HTTP status the
// provider's transport saw, 0 if none.
func Unanswered(ctx context.Context, provider, step string, status int, retryAfter time.Duration, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return application.Transient(provider, status, 0, fmt.Errorf("%s: %w", step, ctxErr))
	}
	return application.Transient(provider, status, retryAfter, fmt.Errorf("%s: %w", step, err))
}

// Scrub replaces the recipients' addresses in a provider's message, which
// often echoes them ("550 <bob@example.com>: no such user"), with
// "[recipient]", so errors and logs never carry them.
func Scrub(msg string, recipients []string) string {
	for _, addr := range recipients {
		if addr != "" {
			msg = strings.ReplaceAll(msg, addr, "[recipient]")
		}
	}
	return msg
}
