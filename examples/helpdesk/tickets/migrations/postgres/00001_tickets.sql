-- +goose Up
CREATE TABLE tickets (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    author_id       TEXT NOT NULL,
    title           TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX tickets_organization_id_idx ON tickets (organization_id, id);
-- One row per account, written by the welcome job the user.created
-- listener enqueues.
CREATE TABLE ticket_welcomes (
    user_id    TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE ticket_welcomes;
DROP TABLE tickets;
