// Package password hashes and verifies passwords with argon2id (RFC 9106),
// PHC-encoded, at parameters chosen explicitly (DefaultParams: OWASP's
// 19 MiB, t=2, p=1).
//
// A Hasher runs at most a fixed number of hashes at once (one per core by
// default); callers beyond that wait, honouring their context, so a flood of
// sign-ins queues up instead of starving every other request of CPU and
// memory. Hash before opening a database transaction, never inside one.
//
// Verify reports when a stored hash was made with other parameters so the
// caller can rehash on sign-in, and DummyVerify spends the same effort on a
// sign-in for an unknown email, so response time does not reveal whether an
// account exists.
package password
