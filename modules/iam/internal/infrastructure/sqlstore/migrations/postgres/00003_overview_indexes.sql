-- +goose NO TRANSACTION
-- +goose Up
-- The platform overview counts sign-ups per day, the users signed in within
-- 7 and 30 days, and the verified users over these, instead of reading
-- every user: each count is a range of one narrow index, read without the
-- table once autovacuum has marked its pages visible.
-- Built CONCURRENTLY, hence outside a transaction, so that sign-ins and
-- sign-ups, which write users, go on while a large table is indexed. A
-- build cut short leaves an invalid index and the version unrecorded: the
-- retry drops it first.
DROP INDEX CONCURRENTLY IF EXISTS users_created_at_idx;
CREATE INDEX CONCURRENTLY users_created_at_idx ON users (created_at);
DROP INDEX CONCURRENTLY IF EXISTS users_last_login_at_idx;
CREATE INDEX CONCURRENTLY users_last_login_at_idx ON users (last_login_at);
DROP INDEX CONCURRENTLY IF EXISTS users_email_verified_idx;
CREATE INDEX CONCURRENTLY users_email_verified_idx ON users (email_verified);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS users_email_verified_idx;
DROP INDEX CONCURRENTLY IF EXISTS users_last_login_at_idx;
DROP INDEX CONCURRENTLY IF EXISTS users_created_at_idx;
