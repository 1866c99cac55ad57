package jobs

import (
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

// AdminRoutes mounts the job plumbing's platform administration under
// /api/v1/platform/jobs; events carries the audit trail of retries and
// cancellations.
func (c *Client) AdminRoutes(a *web.Admin, events kernel.Publisher) {}
