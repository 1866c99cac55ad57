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

// OverrideSet: platform admin By set the organization's cap of Meter to
// Cap (-1 unlimited) in place of its plan's, for Reason; Previous is the
// override it replaced, nil when there was none.
type OverrideSet struct {
	OrganizationID kernel.OrganizationID
	Meter          string
	Cap            int64
	Previous       *int64
	Reason         string
	By             kernel.UserID
}

// EventName returns "usage.override_set".
func (OverrideSet) EventName() string { return "usage.override_set" }

// OverrideCleared: platform admin By removed the organization's override
// of Meter, whose cap was Cap; the plan's cap applies again.
type OverrideCleared struct {
	OrganizationID kernel.OrganizationID
	Meter          string
	Cap            int64
	By             kernel.UserID
}

// EventName returns "usage.override_cleared".
func (OverrideCleared) EventName() string { return "usage.override_cleared" }

// CounterReset: platform admin By set the organization's count of Meter
// in its current window back to zero from Used, for Reason.
type CounterReset struct {
	OrganizationID kernel.OrganizationID
	Meter          string
	Used           int64
	Reason         string
	By             kernel.UserID
}

// EventName returns "usage.counter_reset".
func (CounterReset) EventName() string { return "usage.counter_reset" }
