package jobs

import (
	"context"
	"fmt"
	"slices"

	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
)

// The codes of the errors Retry and Cancel return for a job in a state
// they do not change.
const (
	CodeNotRetryable   = "jobs.not_retryable"
	CodeNotCancellable = "jobs.not_cancellable"
)

// ErrNotRetryable matches (errors.Is) Retry's error for a job that is not
// discarded, retryable or cancelled: 409 "jobs.not_retryable".
var ErrNotRetryable = kernel.Conflict(CodeNotRetryable, "Only a discarded, retryable or cancelled job can be retried.")

// ErrNotCancellable matches (errors.Is) Cancel's error for a job that is
// running or finished: 409 "jobs.not_cancellable".
var ErrNotCancellable = kernel.Conflict(CodeNotCancellable, "Only a job that has not run yet (available, scheduled, retryable or pending) can be cancelled.")

// RetryableStates are the states Retry takes a job from.
var RetryableStates = []rivertype.JobState{
	rivertype.JobStateDiscarded, rivertype.JobStateRetryable, rivertype.JobStateCancelled,
}

// CancellableStates are the states of a job that has not run yet, which
// Cancel takes it from.
var CancellableStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable, rivertype.JobStatePending,
}

// Retry makes the job with the given ID available to run now, with one
// more attempt if it had used them all, and returns it as it then is. It
// runs in the transaction ctx carries, or in one of its own: the retry
// takes effect when that commits, and not at all if it rolls back. It
// returns an error matching ErrJobNotFound for an unknown ID,
// ErrNotRetryable for a job in a state other than RetryableStates, and
// database errors.
func (c *Client) Retry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	row, err := c.transition(ctx, id, RetryableStates, ErrNotRetryable, func(ctx context.Context) (*rivertype.JobRow, error) {
		return c.eng.jobRetry(ctx, id)
	})
	if err != nil {
		return nil, fmt.Errorf("retry job %d: %w", id, err)
	}
	return row, nil
}

// Cancel cancels the job with the given ID, which has not run yet, so that
// it never runs, and returns it as it then is. It runs in the transaction
// ctx carries, or in one of its own, like Retry. It returns an error
// matching ErrJobNotFound for an unknown ID, ErrNotCancellable for a job
// in a state other than CancellableStates (a running job included: River
// could only ask it to stop), and database errors.
func (c *Client) Cancel(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	row, err := c.transition(ctx, id, CancellableStates, ErrNotCancellable, func(ctx context.Context) (*rivertype.JobRow, error) {
		return c.eng.jobCancel(ctx, id)
	})
	if err != nil {
		return nil, fmt.Errorf("cancel job %d: %w", id, err)
	}
	return row, nil
}

// transition changes job id with change, in a transaction, if the job is
// in one of the states from; refused is the answer otherwise. The job's
// row is locked first (on PostgreSQL; on SQLite the transaction holds the
// only writer), so no worker can fetch it between the check and the
// change: River's own retry would reset even a completed job, and its
// cancel only flags a running one.
func (c *Client) transition(ctx context.Context, id int64, from []rivertype.JobState, refused *kernel.Error,
	change func(ctx context.Context) (*rivertype.JobRow, error),
) (*rivertype.JobRow, error) {
	if c.eng == nil {
		return nil, ErrNotBuilt
	}
	var row *rivertype.JobRow
	err := c.d.Tx(ctx, func(ctx context.Context) error {
		state, err := db.QueryOne(ctx, c.d.Q(ctx), db.ScanValue[string], ErrJobNotFound, "lock job",
			"SELECT CAST(state AS TEXT) FROM river_job WHERE id = $1"+c.d.ForUpdate(), id)
		if err != nil {
			return err
		}
		if !slices.Contains(from, rivertype.JobState(state)) {
			return kernel.Conflict(refused.Code, fmt.Sprintf("The job is %s. %s", state, refused.Detail))
		}
		row, err = change(ctx)
		return err
	})
	return row, err
}
