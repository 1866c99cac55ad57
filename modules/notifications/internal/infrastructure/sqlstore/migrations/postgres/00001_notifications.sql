-- +goose Up
-- IDs compare byte-wise (COLLATE "C"): their text order is their creation
-- order only under a byte-wise collation, and pages are keyed on it.
CREATE TABLE notifications (
    id              TEXT COLLATE "C" PRIMARY KEY,
    user_id         TEXT COLLATE "C" NOT NULL,
    organization_id TEXT,
    type            TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    link            TEXT,
    data            JSONB,
    read_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
-- Listing a user's notifications newest first, keyed on the time-ordered ID.
CREATE INDEX notifications_user_id_idx ON notifications (user_id, id);
-- Counting and listing the unread ones touches only those.
CREATE INDEX notifications_user_unread_idx ON notifications (user_id, id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
