// Package sqlstore keeps the audit log — the entries and the head of each
// chain — on SQLite or PostgreSQL, and embeds the tables' migrations,
// triggers included: on both dialects the entries table refuses UPDATE,
// and DELETE unless pruning unlocked it in its own transaction.
//
// Every method runs in the transaction ctx carries (see db.DB.Tx), or on
// its own. No driver error leaves the package untranslated.
package sqlstore
