package usage

import "github.com/groundworkhq/groundwork/modules/usage/internal/application"

// The events usage publishes, in the transaction of the change they
// describe.
type (
	// ThresholdReached ("usage.threshold_reached"): an increment took an
	// organization's count of Meter to Percent (80 or 100) of the plan's
	// cap, Limit, for the first time in the window that ends at ResetsAt
	// (zero for a lifetime meter). Once per threshold and window; an
	// increment that crosses both at once publishes 100 only.
	ThresholdReached = application.ThresholdReached
)
