package jobs_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
)

// WelcomeArgs asks for a welcome email. Its kind is stable: renaming the Go
// type must not orphan queued jobs.
type WelcomeArgs struct {
	Email string `json:"email"`
}

func (WelcomeArgs) Kind() string { return "example.welcome" }

type welcomeWorker struct {
	river.WorkerDefaults[WelcomeArgs]
}

func (welcomeWorker) Work(_ context.Context, job *river.Job[WelcomeArgs]) error {
	fmt.Println("welcome sent to", job.Args.Email)
	return nil
}

// A module registers its worker; the job is inserted in the transaction that
// creates the user, and runs once that transaction commits.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "jobs-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	d, err := db.Open(ctx, db.Options{SQLitePath: filepath.Join(dir, "app.db")})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	if err := db.NewMigrator(d, slog.New(slog.DiscardHandler), jobs.MigrationSet(d)).Up(ctx); err != nil {
		log.Fatal(err)
	}

	reg := jobs.NewRegistry()
	jobs.AddWorker(reg, welcomeWorker{}) // in the module's Workers(r)

	client, err := jobs.New(d, reg, jobs.Config{Work: true}, nil)
	if err != nil {
		log.Fatal(err)
	}
	done, cancel, err := client.Subscribe(river.EventKindJobCompleted)
	if err != nil {
		log.Fatal(err)
	}
	defer cancel()
	if err := client.Start(ctx); err != nil {
		log.Fatal(err)
	}
	defer client.Stop(ctx)

	err = d.Tx(ctx, func(ctx context.Context) error {
		// … insert the user with the same ctx …
		_, err := client.Insert(ctx, WelcomeArgs{Email: "ada@example.com"}, nil)
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		log.Fatal("job did not run")
	}

	// Output: welcome sent to ada@example.com
}
