package tenancy

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
)

// Owners returns the user IDs of org's owners whose membership is active,
// oldest membership first: who hears about the organization's billing.
// Suspended owners are left out (the organization shut them out of it);
// tenancy's owner guard keeps at least one active owner in every
// organization, so only an unknown organization has none. It reads in the
// transaction ctx carries, if any, and returns only database errors.
func (m *Module) Owners(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	ids, err := m.svc.ActiveOwnerIDs(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("tenancy: %w", err)
	}
	return ids, nil
}
