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
	// OverrideSet ("usage.override_set"): a platform admin, By, set an
	// organization's cap of Meter to Cap in place of its plan's, for
	// Reason; Previous is the override it replaced (nil: none).
	OverrideSet = application.OverrideSet
	// OverrideCleared ("usage.override_cleared"): a platform admin, By,
	// removed the override of Meter, whose cap was Cap.
	OverrideCleared = application.OverrideCleared
	// CounterReset ("usage.counter_reset"): a platform admin, By, set the
	// count of Meter in its current window back to zero from Used, for
	// Reason.
	CounterReset = application.CounterReset
)
