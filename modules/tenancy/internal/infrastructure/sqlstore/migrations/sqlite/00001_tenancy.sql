-- +goose Up
-- Times are fixed-width UTC text written by package db, so they compare and
-- sort as text. Unique keys are told apart by the columns SQLite names in
-- its message ("organizations.slug", "memberships.organization_id,
-- memberships.user_id", "roles.organization_id, roles.name").
-- user_id and inviter_id are iam's users: no foreign key, since modules do
-- not reference each other's tables.
-- Foreign keys are enforced: package db opens every connection with
-- foreign_keys on, so deleting an organization cascades.
CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    -- Bumped in the transaction of every change to the organization's
    -- member list (joins, leaves, roles, members' profiles): a reader that
    -- saw version n may serve a page it read at version n.
    members_version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE memberships (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL,
    -- A built-in role's name or a custom role's of the same organization.
    role            TEXT NOT NULL,
    joined_at       TIMESTAMP NOT NULL,
    -- When the user last used the organization (Touch); NULL until then.
    last_used_at    TIMESTAMP,
    -- Also the index of the per-request access check.
    UNIQUE (organization_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);
-- Counting owners and renaming a role's holders.
CREATE INDEX memberships_organization_id_role_idx ON memberships (organization_id, role);
-- Member pages: in ID order within the organization, without a sort.
CREATE INDEX memberships_organization_id_id_idx ON memberships (organization_id, id);

-- Custom roles only: the built-ins are computed, never stored.
CREATE TABLE roles (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    -- A JSON array of permission names, sorted.
    permissions     TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    -- Also the index the access check joins memberships to roles by.
    UNIQUE (organization_id, name)
);

CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Lower-cased by the domain.
    email           TEXT NOT NULL,
    role            TEXT NOT NULL,
    inviter_id      TEXT NOT NULL,
    -- SHA-256 of the link's token; a resend replaces it.
    token_hash      BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    status          TEXT NOT NULL
                    CHECK (status IN ('pending', 'accepted', 'declined', 'revoked', 'expired')),
    expires_at      TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX invitations_organization_id_status_idx ON invitations (organization_id, status);
-- The invitations waiting for an address, shown when its owner signs in.
CREATE INDEX invitations_pending_email_idx ON invitations (email) WHERE status = 'pending';

-- +goose Down
DROP TABLE invitations;
DROP TABLE roles;
DROP TABLE memberships;
DROP TABLE organizations;
