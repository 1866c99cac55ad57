-- +goose Up
-- When the organization suspended the membership; NULL while it is active.
-- A suspended membership keeps its role and grants nothing.
ALTER TABLE memberships ADD COLUMN suspended_at TIMESTAMP;

-- +goose Down
ALTER TABLE memberships DROP COLUMN suspended_at;
