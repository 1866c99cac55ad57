-- +goose Up
-- One counter per organization and meter: what its current window
-- [window_start, window_end) counts. An increment is one conditional
-- upsert of this row; one whose window has ended rolls it into the next
-- window, keeping the ended one in prev_* until the rollover job records
-- it in usage_history. notified is the highest threshold (80, 100)
-- published in the window.
CREATE TABLE usage_counters (
    organization_id   TEXT NOT NULL,
    meter             TEXT NOT NULL,
    used              BIGINT NOT NULL,
    cap               BIGINT NOT NULL,
    window_start      TIMESTAMPTZ NOT NULL,
    window_end        TIMESTAMPTZ NOT NULL,
    notified          INTEGER NOT NULL DEFAULT 0,
    prev_window_start TIMESTAMPTZ,
    prev_window_end   TIMESTAMPTZ,
    prev_used         BIGINT NOT NULL DEFAULT 0,
    prev_cap          BIGINT NOT NULL DEFAULT 0,
    updated_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, meter)
);
CREATE INDEX usage_counters_window_end_idx ON usage_counters (window_end);
CREATE INDEX usage_counters_prev_idx ON usage_counters (prev_window_start) WHERE prev_window_start IS NOT NULL;

-- Closed windows, once each: the rollover job inserts with ON CONFLICT DO
-- NOTHING, so a second run records nothing twice.
CREATE TABLE usage_history (
    organization_id TEXT NOT NULL,
    meter           TEXT NOT NULL,
    window_start    TIMESTAMPTZ NOT NULL,
    window_end      TIMESTAMPTZ NOT NULL,
    used            BIGINT NOT NULL,
    cap             BIGINT NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, meter, window_start)
);

-- The idempotency keys of CheckAndIncrementOnce, recorded in the
-- increment's transaction; forgotten after 30 days.
CREATE TABLE usage_idempotency (
    organization_id TEXT NOT NULL,
    meter           TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, meter, idempotency_key)
);
CREATE INDEX usage_idempotency_created_idx ON usage_idempotency (created_at);

-- +goose Down
DROP TABLE usage_idempotency;
DROP TABLE usage_history;
DROP TABLE usage_counters;
