-- +goose Up
-- The platform overview counts organizations created per day over a range
-- of this, instead of reading every organization. Times are fixed-width UTC
-- text, so a range of the index is a range of times.
CREATE INDEX organizations_created_at_idx ON organizations (created_at);

-- +goose Down
DROP INDEX organizations_created_at_idx;
