-- +goose Up
-- The first-run bootstrap: at most one live setup token (id 1), stored as
-- its SHA-256 hash; replaced at each start while no platform admin exists,
-- spent by the user who became the first one.
CREATE TABLE platform_bootstrap (
    id          SMALLINT PRIMARY KEY CHECK (id = 1),
    token_hash  BYTEA NOT NULL CHECK (octet_length(token_hash) = 32),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    spent_at    TIMESTAMPTZ,
    spent_by    TEXT
);

-- +goose Down
DROP TABLE platform_bootstrap;
