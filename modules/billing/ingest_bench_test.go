package billing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/sandbox"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// ingestConns is the concurrent keep-alive connections of the ingest
// target: "64 connections, at least 1,000 verified and recorded events per
// second".
const ingestConns = 64

// ingestApp is the sandbox provider with its webhook secret and no
// workers: the jobs queue up, so what is measured is the ingest alone.
var ingestApp = []testkit.Option{
	testkit.WithEnv("PAYMENT_PROVIDER", "sandbox", "BILLING_SANDBOX_WEBHOOK_SECRET", sandboxSecret),
	testkit.WithoutWorkers(),
}

// ingestEvent is the body of the sandbox event evt_<n>: a type billing
// records and ignores, created at created.
func ingestEvent(n int, created time.Time) []byte {
	return fmt.Appendf(nil, `{"id":"evt_%d","type":"customer.created","created":%d,"data":{}}`, n, created.Unix())
}

// webhookPoster posts signed sandbox events to an App's /webhooks/sandbox
// over at most conns keep-alive connections, and counts the connections it
// dials. It reports failures as errors, not through a testing.TB, because
// its callers post from many goroutines.
type webhookPoster struct {
	url    string
	clock  *testkit.Clock
	client *http.Client
	dials  atomic.Int64
}

func newWebhookPoster(a *testkit.App, conns int) *webhookPoster {
	p := &webhookPoster{url: a.URL + "/webhooks/sandbox", clock: a.Clock}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	p.client = &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			p.dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
		MaxConnsPerHost:     conns,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
	return p
}

func (p *webhookPoster) close() { p.client.CloseIdleConnections() }

// post sends body signed at the app clock's now and says whether billing
// answered it as a duplicate. Anything but a 200 {"received":true} is an
// error.
func (p *webhookPoster) post(ctx context.Context, body []byte) (duplicate bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(sandbox.SignatureHeader, sandbox.Sign([]byte(sandboxSecret), body, p.clock.Now()))
	resp, err := p.client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body) // all of it, so the connection is reused
	if err != nil {
		return false, fmt.Errorf("read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("status %d: %s", resp.StatusCode, data)
	}
	var out struct {
		Received  bool `json:"received"`
		Duplicate bool `json:"duplicate"`
	}
	if err := json.Unmarshal(data, &out); err != nil || !out.Received {
		return false, fmt.Errorf("answer %s: %v", data, err)
	}
	return out.Duplicate, nil
}

// volley is what fire measured: each request's latency, sorted, and how
// many were answered as duplicates.
type volley struct {
	latencies  []time.Duration
	duplicates int
}

// percentile returns the latency under which a fraction q (0–1) of the
// requests completed (nearest rank).
func (v volley) percentile(q float64) time.Duration {
	if len(v.latencies) == 0 {
		return 0
	}
	rank := int(math.Ceil(q*float64(len(v.latencies)))) - 1
	return v.latencies[min(max(rank, 0), len(v.latencies)-1)]
}

// fire posts every body from conns goroutines in closed loops (each sends
// its next as soon as its last is answered) and stops at the first error.
func fire(ctx context.Context, p *webhookPoster, bodies [][]byte, conns int) (volley, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	type tally struct {
		latencies  []time.Duration
		duplicates int
	}
	tallies := make([]tally, conns)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			s := &tallies[w]
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				t0 := time.Now()
				dup, err := p.post(ctx, bodies[i])
				if err != nil {
					cancel(fmt.Errorf("event %d: %w", i, err))
					return
				}
				s.latencies = append(s.latencies, time.Since(t0))
				if dup {
					s.duplicates++
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return volley{}, err
	}
	var v volley
	for _, s := range tallies {
		v.latencies = append(v.latencies, s.latencies...)
		v.duplicates += s.duplicates
	}
	slices.Sort(v.latencies)
	return v, nil
}

// ingested counts the sandbox events in billing's ledger and the
// billing.webhook jobs, all of them and those still available.
func ingested(t testing.TB, a *testkit.App) (ledger, jobs, available int) {
	t.Helper()
	ctx := context.Background()
	q := a.DB().Q(ctx)
	err := errors.Join(
		q.QueryRow(ctx, `SELECT count(*) FROM billing_webhook_events WHERE provider = 'sandbox'`).Scan(&ledger),
		q.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'billing.webhook'`).Scan(&jobs),
		q.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'billing.webhook' AND state = 'available'`).Scan(&available),
	)
	if err != nil {
		t.Fatal(err)
	}
	return ledger, jobs, available
}

func requireIngested(t testing.TB, a *testkit.App, want int) {
	t.Helper()
	ledger, jobs, available := ingested(t, a)
	if ledger != want || jobs != want || available != want {
		t.Fatalf("ledger rows %d, billing.webhook jobs %d (%d available); want %d of each", ledger, jobs, available, want)
	}
}

// BenchmarkIngest measures POST /webhooks/sandbox on each dialect under
// test from ingestConns keep-alive connections over the real HTTP server:
// "distinct" sends events never seen before (verified, recorded, a job
// enqueued each), "duplicate" sends them again (verified, found, nothing
// enqueued). It reports events/s and the p50 and p99 latencies, and checks
// the ledger and the job count after each. The load generator shares the
// process, and the CPUs, with the server.
//
//	TEST_POSTGRES_URL=… go test ./modules/billing -run '^$' -bench Ingest -benchtime 5s
func BenchmarkIngest(b *testing.B) {
	if testing.Short() {
		b.Skip("boots the app and sends thousands of webhooks")
	}
	for _, dialect := range testdb.Dialects() {
		b.Run(string(dialect), func(b *testing.B) {
			a := testkit.New(b, dialect, ingestApp...)
			sent := 0 // distinct events so far, over every run of "distinct"
			b.Run("distinct", func(b *testing.B) {
				bodies := make([][]byte, b.N)
				for i := range bodies {
					bodies[i] = ingestEvent(sent+i, a.Clock.Now())
				}
				sent += b.N // even if it fails: some were recorded
				v := benchVolley(b, a, bodies)
				if v.duplicates != 0 {
					b.Fatalf("%d of %d new events answered as duplicates", v.duplicates, b.N)
				}
				requireIngested(b, a, sent)
			})
			b.Run("duplicate", func(b *testing.B) {
				if sent == 0 {
					b.Skip(`resends what "distinct" sent: run it too`)
				}
				bodies := make([][]byte, b.N)
				for i := range bodies {
					bodies[i] = ingestEvent(i%sent, a.Clock.Now())
				}
				v := benchVolley(b, a, bodies)
				if v.duplicates != b.N {
					b.Fatalf("%d of %d events sent again answered as duplicates", v.duplicates, b.N)
				}
				requireIngested(b, a, sent)
			})
		})
	}
}

// benchVolley fires bodies at a from ingestConns connections, timed, and
// reports the rate and latencies.
func benchVolley(b *testing.B, a *testkit.App, bodies [][]byte) volley {
	b.Helper()
	p := newWebhookPoster(a, ingestConns)
	defer p.close()
	b.ResetTimer()
	v, err := fire(b.Context(), p, bodies, ingestConns)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if n := p.dials.Load(); n > ingestConns {
		b.Fatalf("%d connections dialed for %d keep-alive ones", n, ingestConns)
	}
	b.ReportMetric(float64(len(bodies))/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(v.percentile(0.50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(v.percentile(0.99).Microseconds())/1000, "p99-ms")
	return v
}

// TestIngestDuplicatesEnqueueOnce: distinct events sent at once from many
// connections get one ledger row and one job each; sending every one
// again adds neither, and neither do two first deliveries of a new event
// sent side by side (often at the same moment).
func TestIngestDuplicatesEnqueueOnce(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		const events, pairs, conns = 200, 50, 16
		p := newWebhookPoster(a, conns)
		t.Cleanup(p.close)

		first := make([][]byte, events)
		for i := range first {
			first[i] = ingestEvent(i, a.Clock.Now())
		}
		v, err := fire(t.Context(), p, first, conns)
		if err != nil {
			t.Fatal(err)
		}
		if v.duplicates != 0 {
			t.Fatalf("%d of %d new events answered as duplicates", v.duplicates, events)
		}
		requireIngested(t, a, events)

		if v, err = fire(t.Context(), p, first, conns); err != nil {
			t.Fatal(err)
		}
		if v.duplicates != events {
			t.Fatalf("%d of %d events sent again answered as duplicates", v.duplicates, events)
		}
		requireIngested(t, a, events)

		// Each new event twice, one after the other in the list: two
		// connections take them up together.
		var twice [][]byte
		for i := range pairs {
			e := ingestEvent(events+i, a.Clock.Now())
			twice = append(twice, e, e)
		}
		if v, err = fire(t.Context(), p, twice, conns); err != nil {
			t.Fatal(err)
		}
		if v.duplicates != pairs {
			t.Fatalf("%d of %d deliveries answered as duplicates, want one of each pair (%d)", v.duplicates, 2*pairs, pairs)
		}
		requireIngested(t, a, events+pairs)
	}, ingestApp...)
}
