-- +goose Up
-- Times are fixed-width UTC text written by package db, so they compare and
-- sort as text; booleans are 0/1. Unset optional text is '' except username,
-- which is NULL so that the unique index allows any number of users without
-- one.
CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    -- Lower-cased by the domain; the unique constraint is the source of
    -- truth for USER_ALREADY_EXISTS ("users.email" in SQLite's message).
    email          TEXT NOT NULL UNIQUE,
    email_verified INTEGER NOT NULL DEFAULT 0,
    name           TEXT NOT NULL DEFAULT '',
    username       TEXT,
    locale         TEXT NOT NULL DEFAULT '',
    image          TEXT NOT NULL DEFAULT '',
    active         INTEGER NOT NULL DEFAULT 1,
    platform_admin INTEGER NOT NULL DEFAULT 0,
    password_hash  TEXT NOT NULL DEFAULT '',
    last_login_at  TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
-- Lower-cased by the domain, so a plain unique index is case-insensitive.
CREATE UNIQUE INDEX users_username_key ON users (username);
-- For lookups and ordering on lower(name). The admin search matches a
-- substring ('%…%'), which no B-tree can serve: it scans, bounded in practice
-- by the organization's member IDs it is restricted to.
CREATE INDEX users_name_lower_idx ON users (lower(name));

CREATE TABLE sessions (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the cookie's token: every authenticated request looks it up.
    token_hash      BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    expires_at      TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    ip_address      TEXT NOT NULL DEFAULT '',
    user_agent      TEXT NOT NULL DEFAULT '',
    -- The platform admin acting as user_id. Deleting that admin ends the
    -- impersonation rather than turning it into the user's own session.
    impersonator_id TEXT REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
CREATE INDEX sessions_impersonator_id_idx ON sessions (impersonator_id) WHERE impersonator_id IS NOT NULL;

CREATE TABLE verification_tokens (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The address the token was sent to (it must still be the user's).
    email      TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX verification_tokens_user_purpose_idx ON verification_tokens (user_id, purpose);
CREATE INDEX verification_tokens_expires_at_idx ON verification_tokens (expires_at);

-- Fixed-window attempt counters (sign-in, sign-up, reset, verification mail
-- per IP and per email), shared by every process.
CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start TIMESTAMP NOT NULL,
    count        INTEGER NOT NULL
);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE verification_tokens;
DROP TABLE sessions;
DROP TABLE users;
