-- +goose Up
-- The per-inviter hourly cap on invitation email counts by inviter.
CREATE INDEX invitations_inviter_id_idx ON invitations (inviter_id, created_at);

-- +goose Down
DROP INDEX invitations_inviter_id_idx;
