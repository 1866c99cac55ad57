package stripepay

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/stripe/stripe-go/v85"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// errNotFound is a 404 of a call that names no subscription: a customer or
// session Stripe does not have.
var errNotFound = kernel.NotFound("billing.provider_not_found", "The payment provider has no such object.")

// mapErr translates an error of the SDK. notFound is what a 404 on the
// request's own object becomes (domain.ErrUnknownSubscription for the calls
// on a subscription); nil gives errNotFound.
//
// The SDK has already retried network failures and lock timeouts (twice,
// with backoff, under one idempotency key) before it returns one.
func mapErr(err error, notFound *kernel.Error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		// No answer, or one that is not Stripe's (a proxy's HTML page, a
		// body cut short): the provider is not reachable as far as we can
		// tell. This includes the caller's context ending.
		return domain.ErrProviderUnavailable.WithCause(err)
	}
	switch status := se.HTTPStatusCode; {
	case status >= 500, status == http.StatusTooManyRequests, se.Type == stripe.ErrorTypeAPI:
		return domain.ErrProviderUnavailable.WithCause(err)
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		// The key was revoked or lacks a permission: nothing the caller can
		// correct, so it is the provider being unavailable to us; the cause
		// tells the operator which variable to fix.
		return domain.ErrProviderUnavailable.WithCause(fmt.Errorf("STRIPE_SECRET_KEY is rejected (%d): %w", status, err))
	case status == http.StatusNotFound:
		if notFound == nil {
			notFound = errNotFound
		}
		return notFound.WithCause(err)
	default:
		// 400 invalid_request_error (an unknown price, a parameter Stripe
		// refuses), 402 card_error, idempotency_error: the request itself.
		msg := se.Msg
		if msg == "" {
			msg = "The payment provider refused the request."
		}
		return kernel.Invalid("billing.provider_refused", msg).WithCause(err)
	}
}
