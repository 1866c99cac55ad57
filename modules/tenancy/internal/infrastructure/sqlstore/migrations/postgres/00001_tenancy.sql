-- +goose Up
-- IDs compare byte-wise (COLLATE "C"): their text order is their creation
-- order only under a byte-wise collation, and member pages are keyed on it.
-- Slugs, role names and emails are lower-case ASCII: "C" makes them sort and
-- compare as they do on SQLite. Unique constraint names contain the column
-- the repository tells the conflict by (slug, user_id, name).
-- user_id and inviter_id are iam's users: no foreign key, since modules do
-- not reference each other's tables.
CREATE TABLE organizations (
    id         TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT NOT NULL,
    slug       TEXT COLLATE "C" NOT NULL CONSTRAINT organizations_slug_key UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    -- Bumped in the transaction of every change to the organization's
    -- member list (joins, leaves, roles, members' profiles): a reader that
    -- saw version n may serve a page it read at version n.
    members_version BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE memberships (
    id              TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         TEXT COLLATE "C" NOT NULL,
    -- A built-in role's name or a custom role's of the same organization.
    role            TEXT COLLATE "C" NOT NULL,
    joined_at       TIMESTAMPTZ NOT NULL,
    -- When the user last used the organization (Touch); NULL until then.
    last_used_at    TIMESTAMPTZ,
    -- Also the index of the per-request access check.
    CONSTRAINT memberships_organization_id_user_id_key UNIQUE (organization_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);
-- Counting owners and renaming a role's holders.
CREATE INDEX memberships_organization_id_role_idx ON memberships (organization_id, role);
-- Member pages: in ID order within the organization, without a sort.
CREATE INDEX memberships_organization_id_id_idx ON memberships (organization_id, id);

-- Custom roles only: the built-ins are computed, never stored.
CREATE TABLE roles (
    id              TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT COLLATE "C" NOT NULL,
    -- A JSON array of permission names, sorted.
    permissions     TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    -- Also the index the access check joins memberships to roles by.
    CONSTRAINT roles_organization_id_name_key UNIQUE (organization_id, name)
);

CREATE TABLE invitations (
    id              TEXT COLLATE "C" PRIMARY KEY,
    organization_id TEXT COLLATE "C" NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- Lower-cased by the domain.
    email           TEXT COLLATE "C" NOT NULL,
    role            TEXT COLLATE "C" NOT NULL,
    inviter_id      TEXT COLLATE "C" NOT NULL,
    -- SHA-256 of the link's token; a resend replaces it.
    token_hash      BYTEA NOT NULL CONSTRAINT invitations_token_hash_key UNIQUE
                    CONSTRAINT invitations_token_hash_check CHECK (length(token_hash) = 32),
    status          TEXT NOT NULL CONSTRAINT invitations_status_check
                    CHECK (status IN ('pending', 'accepted', 'declined', 'revoked', 'expired')),
    expires_at      TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX invitations_organization_id_status_idx ON invitations (organization_id, status);
-- The invitations waiting for an address, shown when its owner signs in.
CREATE INDEX invitations_pending_email_idx ON invitations (email) WHERE status = 'pending';

-- +goose Down
DROP TABLE invitations;
DROP TABLE roles;
DROP TABLE memberships;
DROP TABLE organizations;
