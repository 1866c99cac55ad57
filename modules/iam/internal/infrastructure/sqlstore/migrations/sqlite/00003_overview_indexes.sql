-- +goose Up
-- The platform overview counts sign-ups per day, the users signed in within
-- 7 and 30 days, and the verified users over these, instead of reading
-- every user: each count is a range of one narrow, covering index. Times
-- are fixed-width UTC text, so a range of the index is a range of times.
CREATE INDEX users_created_at_idx ON users (created_at);
CREATE INDEX users_last_login_at_idx ON users (last_login_at);
CREATE INDEX users_email_verified_idx ON users (email_verified);

-- +goose Down
DROP INDEX users_email_verified_idx;
DROP INDEX users_last_login_at_idx;
DROP INDEX users_created_at_idx;
