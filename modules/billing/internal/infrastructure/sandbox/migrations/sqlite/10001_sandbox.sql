-- +goose Up
-- The sandbox payment provider's own side: what a real provider would hold.
-- Numbered 1000x so they merge into billing's set without colliding with
-- billing's 0000N. Times are fixed-width UTC text written by package db,
-- so they compare and sort as text; booleans are 0/1.
CREATE TABLE sandbox_customers (
    ref             TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL
);

-- A checkout is spent once (paid or declined): spent_at stays NULL until
-- then, and completing it is a conditional update on that.
CREATE TABLE sandbox_checkouts (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL DEFAULT '',
    customer_ref     TEXT NOT NULL REFERENCES sandbox_customers (ref) ON DELETE CASCADE,
    price_id         TEXT NOT NULL DEFAULT '',
    plan             TEXT NOT NULL,
    billing_interval TEXT NOT NULL,
    amount           INTEGER NOT NULL,
    currency         TEXT NOT NULL,
    seats            INTEGER NOT NULL DEFAULT 0 CHECK (seats >= 0),
    trial_days       INTEGER NOT NULL DEFAULT 0 CHECK (trial_days >= 0),
    success_url      TEXT NOT NULL,
    cancel_url       TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    spent_at         TIMESTAMP,
    outcome          TEXT NOT NULL DEFAULT '',
    subscription_ref TEXT NOT NULL DEFAULT ''
);

-- updated_at is the provider's last-changed time (ChangedAt): strictly
-- increasing per subscription.
CREATE TABLE sandbox_subscriptions (
    ref                  TEXT PRIMARY KEY,
    customer_ref         TEXT NOT NULL REFERENCES sandbox_customers (ref) ON DELETE CASCADE,
    organization_id      TEXT NOT NULL DEFAULT '',
    price_id             TEXT NOT NULL DEFAULT '',
    plan                 TEXT NOT NULL,
    billing_interval     TEXT NOT NULL,
    amount               INTEGER NOT NULL,
    currency             TEXT NOT NULL,
    seats                INTEGER NOT NULL DEFAULT 0 CHECK (seats >= 0),
    status               TEXT NOT NULL,
    current_period_start TIMESTAMP NOT NULL,
    current_period_end   TIMESTAMP NOT NULL,
    trial_end            TIMESTAMP,
    cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
    canceled_at          TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX sandbox_subscriptions_customer_idx ON sandbox_subscriptions (customer_ref, created_at);

-- +goose Down
DROP TABLE sandbox_subscriptions;
DROP TABLE sandbox_checkouts;
DROP TABLE sandbox_customers;
