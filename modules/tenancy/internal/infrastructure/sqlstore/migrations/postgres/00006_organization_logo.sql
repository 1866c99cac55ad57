-- +goose Up
-- The absolute http(s) URL of the organization's logo; NULL when it has
-- none. Only the storage module's upload sets it (tenancy.Module.SetLogo):
-- clients never write it directly.
ALTER TABLE organizations ADD COLUMN logo TEXT;

-- +goose Down
ALTER TABLE organizations DROP COLUMN logo;
