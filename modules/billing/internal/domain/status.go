// Package domain is billing's model: plans, the subscription of an
// organization and its statuses, and the PaymentProvider port.
package domain

// Status is a subscription's state, as every provider's is mapped to it.
type Status string

// The statuses.
const (
	StatusTrialing   Status = "trialing"
	StatusActive     Status = "active"
	StatusPastDue    Status = "past_due"
	StatusCanceled   Status = "canceled"
	StatusIncomplete Status = "incomplete"
	StatusPaused     Status = "paused"
	StatusUnpaid     Status = "unpaid"
)

// Statuses lists every status.
var Statuses = []Status{StatusTrialing, StatusActive, StatusPastDue, StatusCanceled, StatusIncomplete, StatusPaused, StatusUnpaid}

// Live reports whether a subscription in s still binds the organization to
// its provider: every status but canceled. At most one live subscription
// exists per organization.
func (s Status) Live() bool { return s != StatusCanceled && s != "" }

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// Interval is how often a price is charged.
type Interval string

// The intervals.
const (
	Month Interval = "month"
	Year  Interval = "year"
)
