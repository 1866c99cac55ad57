// Package jobs runs Groundwork's durable background jobs on River
// (riverqueue/river): riversqlite over the database's single-connection
// writer on SQLite, riverpgxv5 over the pgx pool on PostgreSQL, behind one
// non-generic Client so that modules never see River's transaction type
// parameter.
//
// Modules contribute workers, queues and periodic jobs to a Registry at boot
// (each module's Workers(r *jobs.Registry)); the application builds one
// Client from it. Job arguments are River JobArgs with a stable Kind string,
// never derived from the Go type, and workers are river.Worker[T].
//
// Insert joins the unit of work: when ctx carries a transaction of the
// database (db.DB.Tx), the job is written in it and commits or rolls back with
// the caller's other writes, so an effect is never lost after commit nor sent
// after a rollback. Outside a transaction the job is inserted on its own.
//
// Jobs are retried with River's exponential backoff (attempt^4 seconds,
// ±10% jitter) up to Config.MaxAttempts, then discarded. Discarded jobs keep
// their recorded errors and stay in river_job for DiscardedJobRetention so
// that admins can find them with Client.List; completed and cancelled jobs are
// removed after River's default of 24 hours.
//
// Client.AdminRoutes mounts the platform administration of jobs under
// /api/v1/platform/jobs: a paged listing, one job with its errors, retry
// and cancel. Retry and Cancel (also callable from Go) check the job's
// state under a row lock before River changes it; the routes publish
// JobRetried and JobCancelled in the same transaction, so the audit log
// records who acted. Arguments are shown through RedactArgs: secret-named
// fields (kernel.IsSecretField) and strings holding a link are
// "[REDACTED]", since links in queued emails carry reset, verification and
// invitation tokens.
//
// River's schema is migrated through MigrationSet, which plugs into
// db.Migrator like a module's migrations; NewCollector exposes the number of
// jobs by queue and state to Prometheus.
//
// SQLite has one writer connection, shared by the application's transactions
// and by River (fetching, completing, electing a leader). Never hold a
// transaction while waiting for something that needs another writer
// connection — for example, waiting inside db.DB.Tx for a job to run.
package jobs
