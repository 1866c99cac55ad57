-- +goose Up
-- The head of each chain: the newest link and the anchor pruning left.
-- SQLite's single writer makes writers to one chain take turns.
CREATE TABLE audit_chains (
    chain       TEXT PRIMARY KEY,
    last_seq    INTEGER NOT NULL,
    last_hash   BLOB NOT NULL,
    anchor_seq  INTEGER NOT NULL DEFAULT 0,
    anchor_hash BLOB NOT NULL
);

CREATE TABLE audit_entries (
    id              TEXT PRIMARY KEY,
    chain           TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    occurred_at     TIMESTAMP NOT NULL,
    actor_type      TEXT NOT NULL,
    actor_id        TEXT NOT NULL DEFAULT '',
    impersonator_id TEXT,
    organization_id TEXT,
    action          TEXT NOT NULL,
    target_type     TEXT NOT NULL DEFAULT '',
    target_id       TEXT NOT NULL DEFAULT '',
    metadata        TEXT NOT NULL DEFAULT '{}',
    ip              TEXT NOT NULL DEFAULT '',
    user_agent      TEXT NOT NULL DEFAULT '',
    request_id      TEXT NOT NULL DEFAULT '',
    prev_hash       BLOB NOT NULL,
    hash            BLOB NOT NULL,
    UNIQUE (chain, seq)
);
-- An organization's entries, newest first.
CREATE INDEX audit_entries_org_time_idx ON audit_entries (organization_id, occurred_at, id);
-- Everyone's entries, newest first (the platform listing).
CREATE INDEX audit_entries_time_idx ON audit_entries (occurred_at, id);

-- The log is append-only: UPDATE is refused, and DELETE too unless the
-- one-row guard table holds a row, which only pruning inserts, and deletes
-- again, inside its transaction.
CREATE TABLE audit_prune_guard (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
WHEN NOT EXISTS (SELECT 1 FROM audit_prune_guard)
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_entries;
DROP TABLE audit_prune_guard;
DROP TABLE audit_chains;
