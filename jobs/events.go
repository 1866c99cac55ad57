package jobs

import "github.com/groundworkhq/groundwork/kernel"

// JobRetried is published when a platform admin retries a job, in the
// transaction that retries it (the audit log's record of who did).
type JobRetried struct {
	JobID int64
	Kind  string
	Queue string
	// By is the platform admin who retried the job.
	By kernel.UserID
}

// EventName returns "job.retried".
func (JobRetried) EventName() string { return "job.retried" }

// JobCancelled is published when a platform admin cancels a job, in the
// transaction that cancels it.
type JobCancelled struct {
	JobID int64
	Kind  string
	Queue string
	// By is the platform admin who cancelled the job.
	By kernel.UserID
}

// EventName returns "job.cancelled".
func (JobCancelled) EventName() string { return "job.cancelled" }

var (
	_ kernel.Event = JobRetried{}
	_ kernel.Event = JobCancelled{}
)
