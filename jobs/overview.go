package jobs

import (
	"context"
	"fmt"

	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/db"
)

// Overview is the job plumbing's section of the platform overview
// ("jobs").
type Overview struct {
	// ByState counts the jobs in each of River's states (available,
	// cancelled, completed, discarded, pending, retryable, running,
	// scheduled), every state present, zeros included. Completed and
	// cancelled jobs are counted until River removes them (24 hours),
	// discarded ones for DiscardedJobRetention.
	ByState map[string]int64 `json:"byState"`
}

// Overview counts the jobs by state with one GROUP BY on river_job, outside
// any transaction (on SQLite through the read pool). It works before Build.
func (c *Client) Overview(ctx context.Context) (Overview, error) {
	rows, err := db.QueryAll(ctx, c.d.Q(ctx), func(r db.Row) (stateCount, error) {
		var s stateCount
		err := r.Scan(&s.state, &s.n)
		return s, err
	}, "count jobs by state", "SELECT CAST(state AS TEXT), COUNT(*) FROM river_job GROUP BY state")
	if err != nil {
		return Overview{}, fmt.Errorf("jobs: overview: %w", err)
	}
	o := Overview{ByState: make(map[string]int64, len(rivertype.JobStates()))}
	for _, state := range rivertype.JobStates() {
		o.ByState[string(state)] = 0
	}
	for _, s := range rows {
		o.ByState[s.state] += s.n
	}
	return o, nil
}

type stateCount struct {
	state string
	n     int64
}
