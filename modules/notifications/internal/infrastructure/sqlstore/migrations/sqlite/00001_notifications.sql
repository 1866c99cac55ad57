-- +goose Up
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL,
    organization_id TEXT,
    type            TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL DEFAULT '',
    link            TEXT,
    data            TEXT,
    read_at         TIMESTAMP,
    created_at      TIMESTAMP NOT NULL
);
-- Listing a user's notifications newest first, keyed on the time-ordered ID.
CREATE INDEX notifications_user_id_idx ON notifications (user_id, id);
-- Counting and listing the unread ones touches only those.
CREATE INDEX notifications_user_unread_idx ON notifications (user_id, id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
