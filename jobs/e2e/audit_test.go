package e2e_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/web"
)

// flakyArgs is a job that always fails.
type flakyArgs struct{}

func (flakyArgs) Kind() string { return "e2e.flaky" }

type flakyWorker struct {
	river.WorkerDefaults[flakyArgs]
}

func (flakyWorker) Work(context.Context, *river.Job[flakyArgs]) error {
	return errors.New("always fails")
}

type flaky struct{}

func (flaky) Name() string             { return "flaky" }
func (flaky) Routes(*web.Router)       {}
func (flaky) Workers(r *jobs.Registry) { jobs.AddWorker(r, flakyWorker{}) }

// TestAdminJobs_AuditTheAdmin: a retry and a cancellation are in the audit
// log with the acting admin.
func TestAdminJobs_AuditTheAdmin(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		ctx := t.Context()
		failed, err := a.Jobs().Insert(ctx, flakyArgs{}, &river.InsertOpts{MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		later, err := a.Jobs().Insert(ctx, flakyArgs{}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		admin := kernel.NewID[kernel.UserKind]()
		c := a.Client().AsPlatformAdmin(admin)
		testkit.Eventually(t, "the job to be discarded", func() bool {
			var j struct {
				State string `json:"state"`
			}
			c.Get(fmt.Sprintf("/api/v1/platform/jobs/%d", failed.ID)).RequireStatus(t, http.StatusOK).JSON(t, &j)
			return j.State == "discarded"
		})
		c.Post(fmt.Sprintf("/api/v1/platform/jobs/%d/retry", failed.ID), nil).RequireStatus(t, http.StatusOK)
		c.Post(fmt.Sprintf("/api/v1/platform/jobs/%d/cancel", later.ID), nil).RequireStatus(t, http.StatusOK)

		var entries struct {
			Items []struct {
				Action   string  `json:"action"`
				ActorID  *string `json:"actorId"`
				TargetID *string `json:"targetId"`
			} `json:"items"`
		}
		c.Get("/api/v1/platform/audit?action=job.").RequireStatus(t, http.StatusOK).JSON(t, &entries)
		want := map[string]string{"job.retried": strconv.FormatInt(failed.ID, 10), "job.cancelled": strconv.FormatInt(later.ID, 10)}
		for _, e := range entries.Items {
			if id, ok := want[e.Action]; ok && e.TargetID != nil && *e.TargetID == id && e.ActorID != nil && *e.ActorID == admin.String() {
				delete(want, e.Action)
			}
		}
		if len(want) != 0 {
			t.Errorf("missing %v in %+v", want, entries.Items)
		}
	}, testkit.WithAppOptions(app.WithModules(func(app.Deps) (app.Module, error) { return flaky{}, nil })))
}
