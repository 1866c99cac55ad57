// Package notifications tells people things: transactional email through a
// durable queue, and in-app notifications with a live stream.
//
// Email. Every email is a River job on the "emails" queue, inserted in the
// transaction of whatever caused it (SendEmail joins the transaction in the
// context), so nothing is sent for a change that rolled back and nothing is
// lost when the process dies after commit. The job renders a localized
// template (en, es, pt-BR; products register their own) and hands it to the
// provider chosen by EMAIL_PROVIDER: resend, ses, smtp, log (development
// default), file (.eml files under DATA_DIR/mailbox) or none. Provider
// failures retry with exponential backoff (a 429's Retry-After is honoured),
// a rejection of the email (4xx) is not retried, and an exhausted job stays
// visible to admins. The job's idempotency key reaches the provider, so a
// retry after an ambiguous failure never sends twice.
//
// In-app notifications are stored per user, optionally tied to an
// organization, listed and marked read over /api/notifications, and pushed
// to the signed-in user's open /api/notifications/stream (server-sent
// events) — across processes through PostgreSQL LISTEN/NOTIFY, in process
// on SQLite.
//
// Events in: none (the composition root maps other modules' events to
// SendEmail). Events out: notifications.notification.created.
// Ports provided: SendEmail, RegisterTemplate, Notify (api.go, inapp.go).
// Ports required: none.
package notifications
