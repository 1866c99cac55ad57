-- +goose NO TRANSACTION
-- +goose Up
-- The platform overview counts organizations created per day over a range
-- of this, instead of reading every organization. Built CONCURRENTLY, hence
-- outside a transaction, so that organizations can be created and renamed
-- while a large table is indexed. A build cut short leaves an invalid
-- index and the version unrecorded: the retry drops it first.
DROP INDEX CONCURRENTLY IF EXISTS organizations_created_at_idx;
CREATE INDEX CONCURRENTLY organizations_created_at_idx ON organizations (created_at);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS organizations_created_at_idx;
