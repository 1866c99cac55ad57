-- +goose Up
-- Urgent tickets are for organizations on a paid plan.
ALTER TABLE tickets ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';

-- +goose Down
ALTER TABLE tickets DROP COLUMN priority;
