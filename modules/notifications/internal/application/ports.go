// Package application holds the notifications use cases: sending templated
// email through the durable emails queue, and in-app notifications. It
// declares the ports its adapters satisfy.
package application

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Email is a message ready for a provider: rendered, addressed, and keyed
// so a retried send is delivered once.
type Email struct {
	// From is an RFC 5322 address, e.g. "Acme <no-reply@acme.com>".
	From string
	// To holds one or more bare addresses.
	To      []string
	ReplyTo string
	Subject string
	HTML    string
	Text    string
	// Tags label the email at the provider (template name, locale, …):
	// ASCII letters, digits, '_' and '-' only.
	Tags map[string]string
	// IdempotencyKey is stable across retries of one email; providers that
	// support it (Resend's Idempotency-Key) drop a second send with the same
	// key, so a retry after an ambiguous failure never sends twice.
	IdempotencyKey string
}

// EmailSender delivers an email through one provider. Send returns nil once
// the provider accepted the email. Failures are classified with SendError:
// a permanent rejection (the provider refused this email: a bad recipient, a
// 4xx) is never retried; a rate limit may say when to retry; any other
// error is transient and retried with backoff. Errors must not contain the
// provider's credentials.
type EmailSender interface {
	Send(ctx context.Context, e Email) error
}

// SendError classifies a provider failure for the emails job.
type SendError struct {
	// Provider names the adapter ("resend", "smtp", …).
	Provider string
	// Status is the provider's HTTP status or SMTP reply code, 0 if none.
	Status int
	// Permanent means the provider rejected this email; retrying cannot help.
	Permanent bool
	// RetryAfter is how long the provider asked us to wait (429, 421/45x with
	// a hint); 0 when it did not say.
	RetryAfter time.Duration
	Err        error
}

func (e *SendError) Error() string {
	kind := "transient"
	if e.Permanent {
		kind = "permanent"
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s: %s failure (status %d): %v", e.Provider, kind, e.Status, e.Err)
	}
	return fmt.Sprintf("%s: %s failure: %v", e.Provider, kind, e.Err)
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// Permanent wraps err as a rejection that must not be retried.
func Permanent(provider string, status int, err error) error {
	return &SendError{Provider: provider, Status: status, Permanent: true, Err: err}
}

// Transient wraps err as a failure worth retrying, after retryAfter when the
// provider said so (0: the queue's backoff decides).
func Transient(provider string, status int, retryAfter time.Duration, err error) error {
	return &SendError{Provider: provider, Status: status, RetryAfter: retryAfter, Err: err}
}

// Classify returns whether err is a permanent rejection and how long the
// provider asked to wait. An unclassified error is transient.
func Classify(err error) (permanent bool, retryAfter time.Duration) {
	var se *SendError
	if errors.As(err, &se) {
		return se.Permanent, se.RetryAfter
	}
	return false, 0
}
