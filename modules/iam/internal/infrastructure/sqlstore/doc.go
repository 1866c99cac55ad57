// Package sqlstore keeps the iam module's state — users, sign-in sessions,
// single-use verification tokens and rate-limit counters — on SQLite or
// PostgreSQL, and embeds the tables' migrations.
//
// New returns a Store whose Users, Sessions, Tokens and Limiter satisfy the
// application's ports. Every method runs in the transaction ctx carries (see
// db.DB.Tx), or else on its own: reads on the read pool, writes on the
// writer. No driver error leaves the package: no rows becomes the port's
// NotFound error, a taken email or username a kernel.Conflict with Better
// Auth's code.
package sqlstore
