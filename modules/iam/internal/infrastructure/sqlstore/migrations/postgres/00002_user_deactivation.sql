-- +goose Up
-- Why and until when a platform admin deactivated a user: an empty reason
-- and no end while active; no end while deactivated means until
-- reactivated.
ALTER TABLE users ADD COLUMN deactivation_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN deactivated_until TIMESTAMPTZ;

-- +goose Down
ALTER TABLE users DROP COLUMN deactivated_until;
ALTER TABLE users DROP COLUMN deactivation_reason;
