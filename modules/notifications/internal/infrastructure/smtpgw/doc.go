// Package smtpgw delivers email through an SMTP server with the standard
// library's net/smtp, and builds the RFC 5322 MIME message that both this
// sender and the development file mailbox write.
//
// A Sender opens one connection per email: greeting, EHLO, STARTTLS (or
// implicit TLS, or none), AUTH PLAIN when a username is configured, MAIL,
// RCPT for each recipient, DATA, QUIT. Every failure is an
// application.SendError: a 5xx reply is a permanent rejection, a 4xx reply,
// a timeout or a broken connection is transient. A server that does not
// offer STARTTLS when it is required is transient too: the email itself is
// fine, nothing was sent in plaintext, and a retry succeeds once the server
// (or whatever stripped the extension) is fixed, whereas a permanent error
// would silently drop every email queued meanwhile.
//
// SMTP has no idempotency key. The Message-ID is derived from the email's
// IdempotencyKey so a retried send carries the same Message-ID, which lets
// receivers and mailbox tooling recognise a duplicate.
package smtpgw
