-- +goose Up
-- Each flag's stored part: a runtime flag's definition (runtime = TRUE), or
-- only the rules of a flag declared in code. Values are JSON.
CREATE TABLE featureflags_flags (
    key                TEXT PRIMARY KEY,
    runtime            BOOLEAN NOT NULL,
    type               TEXT NOT NULL,
    default_value      TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    client_visible     BOOLEAN NOT NULL DEFAULT FALSE,
    org_configurable   BOOLEAN NOT NULL DEFAULT FALSE,
    bucket_by          TEXT NOT NULL DEFAULT 'organization',
    archived           BOOLEAN NOT NULL DEFAULT FALSE,
    kill_switch        BOOLEAN NOT NULL DEFAULT FALSE,
    global_value       TEXT,
    rollout_percentage DOUBLE PRECISION,
    rollout_value      TEXT,
    plan_plans         TEXT,
    plan_value         TEXT,
    updated_at         TIMESTAMPTZ NOT NULL
);

-- Organization and user overrides.
CREATE TABLE featureflags_overrides (
    flag_key   TEXT NOT NULL,
    scope      TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (flag_key, scope, subject_id)
);

-- +goose Down
DROP TABLE featureflags_overrides;
DROP TABLE featureflags_flags;
