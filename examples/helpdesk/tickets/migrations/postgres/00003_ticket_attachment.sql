-- +goose Up
-- A ticket's attachment: the key of a private file of the organization in
-- Groundwork's storage (its name and type are kept there).
ALTER TABLE tickets ADD COLUMN attachment_key TEXT;

-- +goose Down
ALTER TABLE tickets DROP COLUMN attachment_key;
