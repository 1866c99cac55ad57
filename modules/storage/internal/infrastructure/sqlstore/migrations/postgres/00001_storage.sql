-- +goose Up
-- Every object the storage keeps, by its key, with its owner: a user for
-- an avatar, an organization for a logo or a product's file. state is the
-- object's life: pending (claimed, being stored), live (stored and in
-- use), doomed (a clean-up job will delete it), deleting (the job is
-- deleting it). An object is claimed before it is stored, so a clean-up
-- job never deletes the object of an upload that reuses its key.
CREATE TABLE storage_objects (
    key          TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    state        TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    private      BOOLEAN NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX storage_objects_owner_idx ON storage_objects (owner, kind, state);
-- The pending objects of uploads that never finished, for the sweep.
CREATE INDEX storage_objects_pending_idx ON storage_objects (updated_at) WHERE state = 'pending';

-- +goose Down
DROP TABLE storage_objects;
