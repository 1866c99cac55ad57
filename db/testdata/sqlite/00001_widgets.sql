-- +goose Up
CREATE TABLE widgets (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL UNIQUE,
    active     INTEGER NOT NULL DEFAULT 1,
    score      INTEGER NOT NULL DEFAULT 0 CHECK (score >= 0),
    meta       TEXT,
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE TABLE parts (
    id        TEXT PRIMARY KEY,
    widget_id TEXT NOT NULL REFERENCES widgets (id) ON DELETE CASCADE
);
-- +goose Down
DROP TABLE parts;
DROP TABLE widgets;
