-- +goose Up
CREATE TABLE widgets (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL CONSTRAINT widgets_email_key UNIQUE,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    score      BIGINT NOT NULL DEFAULT 0 CHECK (score >= 0),
    meta       JSONB,
    created_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
CREATE TABLE parts (
    id        TEXT PRIMARY KEY,
    widget_id TEXT NOT NULL REFERENCES widgets (id) ON DELETE CASCADE
);
-- +goose Down
DROP TABLE parts;
DROP TABLE widgets;
