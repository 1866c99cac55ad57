-- +goose Up
-- A platform admin's cap of one organization's meter, in place of its
-- plan's (-1: unlimited), with the reason they gave. Setting one also
-- writes it on the meter's counter (override_cap, created if need be), so
-- that the increment's one statement reads it from the row it counts on.
CREATE TABLE usage_overrides (
    organization_id TEXT NOT NULL,
    meter           TEXT NOT NULL,
    cap             INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    set_by          TEXT NOT NULL,
    set_at          TIMESTAMP NOT NULL,
    PRIMARY KEY (organization_id, meter)
);

ALTER TABLE usage_counters ADD COLUMN override_cap INTEGER;

-- The counters past a threshold, for the platform overview's meters
-- closest to their caps.
CREATE INDEX usage_counters_notified_idx ON usage_counters (notified) WHERE notified > 0;

-- +goose Down
DROP INDEX usage_counters_notified_idx;
ALTER TABLE usage_counters DROP COLUMN override_cap;
DROP TABLE usage_overrides;
