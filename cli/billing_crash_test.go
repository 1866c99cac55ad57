package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/billing"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// crashWebhookSecret is BILLING_SANDBOX_WEBHOOK_SECRET in the billing
// crash test.
const crashWebhookSecret = "crash-test-webhook-secret"

// webhookAnswer is the body of a 200 answer to a webhook.
type webhookAnswer struct {
	Received  bool `json:"received"`
	Duplicate bool `json:"duplicate"`
}

// postSandboxWebhook posts body, signed now, to the server on port and
// returns its answer; anything but 200 fails the test.
func postSandboxWebhook(t *testing.T, port int, body []byte) webhookAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:"+strconv.Itoa(port)+"/webhooks/sandbox", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(billing.SandboxSignatureHeader, billing.SignSandboxWebhook(crashWebhookSecret, body, time.Now()))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: status %d: %s", resp.StatusCode, data)
	}
	var out webhookAnswer
	if err := json.Unmarshal(data, &out); err != nil || !out.Received {
		t.Fatalf("webhook answer %s: %v", data, err)
	}
	return out
}

// billingState is billing's webhook ledger and its jobs as the database
// holds them.
type billingState struct {
	Events, Processed   int    // ledger rows; of them, with processed_at set
	EventID, Outcome    string // the (one) row's
	Attempts            int
	Jobs                int // billing.webhook jobs
	Available, Complete int // of them, available and completed
}

func readBillingState(t *testing.T, d *db.DB) billingState {
	t.Helper()
	ctx := context.Background()
	q := d.Q(ctx)
	var s billingState
	err := errors.Join(
		q.QueryRow(ctx, `SELECT count(*), count(processed_at), coalesce(max(event_id), ''), coalesce(max(outcome), ''),
			coalesce(max(attempts), 0) FROM billing_webhook_events WHERE provider = 'sandbox'`).
			Scan(&s.Events, &s.Processed, &s.EventID, &s.Outcome, &s.Attempts),
		q.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'billing.webhook'`).Scan(&s.Jobs),
		q.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'billing.webhook' AND state = 'available'`).Scan(&s.Available),
		q.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'billing.webhook' AND state = 'completed'`).Scan(&s.Complete),
	)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCrash_BillingWebhookProcessedOnceAfterRestart: a serve --no-workers
// process killed with SIGKILL after it answered a webhook 200 leaves the
// event recorded, unprocessed, with one job waiting; a worker started
// afterwards processes it once; the provider's retry of the same event to
// a restarted server is a duplicate and enqueues nothing.
func TestCrash_BillingWebhookProcessedOnceAfterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		e := envFor(t, dialect)
		for k, v := range map[string]string{
			"PAYMENT_PROVIDER": "sandbox", "BILLING_SANDBOX_WEBHOOK_SECRET": crashWebhookSecret, "EMAIL_PROVIDER": "file",
		} {
			e[k] = v
		}
		// serve --no-workers answers webhooks and runs no job: its 200 is
		// the acknowledgement, and the job waits in the queue.
		serve := func() (port int, cmd *exec.Cmd, exited chan int) {
			t.Helper()
			port = freePort(t)
			e["PORT"] = strconv.Itoa(port)
			cmd = startChild(t, e, "serve", "--no-workers")
			exited = make(chan int) // closed when the process is gone
			go func() { _ = cmd.Wait(); close(exited) }()
			// Before startChild's cleanup, which would Wait a second time
			// alongside the goroutine's.
			t.Cleanup(func() { _ = cmd.Process.Kill(); <-exited })
			waitHealthy(t, port, exited)
			return port, cmd, exited
		}
		const eventID = "evt_crash1"
		event := fmt.Appendf(nil, `{"id":%q,"type":"customer.created","created":%d,"data":{}}`, eventID, time.Now().Unix())

		port, first, exited := serve()
		if got := postSandboxWebhook(t, port, event); got.Duplicate {
			t.Fatalf("first delivery = %+v", got)
		}
		if err := first.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-exited

		d, err := db.Open(context.Background(), db.Options{URL: e["DATABASE_URL"], SQLitePath: e["DATA_DIR"] + "/groundwork.db"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close() })
		want := billingState{Events: 1, EventID: eventID, Jobs: 1, Available: 1}
		if s := readBillingState(t, d); s != want {
			t.Fatalf("after the kill: %+v, want %+v", s, want)
		}

		// A worker takes the job up and processes the event once.
		startChild(t, e, "worker")
		var s billingState
		testkit.Eventually(t, "the worker to process the event and complete its job", func() bool {
			s = readBillingState(t, d)
			return s.Processed == 1 && s.Complete == 1
		})
		want = billingState{Events: 1, Processed: 1, EventID: eventID, Outcome: "ignored", Attempts: 1, Jobs: 1, Complete: 1}
		if s != want {
			t.Fatalf("after the worker: %+v, want %+v", s, want)
		}

		// The provider retries, to a restarted server: a duplicate.
		port, _, _ = serve()
		if got := postSandboxWebhook(t, port, event); !got.Duplicate {
			t.Fatalf("delivery after the restart = %+v, want a duplicate", got)
		}
		if s := readBillingState(t, d); s != want {
			t.Fatalf("after the second delivery: %+v, want %+v", s, want)
		}
	})
}
