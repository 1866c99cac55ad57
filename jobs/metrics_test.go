package jobs_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func TestCollector_CountsByQueueAndState(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		b.reg.AddQueue("mail", 2)
		c := b.client(t, jobs.Config{})
		ctx := context.Background()
		for _, p := range []*river.InsertOpts{
			nil,
			nil,
			{ScheduledAt: time.Now().Add(time.Hour)},
			{Queue: "mail"},
		} {
			if _, err := c.Insert(ctx, countArgs{}, p); err != nil {
				t.Fatalf("insert: %v", err)
			}
		}

		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(jobs.NewCollector(b.d))
		families, err := reg.Gather()
		if err != nil {
			t.Fatalf("gather: %v", err)
		}
		got := map[string]float64{}
		for _, f := range families {
			if f.GetName() != "jobs" {
				continue
			}
			for _, m := range f.GetMetric() {
				labels := map[string]string{}
				for _, l := range m.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				got[labels["queue"]+"/"+labels["state"]] = m.GetGauge().GetValue()
			}
		}
		want := map[string]float64{}
		for _, q := range []string{jobs.DefaultQueue, "mail"} {
			for _, s := range rivertype.JobStates() {
				want[q+"/"+string(s)] = 0
			}
		}
		want["default/available"] = 2
		want["default/scheduled"] = 1
		want["mail/available"] = 1
		if !maps.Equal(got, want) {
			t.Errorf("jobs gauge = %v\nwant %v", got, want)
		}
	})
}

func TestCollector_ScrapeErrorIsReported(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d := testdb.Open(t, dialect) // River's tables were never created
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(jobs.NewCollector(d))
		if _, err := reg.Gather(); err == nil {
			t.Error("gather without river_job: no error")
		}
	})
}
