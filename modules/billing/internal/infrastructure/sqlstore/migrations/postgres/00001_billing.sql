-- +goose Up
-- One provider customer per organization: the row is claimed (customer_ref
-- '') by the first checkout, which then creates the customer at the
-- provider, so two racing checkouts make one.
CREATE TABLE billing_customers (
    organization_id TEXT PRIMARY KEY,
    provider        TEXT NOT NULL,
    customer_ref    TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX billing_customers_ref_key ON billing_customers (provider, customer_ref) WHERE customer_ref <> '';

-- Subscriptions as billing last applied them: at most one live (not
-- canceled) per organization, enforced here, not only checked.
CREATE TABLE billing_subscriptions (
    id                   TEXT PRIMARY KEY,
    organization_id      TEXT NOT NULL,
    plan                 TEXT NOT NULL,
    billing_interval     TEXT NOT NULL,
    status               TEXT NOT NULL,
    current_period_start TIMESTAMPTZ NOT NULL,
    current_period_end   TIMESTAMPTZ NOT NULL,
    trial_end            TIMESTAMPTZ,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT false,
    seats                INTEGER NOT NULL DEFAULT 0,
    provider             TEXT NOT NULL,
    customer_ref         TEXT NOT NULL DEFAULT '',
    provider_ref         TEXT NOT NULL DEFAULT '',
    provider_changed_at  TIMESTAMPTZ NOT NULL,
    past_due_since       TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX billing_subscriptions_live_key ON billing_subscriptions (organization_id) WHERE status <> 'canceled';
CREATE UNIQUE INDEX billing_subscriptions_ref_key ON billing_subscriptions (provider, provider_ref) WHERE provider_ref <> '';
CREATE INDEX billing_subscriptions_status_idx ON billing_subscriptions (status, plan);

-- The webhook ledger: one row per (provider, event), recorded with the
-- job that processes it; a duplicate delivery finds its row and enqueues
-- nothing.
CREATE TABLE billing_webhook_events (
    provider         TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    type             TEXT NOT NULL,
    subscription_ref TEXT NOT NULL DEFAULT '',
    customer_ref     TEXT NOT NULL DEFAULT '',
    organization_id  TEXT NOT NULL DEFAULT '',
    occurred_at      TIMESTAMPTZ NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL,
    processed_at     TIMESTAMPTZ,
    outcome          TEXT NOT NULL DEFAULT '',
    last_error       TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (provider, event_id)
);
CREATE INDEX billing_webhook_events_subscription_idx ON billing_webhook_events (provider, subscription_ref);

-- +goose Down
DROP TABLE billing_webhook_events;
DROP TABLE billing_subscriptions;
DROP TABLE billing_customers;
