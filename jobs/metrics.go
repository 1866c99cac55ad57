package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/db"
)

// scrapeTimeout bounds the query a scrape runs, so a slow database cannot
// hold /metrics.
const scrapeTimeout = 5 * time.Second

// NewCollector returns a Prometheus collector of the gauge
// jobs{queue,state}: the number of River jobs by queue and state, counted
// with one GROUP BY on river_job at each scrape (outside any transaction;
// on SQLite through the read pool). Every state of a queue that has jobs is
// reported, zeros included. If the query fails the scrape gets an invalid
// metric carrying the error instead of values: serve it with
// promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError} to keep the
// other metrics and log the failure.
func NewCollector(d *db.DB) prometheus.Collector {
	return &collector{
		d: d,
		desc: prometheus.NewDesc("jobs", "Number of background jobs by queue and state.",
			[]string{"queue", "state"}, nil),
	}
}

var _ prometheus.Collector = (*collector)(nil)

type collector struct {
	d    *db.DB
	desc *prometheus.Desc
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := c.count(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, fmt.Errorf("count jobs: %w", err))
		return
	}
	for queue, byState := range counts {
		// Zeros for the known states, so a state emptying reads as 0
		// instead of vanishing.
		for _, state := range rivertype.JobStates() {
			if _, ok := byState[state]; !ok {
				byState[state] = 0
			}
		}
		for state, n := range byState {
			ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), queue, string(state))
		}
	}
}

func (c *collector) count(ctx context.Context) (map[string]map[rivertype.JobState]int64, error) {
	rows, err := c.d.Q(ctx).Query(ctx,
		"SELECT queue, CAST(state AS TEXT), count(*) FROM river_job GROUP BY queue, state")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]map[rivertype.JobState]int64{}
	for rows.Next() {
		var (
			queue, state string
			n            int64
		)
		if err := rows.Scan(&queue, &state, &n); err != nil {
			return nil, err
		}
		if counts[queue] == nil {
			counts[queue] = map[rivertype.JobState]int64{}
		}
		counts[queue][rivertype.JobState(state)] += n
	}
	return counts, rows.Err()
}
