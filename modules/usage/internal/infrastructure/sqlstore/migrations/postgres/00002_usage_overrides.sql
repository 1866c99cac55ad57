-- +goose Up
-- A platform admin's cap of one organization's meter, in place of its
-- plan's (-1: unlimited), with the reason they gave. The increment reads
-- it in its one statement.
CREATE TABLE usage_overrides (
    organization_id TEXT NOT NULL,
    meter           TEXT NOT NULL,
    cap             BIGINT NOT NULL,
    reason          TEXT NOT NULL,
    set_by          TEXT NOT NULL,
    set_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, meter)
);

-- The counters past a threshold, for the platform overview's meters
-- closest to their caps.
CREATE INDEX usage_counters_notified_idx ON usage_counters (notified) WHERE notified > 0;

-- +goose Down
DROP INDEX usage_counters_notified_idx;
DROP TABLE usage_overrides;
