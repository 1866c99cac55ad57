-- +goose Up
ALTER TABLE widgets ADD COLUMN color TEXT NOT NULL DEFAULT 'red';
-- +goose Down
ALTER TABLE widgets DROP COLUMN color;
