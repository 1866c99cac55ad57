package tenancy

import (
	"context"

	"github.com/groundworkhq/groundwork/kernel"
)

// SetLogo sets org's logo to url, an absolute http(s) URL; "" removes it.
// It is for the storage module's upload, which validated and re-encoded
// the image and checked the caller's permission: SetLogo checks none, and
// no client sets a logo any other way. It runs in the transaction ctx
// carries, or its own, locking the organization's row as every change to
// an organization does, and publishes OrganizationUpdated with Changes
// ["logo"] when the logo changed (the principal in ctx, if any, is its
// actor). An unknown or deleted organization is a NotFound error
// (tenancy.organization_not_found); a url that is not an absolute http(s)
// URL of at most 2048 bytes is an Invalid error (tenancy.invalid_logo).
func (m *Module) SetLogo(ctx context.Context, org kernel.OrganizationID, url string) error {
	return m.svc.SetLogo(ctx, org, url)
}

// Logo returns org's logo URL, "" when it has none, read in the
// transaction ctx carries, if any. An unknown or deleted organization is a
// NotFound error (tenancy.organization_not_found).
func (m *Module) Logo(ctx context.Context, org kernel.OrganizationID) (string, error) {
	return m.svc.Logo(ctx, org)
}
