-- +goose Up
-- The head of each chain: the newest link and the anchor pruning left. A
-- writer locks its chain's row (SELECT … FOR UPDATE) until it commits, so
-- writers to one chain take turns and seq has no gaps.
CREATE TABLE audit_chains (
    chain       TEXT COLLATE "C" PRIMARY KEY,
    last_seq    BIGINT NOT NULL,
    last_hash   BYTEA NOT NULL,
    anchor_seq  BIGINT NOT NULL DEFAULT 0,
    anchor_hash BYTEA NOT NULL
);

-- IDs compare byte-wise (COLLATE "C"): pages are keyed on (occurred_at, id).
-- Metadata is TEXT, not JSONB: the hash covers its exact text.
CREATE TABLE audit_entries (
    id              TEXT COLLATE "C" PRIMARY KEY,
    chain           TEXT COLLATE "C" NOT NULL,
    seq             BIGINT NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL,
    actor_type      TEXT NOT NULL,
    actor_id        TEXT NOT NULL DEFAULT '',
    impersonator_id TEXT,
    organization_id TEXT COLLATE "C",
    action          TEXT NOT NULL,
    target_type     TEXT NOT NULL DEFAULT '',
    target_id       TEXT NOT NULL DEFAULT '',
    metadata        TEXT NOT NULL DEFAULT '{}',
    ip              TEXT NOT NULL DEFAULT '',
    user_agent      TEXT NOT NULL DEFAULT '',
    request_id      TEXT NOT NULL DEFAULT '',
    prev_hash       BYTEA NOT NULL,
    hash            BYTEA NOT NULL,
    CONSTRAINT audit_entries_chain_seq_key UNIQUE (chain, seq)
);
-- An organization's entries, newest first.
CREATE INDEX audit_entries_org_time_idx ON audit_entries (organization_id, occurred_at, id);
-- Everyone's entries, newest first (the platform listing).
CREATE INDEX audit_entries_time_idx ON audit_entries (occurred_at, id);

-- The log is append-only: UPDATE, DELETE and TRUNCATE are refused, except
-- DELETE in a transaction that ran SET LOCAL groundwork.audit_prune = 'on',
-- which only pruning does.
-- +goose StatementBegin
CREATE FUNCTION audit_entries_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('groundwork.audit_prune', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_entries_append_only
    BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse_change();
CREATE TRIGGER audit_entries_no_truncate
    BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_refuse_change();

-- +goose Down
DROP TABLE audit_entries;
DROP FUNCTION audit_entries_refuse_change();
DROP TABLE audit_chains;
