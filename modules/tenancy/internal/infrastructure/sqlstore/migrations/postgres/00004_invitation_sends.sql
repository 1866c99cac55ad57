-- +goose Up
-- One row per invitation email sent (new or resent): the hourly caps per
-- organization, per inviting user and per client network count these.
-- Rows older than a day are purged.
CREATE TABLE invitation_sends (
    id              BIGSERIAL PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL,
    inviter_id      TEXT COLLATE "C" NOT NULL,
    -- The inviting client's IPv4 address or IPv6 /64; empty when unknown.
    network         TEXT COLLATE "C" NOT NULL,
    sent_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX invitation_sends_organization_id_idx ON invitation_sends (organization_id, sent_at);
CREATE INDEX invitation_sends_inviter_id_idx ON invitation_sends (inviter_id, sent_at);
CREATE INDEX invitation_sends_network_idx ON invitation_sends (network, sent_at);
CREATE INDEX invitation_sends_sent_at_idx ON invitation_sends (sent_at);
-- The caps counted invitations until now.
DROP INDEX invitations_inviter_id_idx;

-- +goose Down
CREATE INDEX invitations_inviter_id_idx ON invitations (inviter_id, created_at);
DROP TABLE invitation_sends;
