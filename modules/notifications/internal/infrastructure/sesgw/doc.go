// Package sesgw delivers email through Amazon SES (API v2, SendEmail with
// simple content) with the AWS SDK for Go v2.
//
// SES has no idempotency key: a send that failed ambiguously (a timeout
// after SES accepted the request) may be delivered twice when the emails
// job retries it. The email's IdempotencyKey is attached as the message tag
// "idempotency_key" when it is a valid tag value (ASCII letters, digits, '_'
// and '-', at most 256 characters) so duplicates can be traced in SES event
// destinations; otherwise it is left out. For the same reason the SDK's own
// retries are turned off: the emails queue owns retries and backoff, and one
// layer of retries keeps the duplicate window as small as it can be.
//
// Failures are classified from the SES error code and the HTTP status:
// MessageRejected, MailFromDomainNotVerifiedException, BadRequestException,
// NotFoundException, AccountSuspendedException, SendingPausedException and
// any other 4xx are permanent; TooManyRequestsException,
// LimitExceededException, throttling codes, expired credentials, 408, 429,
// 5xx and transport failures are transient, with Retry-After when present.
package sesgw
