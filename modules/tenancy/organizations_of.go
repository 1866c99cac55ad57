package tenancy

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
)

// UserOrganization is an organization a user belongs to, with their role
// in it and whether it suspended them.
type UserOrganization = application.OrganizationView

// OrganizationsOf returns the organizations user belongs to, with their
// role in each, most recently used first: what platform administration
// shows of a user.
func (m *Module) OrganizationsOf(ctx context.Context, user kernel.UserID) ([]UserOrganization, error) {
	list, err := m.svc.MyOrganizations(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("tenancy: %w", err)
	}
	return list, nil
}

// OrganizationSummary is an organization with its member count.
type OrganizationSummary = application.OrganizationSummaryView

// Summary returns the organization with its member count (active and
// suspended members): what billing needs for a customer and a per-seat
// quantity. An unknown ID is a NotFound error (tenancy.organization_not_found).
func (m *Module) Summary(ctx context.Context, id kernel.OrganizationID) (OrganizationSummary, error) {
	return m.svc.OrganizationSummary(ctx, id)
}
