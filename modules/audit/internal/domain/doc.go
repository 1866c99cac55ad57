// Package domain holds the audit log's rules: what an entry is, how its
// metadata is made safe to keep (secrets redacted, canonical JSON), how each
// entry is chained to the one before it by a SHA-256 hash, and how a chain
// is checked link by link.
//
// It imports only the standard library and the kernel.
package domain
