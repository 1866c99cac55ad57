// Package audit is the audit log: an append-only, tamper-evident record of
// the sensitive things that happen — membership and role changes, the
// organization lifecycle, user administration, sign-ins, password changes,
// session revocations, and billing, flags and impersonation as those
// modules land.
//
// Writing. Entries are written by event listeners, inside the publisher's
// transaction (On maps an event to an Entry; Record writes one directly),
// so an action and its entry commit together or not at all. An entry
// holds its time, the actor (a user, "system", or a payment provider),
// the platform admin impersonating the user if one was, the organization,
// the action (the event name), the target's type and ID, metadata as
// canonical JSON with every field named like a secret (password, token,
// apiKey, …) replaced by "[REDACTED]", and the request's client address
// (the TCP peer's), user agent and request ID.
//
// Tamper evidence. Each organization's entries form one chain and the
// platform-level entries (no organization) another. Every entry stores its
// seq in the chain (1, 2, 3 … without gaps), the previous entry's hash and
// its own: SHA-256 over that previous hash and a length-prefixed encoding
// of every stored field. Writers to one chain take turns on the chain's
// head row (audit_chains), locked in the writing transaction. Nothing
// updates or deletes entries: on PostgreSQL a trigger refuses UPDATE,
// DELETE and TRUNCATE, on SQLite triggers refuse UPDATE and DELETE, except
// for pruning, which alone unlocks deletion within its own transaction.
// Verify (and `groundwork audit verify`, through VerifyDB) walks every
// chain and reports the first broken link of each: an edited entry, a
// missing one, a broken link or a truncated end.
//
// Retention. With AUDIT_RETENTION_DAYS set, the audit.prune job (daily)
// deletes each chain's oldest entries — whole prefixes older than the
// cutoff, never leaving a hole — and stores the last deleted entry's seq
// and hash as the chain's anchor, from which the rest still verifies. A
// prefix that does not verify is not pruned.
//
// Reading. GET /api/audit lists the active organization's entries (never
// another organization's, nor the platform's) for holders of audit:read;
// GET /api/v1/platform/audit lists every entry for platform admins. Both
// filter by action prefix, actor, target and time range, and page newest
// first with a cursor that stays stable while entries arrive.
//
// Events in: whatever the composition root maps with On. Events out: none.
// Ports provided: Record, On, Verify, Prune, VerifyDB, PruneDB (api.go), and
// the audit:read permission (Permissions). Ports required: none.
package audit
