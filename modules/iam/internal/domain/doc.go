// Package domain holds the iam module's model: the User aggregate and the
// value objects it is made of (Email, Username, Locale, DisplayName,
// ImageURL), the password policy, sign-in sessions, and the single-use
// verification tokens sent by email.
//
// It imports only the standard library and kernel. Every invariant lives
// here, not in handlers: constructors validate (NewUser reports every bad
// field at once), behaviour methods keep the aggregate consistent, and the
// Rehydrate functions, which skip validation, are for repositories only.
//
// Secrets never rest in clear text: session and verification tokens are
// stored as SHA-256 hashes (Token.Hash), passwords as PHC-encoded argon2id
// hashes produced by the application's password package.
package domain
