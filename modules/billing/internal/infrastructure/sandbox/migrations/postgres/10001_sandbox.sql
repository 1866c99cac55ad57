-- +goose Up
-- The sandbox payment provider's own side: what a real provider would hold.
-- Numbered 1000x so they merge into billing's set without colliding with
-- billing's 0000N. Amounts are in the currency's minor unit.
CREATE TABLE sandbox_customers (
    ref             TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL DEFAULT '',
    email           TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL
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
    amount           BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    seats            INTEGER NOT NULL DEFAULT 0 CHECK (seats >= 0),
    trial_days       INTEGER NOT NULL DEFAULT 0 CHECK (trial_days >= 0),
    success_url      TEXT NOT NULL,
    cancel_url       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    spent_at         TIMESTAMPTZ,
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
    amount               BIGINT NOT NULL,
    currency             TEXT NOT NULL,
    seats                INTEGER NOT NULL DEFAULT 0 CHECK (seats >= 0),
    status               TEXT NOT NULL,
    current_period_start TIMESTAMPTZ NOT NULL,
    current_period_end   TIMESTAMPTZ NOT NULL,
    trial_end            TIMESTAMPTZ,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT false,
    canceled_at          TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX sandbox_subscriptions_customer_idx ON sandbox_subscriptions (customer_ref, created_at);

-- +goose Down
DROP TABLE sandbox_subscriptions;
DROP TABLE sandbox_checkouts;
DROP TABLE sandbox_customers;
