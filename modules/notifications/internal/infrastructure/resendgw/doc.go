// Package resendgw delivers email through Resend's HTTP API with the
// official SDK, github.com/resend/resend-go/v3.
//
// The email's IdempotencyKey travels as Resend's Idempotency-Key header
// (the SDK's Emails.SendWithOptions with SendEmailOptions.IdempotencyKey), so
// a retry after an ambiguous failure returns the first send's id instead of
// sending again. Keys longer than Resend's 256-character limit are replaced
// by their SHA-256, which is just as stable across retries.
//
// The SDK only exposes the HTTP status for 429; for everything else it
// returns a bare message. The Sender therefore wraps the HTTP client's
// transport with a recorder that notes, per call, the status code, the
// Retry-After header and Resend's error body ({"statusCode", "name",
// "message"}), and classifies from those: 408, 429, 5xx, a 409
// concurrent_idempotent_requests and transport failures are transient; any
// other 4xx is a permanent rejection.
package resendgw
