// Package sqlstore keeps the tenancy module's state — organizations,
// memberships, custom roles and invitations — on SQLite or PostgreSQL, and
// embeds the tables' migrations.
//
// New returns a Store whose Organizations, Memberships, Roles and
// Invitations satisfy the application's ports. Every method runs in the
// transaction ctx carries (see db.DB.Tx), or else on its own: reads on the
// read pool, writes on the writer. Every lookup of a row that belongs to an
// organization names the organization in its WHERE clause, so another
// organization's row is simply not found. No driver error leaves the
// package: no rows becomes the port's NotFound error, a taken slug, a second
// membership or a taken role name the port's Conflict.
//
// User IDs are iam's: no foreign key points at iam's users table, since
// modules do not reference each other's tables.
package sqlstore
