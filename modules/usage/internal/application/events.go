package application

import (
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// ThresholdReached: an increment took the organization's count of Meter
// to Percent (80 or 100) of the plan's cap, Limit, for the first time in
// the window that ends at ResetsAt (zero for a lifetime meter). It is
// published once per threshold and window, in the increment's
// transaction; an increment that crosses both at once publishes 100 only.
type ThresholdReached struct {
	OrganizationID kernel.OrganizationID
	Meter          string
	Percent        int
	Used, Limit    int64
	ResetsAt       time.Time
}

// EventName returns "usage.threshold_reached".
func (ThresholdReached) EventName() string { return "usage.threshold_reached" }
