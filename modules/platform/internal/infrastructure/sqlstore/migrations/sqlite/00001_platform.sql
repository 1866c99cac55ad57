-- +goose Up
-- The first-run bootstrap: at most one live setup token (id 1), stored as
-- its SHA-256 hash; replaced at each start while no platform admin exists,
-- spent by the user who became the first one.
CREATE TABLE platform_bootstrap (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    token_hash  BLOB NOT NULL CHECK (length(token_hash) = 32),
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    spent_at    TIMESTAMP,
    spent_by    TEXT
);

-- +goose Down
DROP TABLE platform_bootstrap;
