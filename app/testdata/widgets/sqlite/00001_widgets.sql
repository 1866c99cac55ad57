-- +goose Up
CREATE TABLE widgets (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL);
CREATE TABLE widget_receipts (widget_id TEXT PRIMARY KEY REFERENCES widgets (id), job_id INTEGER NOT NULL);
-- +goose Down
DROP TABLE widget_receipts;
DROP TABLE widgets;
