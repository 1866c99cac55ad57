package jobs_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit/testdb"
	"github.com/groundworkhq/groundwork/web"
)

// Headers the test server reads to put a principal in the request.
const (
	headerUser  = "X-Test-User"
	headerAdmin = "X-Test-Platform-Admin"
)

// Who a request is made as.
type caller int

const (
	anonymous caller = iota
	member           // signed in, not a platform admin
	admin
)

// linkFailArgs is a job whose every attempt fails with an error naming a
// URL that carries its token, as a failed HTTP call's error does.
type linkFailArgs struct {
	Token string `json:"token"`
}

func (linkFailArgs) Kind() string { return "jobs_test.link_fail" }

type linkFailWorker struct {
	river.WorkerDefaults[linkFailArgs]
}

func (linkFailWorker) Work(_ context.Context, job *river.Job[linkFailArgs]) error {
	return fmt.Errorf("attempt %d: Post \"https://hooks.example.com/reset-password/%s?token=%s\": 502 Bad Gateway",
		job.Attempt, job.Args.Token, job.Args.Token)
}

// retryLater schedules a failed job's next attempt an hour away, so that
// it stays retryable.
type retryLater struct{}

func (retryLater) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Hour) }

// published is an event the recording subscriber saw, with the state of
// its job as the publishing transaction saw it.
type published struct {
	event    kernel.Event
	inTx     bool
	jobState rivertype.JobState
}

// eventLog records the JobRetried and JobCancelled events published on a
// bus, or fails them when told to.
type eventLog struct {
	mu     sync.Mutex
	events []published
	fail   bool
}

func (l *eventLog) add(ctx context.Context, c *jobs.Client, e kernel.Event, id int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail {
		return errors.New("audit down")
	}
	row, err := c.Job(ctx, id)
	if err != nil {
		return err
	}
	l.events = append(l.events, published{event: e, inTx: db.InTx(ctx), jobState: row.State})
	return nil
}

func (l *eventLog) take() []published {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.events
	l.events = nil
	return out
}

func (l *eventLog) failing(fail bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = fail
}

// adminAPI is the job admin routes served over a client, behind a
// platform gate, with the events they publish recorded.
type adminAPI struct {
	srv    *httptest.Server
	c      *jobs.Client
	events *eventLog
	// adminID is who admin requests act as.
	adminID kernel.UserID
}

// serve mounts c's admin routes on a router of their own, as app.New
// does, with a gate that is the platform's.
func serve(t *testing.T, b *bundle, c *jobs.Client) *adminAPI {
	t.Helper()
	r := web.NewRouter(web.Config{}, discard(), nil)
	r.Use(testPrincipal)
	a := web.NewAdmin(r, func(ctx context.Context) error {
		_, err := kernel.RequirePlatformAdmin(ctx)
		return err
	})
	api := &adminAPI{c: c, events: &eventLog{}, adminID: kernel.NewID[kernel.UserKind]()}
	bus := eventbus.New(b.d)
	eventbus.Subscribe(bus, "test", func(ctx context.Context, e jobs.JobRetried) error {
		return api.events.add(ctx, c, e, e.JobID)
	})
	eventbus.Subscribe(bus, "test", func(ctx context.Context, e jobs.JobCancelled) error {
		return api.events.add(ctx, c, e, e.JobID)
	})
	c.AdminRoutes(a, bus)
	api.srv = httptest.NewServer(r.Handler())
	t.Cleanup(api.srv.Close)
	return api
}

// testPrincipal puts the principal the test headers name in the context.
func testPrincipal(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get(headerUser); v != "" {
			id, err := kernel.ParseID[kernel.UserKind](v)
			if err != nil {
				http.Error(w, "bad "+headerUser, http.StatusBadRequest)
				return
			}
			p := kernel.Principal{UserID: id, PlatformAdmin: r.Header.Get(headerAdmin) == "true"}
			r = r.WithContext(kernel.WithPrincipal(r.Context(), p))
		}
		next.ServeHTTP(w, r)
	})
}

// do sends a request as who and returns the status and body.
func (a *adminAPI) do(t *testing.T, who caller, method, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, a.srv.URL+web.AdminPrefix+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	switch who {
	case member:
		req.Header.Set(headerUser, kernel.NewID[kernel.UserKind]().String())
	case admin:
		req.Header.Set(headerUser, a.adminID.String())
		req.Header.Set(headerAdmin, "true")
	}
	res, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return res.StatusCode, body
}

// ok sends a request as admin, requires 200 and decodes the body into v.
func (a *adminAPI) ok(t *testing.T, method, path string, v any) []byte {
	t.Helper()
	status, body := a.do(t, admin, method, path)
	if status != http.StatusOK {
		t.Fatalf("%s %s = %d, want 200: %s", method, path, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s %s: decode %s: %v", method, path, body, err)
	}
	return body
}

// problem sends a request as who, requires status and a problem of code,
// and returns it.
func (a *adminAPI) problem(t *testing.T, who caller, method, path string, status int, code string) wireProblem {
	t.Helper()
	got, body := a.do(t, who, method, path)
	var p wireProblem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%s %s: decode problem %s: %v", method, path, body, err)
	}
	if got != status || p.Code != code {
		t.Fatalf("%s %s = %d %q, want %d %q: %s", method, path, got, p.Code, status, code, body)
	}
	return p
}

// The wire shapes, decoded independently of the package's types so that
// the tests pin the contract.
type (
	wireJob struct {
		ID          int64           `json:"id"`
		Kind        string          `json:"kind"`
		Queue       string          `json:"queue"`
		State       string          `json:"state"`
		Attempt     int             `json:"attempt"`
		MaxAttempts int             `json:"maxAttempts"`
		Priority    int             `json:"priority"`
		CreatedAt   time.Time       `json:"createdAt"`
		ScheduledAt time.Time       `json:"scheduledAt"`
		AttemptedAt *time.Time      `json:"attemptedAt"`
		FinalizedAt *time.Time      `json:"finalizedAt"`
		ErrorCount  int             `json:"errorCount"`
		Args        json.RawMessage `json:"args"`
		Errors      []wireError     `json:"errors"`
	}
	wireError struct {
		Attempt int       `json:"attempt"`
		At      time.Time `json:"at"`
		Error   string    `json:"error"`
	}
	wirePage struct {
		Items      []wireJob `json:"items"`
		NextCursor string    `json:"nextCursor"`
	}
	wireProblem struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
		Errors []struct {
			Location string `json:"location"`
		} `json:"errors"`
	}
)

func (p wireProblem) names(location string) bool {
	return slices.ContainsFunc(p.Errors, func(e struct {
		Location string `json:"location"`
	}) bool {
		return e.Location == location
	})
}

func idsOf(items []wireJob) []int64 {
	ids := make([]int64, len(items))
	for i, j := range items {
		ids[i] = j.ID
	}
	return ids
}

// insert adds a job with an insert-only client's Insert.
func insert(t *testing.T, c *jobs.Client, args river.JobArgs, opts *river.InsertOpts) *rivertype.JobRow {
	t.Helper()
	row, err := c.Insert(context.Background(), args, opts)
	if err != nil {
		t.Fatalf("insert %s: %v", args.Kind(), err)
	}
	return row
}

// waitState polls until job id is in state.
func waitState(t *testing.T, c *jobs.Client, id int64, state rivertype.JobState) {
	t.Helper()
	testdb.Eventually(t, fmt.Sprintf("job %d %s", id, state), func() bool {
		row, err := c.Job(context.Background(), id)
		return err == nil && row.State == state
	})
}

func stop(t *testing.T, c *jobs.Client) {
	t.Helper()
	if err := c.Stop(context.Background()); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

// jobsInStates makes, with a working client then stopped, a job in each of
// completed, discarded (two failed attempts), retryable (one failed
// attempt), cancelled and scheduled, and returns the client, stopped, so
// that no worker moves them on.
func jobsInStates(t *testing.T, b *bundle) (*jobs.Client, map[rivertype.JobState]*rivertype.JobRow) {
	t.Helper()
	ctx := context.Background()
	out := map[rivertype.JobState]*rivertype.JobRow{}

	c := b.started(t, jobs.Config{MaxAttempts: 2, RetryPolicy: retryAtOnce{}})
	out[rivertype.JobStateCompleted] = insert(t, c, countArgs{Token: "done"}, nil)
	out[rivertype.JobStateDiscarded] = insert(t, c, failArgs{}, nil)
	waitState(t, c, out[rivertype.JobStateCompleted].ID, rivertype.JobStateCompleted)
	waitState(t, c, out[rivertype.JobStateDiscarded].ID, rivertype.JobStateDiscarded)
	stop(t, c)

	later := b.started(t, jobs.Config{MaxAttempts: 2, RetryPolicy: retryLater{}})
	out[rivertype.JobStateRetryable] = insert(t, later, failArgs{}, nil)
	waitState(t, later, out[rivertype.JobStateRetryable].ID, rivertype.JobStateRetryable)
	stop(t, later)

	out[rivertype.JobStateScheduled] = insert(t, c, countArgs{Token: "later"}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
	cancelled := insert(t, c, countArgs{Token: "cancelled"}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
	if _, err := c.Cancel(ctx, cancelled.ID); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	out[rivertype.JobStateCancelled] = cancelled
	for state, row := range out {
		got, err := c.Job(ctx, row.ID)
		if err != nil || got.State != state {
			t.Fatalf("job %d: %v in %v, want %s", row.ID, err, got, state)
		}
		out[state] = got
	}
	return c, out
}

func TestAdmin_Gate(t *testing.T) {
	t.Parallel()
	b := setup(t, db.SQLite)
	c := b.client(t, jobs.Config{})
	api := serve(t, b, c)
	row := insert(t, c, countArgs{Token: "gated"}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
	routes := []struct{ method, path string }{
		{http.MethodGet, "/jobs"},
		{http.MethodGet, "/jobs?state=bogus"}, // the gate answers before the input is read
		{http.MethodGet, fmt.Sprintf("/jobs/%d", row.ID)},
		{http.MethodPost, fmt.Sprintf("/jobs/%d/retry", row.ID)},
		{http.MethodPost, fmt.Sprintf("/jobs/%d/cancel", row.ID)},
	}
	for _, r := range routes {
		api.problem(t, anonymous, r.method, r.path, http.StatusUnauthorized, "UNAUTHORIZED")
		api.problem(t, member, r.method, r.path, http.StatusForbidden, "platform.forbidden")
	}
	if got, err := c.Job(context.Background(), row.ID); err != nil || got.State != rivertype.JobStateScheduled {
		t.Errorf("job after refused requests: %v, %v; want scheduled", got, err)
	}
	if ev := api.events.take(); len(ev) != 0 {
		t.Errorf("events after refused requests: %v", ev)
	}
}

func TestAdmin_ListFilters(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		b.reg.AddQueue("mail", 1)
		c := b.client(t, jobs.Config{})
		api := serve(t, b, c)

		first := insert(t, c, countArgs{Token: "a"}, &river.InsertOpts{Priority: 2})
		fail := insert(t, c, failArgs{}, nil)
		mail := insert(t, c, countArgs{Token: "m"}, &river.InsertOpts{Queue: "mail"})
		soon := insert(t, c, countArgs{Token: "s"}, &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
		last := insert(t, c, countArgs{Token: "z"}, nil)

		tests := []struct {
			query string
			want  []int64
		}{
			{"", []int64{last.ID, soon.ID, mail.ID, fail.ID, first.ID}},
			{"?queue=mail", []int64{mail.ID}},
			{"?queue=default", []int64{last.ID, soon.ID, fail.ID, first.ID}},
			{"?kind=jobs_test.fail", []int64{fail.ID}},
			{"?state=scheduled", []int64{soon.ID}},
			{"?state=available&kind=jobs_test.count", []int64{last.ID, mail.ID, first.ID}},
			{"?state=available&queue=mail&kind=jobs_test.count", []int64{mail.ID}},
			{"?state=discarded", []int64{}},
			{"?kind=nothing.such", []int64{}},
		}
		for _, tt := range tests {
			var page wirePage
			api.ok(t, http.MethodGet, "/jobs"+tt.query, &page)
			if got := idsOf(page.Items); !slices.Equal(got, tt.want) {
				t.Errorf("/jobs%s = %v, want %v", tt.query, got, tt.want)
			}
			if page.NextCursor != "" {
				t.Errorf("/jobs%s: nextCursor %q on the only page", tt.query, page.NextCursor)
			}
		}

		// One item, field by field.
		var page wirePage
		api.ok(t, http.MethodGet, "/jobs?kind=jobs_test.count&queue=default&state=available&limit=200", &page)
		got := page.Items[len(page.Items)-1]
		want := wireJob{
			ID: first.ID, Kind: "jobs_test.count", Queue: "default", State: "available",
			Attempt: 0, MaxAttempts: jobs.DefaultMaxAttempts, Priority: 2,
			CreatedAt: first.CreatedAt.UTC(), ScheduledAt: first.ScheduledAt.UTC(),
		}
		if !got.CreatedAt.Equal(want.CreatedAt) || !got.ScheduledAt.Equal(want.ScheduledAt) ||
			got.CreatedAt.Location() != time.UTC {
			t.Errorf("times = %v, %v; want %v, %v in UTC", got.CreatedAt, got.ScheduledAt, want.CreatedAt, want.ScheduledAt)
		}
		got.CreatedAt, got.ScheduledAt = want.CreatedAt, want.ScheduledAt
		if string(got.Args) != `{"token":"[REDACTED]"}` {
			t.Errorf("args = %s, want the token redacted", got.Args)
		}
		got.Args = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("item = %+v, want %+v", got, want)
		}
	})
}

func TestAdmin_ListPagesNeitherRepeatNorSkip(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c := b.client(t, jobs.Config{})
		api := serve(t, b, c)

		var want []int64
		for i := range 7 {
			row := insert(t, c, countArgs{Token: fmt.Sprint(i)}, nil)
			want = append([]int64{row.ID}, want...) // newest first
		}
		var got []int64
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 4 {
				t.Fatalf("more than 4 pages of 2 for 7 jobs: %v", got)
			}
			var page wirePage
			api.ok(t, http.MethodGet, "/jobs?limit=2&cursor="+cursor, &page)
			if len(page.Items) > 2 {
				t.Fatalf("page of %d items, limit 2", len(page.Items))
			}
			got = append(got, idsOf(page.Items)...)
			if pages == 0 {
				// Newer than every listed job: on the first page only,
				// were the listing started again.
				insert(t, c, countArgs{Token: "meanwhile"}, nil)
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged IDs = %v, want %v", got, want)
		}

		// A page that ends exactly at the last job has no next cursor.
		var page wirePage
		api.ok(t, http.MethodGet, "/jobs?limit=8", &page)
		if len(page.Items) != 8 || page.NextCursor != "" {
			t.Errorf("8 jobs, limit 8: %d items, nextCursor %q; want 8 and none", len(page.Items), page.NextCursor)
		}
		api.ok(t, http.MethodGet, "/jobs", &page)
		if len(page.Items) != 8 {
			t.Errorf("default page: %d items, want all 8", len(page.Items))
		}
	})
}

func TestAdmin_ListRejectsBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t, db.SQLite)
	c := b.client(t, jobs.Config{})
	api := serve(t, b, c)
	insert(t, c, countArgs{Token: "x"}, nil)

	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		query, code, location string
	}{
		{"state=bogus", "http.validation", "query.state"},
		{"state=RUNNING", "http.validation", "query.state"},
		{"cursor=not-a-cursor!", "jobs.invalid_cursor", "query.cursor"},
		{"cursor=" + b64([]byte("abc")), "jobs.invalid_cursor", "query.cursor"},
		{"cursor=" + b64([]byte("0")), "jobs.invalid_cursor", "query.cursor"},
		{"cursor=" + b64([]byte("-4")), "jobs.invalid_cursor", "query.cursor"},
		{"cursor=" + b64([]byte("007")), "jobs.invalid_cursor", "query.cursor"},
		{"limit=0", "http.validation", "query.limit"},
		{"limit=201", "http.validation", "query.limit"},
	}
	for _, tt := range tests {
		p := api.problem(t, admin, http.MethodGet, "/jobs?"+tt.query, http.StatusUnprocessableEntity, tt.code)
		if !p.names(tt.location) {
			t.Errorf("?%s: problem %+v does not name %s", tt.query, p, tt.location)
		}
	}
}

func TestAdmin_GetFailedJobShowsItsErrors(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		jobs.AddWorker(b.reg, linkFailWorker{})
		c := b.started(t, jobs.Config{MaxAttempts: 2, RetryPolicy: retryAtOnce{}})
		api := serve(t, b, c)
		const token = "tok3n-s3cr3t-value"
		row := insert(t, c, linkFailArgs{Token: token}, nil)
		waitState(t, c, row.ID, rivertype.JobStateDiscarded)

		var got wireJob
		body := api.ok(t, http.MethodGet, fmt.Sprintf("/jobs/%d", row.ID), &got)
		if got.ID != row.ID || got.State != "discarded" || got.Attempt != 2 || got.MaxAttempts != 2 ||
			got.ErrorCount != 2 || got.AttemptedAt == nil || got.FinalizedAt == nil {
			t.Errorf("job = %+v, want discarded after 2 attempts, both failed, attempted and finalized", got)
		}
		if len(got.Errors) != 2 {
			t.Fatalf("errors = %+v, want 2", got.Errors)
		}
		for i, e := range got.Errors {
			want := fmt.Sprintf(`attempt %d: Post "https://hooks.example.com/[REDACTED]": 502 Bad Gateway`, i+1)
			if e.Attempt != i+1 || e.At.IsZero() || e.Error != want {
				t.Errorf("error %d = %+v, want attempt %d at a time, %q", i, e, i+1, want)
			}
		}
		if string(got.Args) != `{"token":"[REDACTED]"}` {
			t.Errorf("args = %s, want the token redacted", got.Args)
		}
		// The token shows nowhere, in the detail or the listing.
		var page wirePage
		list := api.ok(t, http.MethodGet, "/jobs", &page)
		for _, b := range [][]byte{body, list} {
			if bytes.Contains(b, []byte(token)) {
				t.Errorf("the token shows in %s", b)
			}
		}
		if len(page.Items) != 1 || page.Items[0].ErrorCount != 2 || page.Items[0].Errors != nil {
			t.Errorf("listing = %+v, want the job with its error count, without errors", page.Items)
		}
	})
}

func TestAdmin_Retry(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c, byState := jobsInStates(t, b)
		api := serve(t, b, c)

		for _, state := range []rivertype.JobState{rivertype.JobStateDiscarded, rivertype.JobStateRetryable, rivertype.JobStateCancelled} {
			before := byState[state]
			var got wireJob
			api.ok(t, http.MethodPost, fmt.Sprintf("/jobs/%d/retry", before.ID), &got)
			wantMax := before.MaxAttempts
			if before.Attempt >= before.MaxAttempts {
				wantMax++ // one more attempt for a job that used them all
			}
			if got.ID != before.ID || got.State != "available" || got.MaxAttempts != wantMax || got.FinalizedAt != nil ||
				got.ErrorCount != len(before.Errors) {
				t.Errorf("retried %s job = %+v, want available, max attempts %d, not finalized, its errors kept", state, got, wantMax)
			}
			after, err := c.Job(context.Background(), before.ID)
			if err != nil || after.State != rivertype.JobStateAvailable {
				t.Errorf("retried %s job in the database: %v, %v; want available", state, after, err)
			}
			wantEvent := jobs.JobRetried{JobID: before.ID, Kind: before.Kind, Queue: before.Queue, By: api.adminID}
			if ev := api.events.take(); len(ev) != 1 || ev[0].event != wantEvent || !ev[0].inTx ||
				ev[0].jobState != rivertype.JobStateAvailable {
				t.Errorf("events of retrying a %s job = %+v, want %+v published in the transaction, after the retry", state, ev, wantEvent)
			}
		}

		for _, state := range []rivertype.JobState{rivertype.JobStateCompleted, rivertype.JobStateScheduled} {
			before := byState[state]
			api.problem(t, admin, http.MethodPost, fmt.Sprintf("/jobs/%d/retry", before.ID), http.StatusConflict, "jobs.not_retryable")
			if after, err := c.Job(context.Background(), before.ID); err != nil || after.State != state {
				t.Errorf("%s job after a refused retry: %v, %v", state, after, err)
			}
		}
		// The job retried above is available now: not retryable either.
		api.problem(t, admin, http.MethodPost, fmt.Sprintf("/jobs/%d/retry", byState[rivertype.JobStateDiscarded].ID),
			http.StatusConflict, "jobs.not_retryable")
		if ev := api.events.take(); len(ev) != 0 {
			t.Errorf("events of refused retries: %+v", ev)
		}
	})
}

func TestAdmin_Cancel(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c, byState := jobsInStates(t, b)
		api := serve(t, b, c)
		available := insert(t, c, countArgs{Token: "available"}, nil)

		for _, before := range []*rivertype.JobRow{byState[rivertype.JobStateScheduled], byState[rivertype.JobStateRetryable], available} {
			var got wireJob
			api.ok(t, http.MethodPost, fmt.Sprintf("/jobs/%d/cancel", before.ID), &got)
			if got.ID != before.ID || got.State != "cancelled" || got.FinalizedAt == nil {
				t.Errorf("cancelled %s job = %+v, want cancelled and finalized", before.State, got)
			}
			after, err := c.Job(context.Background(), before.ID)
			if err != nil || after.State != rivertype.JobStateCancelled {
				t.Errorf("cancelled %s job in the database: %v, %v; want cancelled", before.State, after, err)
			}
			wantEvent := jobs.JobCancelled{JobID: before.ID, Kind: before.Kind, Queue: before.Queue, By: api.adminID}
			if ev := api.events.take(); len(ev) != 1 || ev[0].event != wantEvent || !ev[0].inTx ||
				ev[0].jobState != rivertype.JobStateCancelled {
				t.Errorf("events of cancelling a %s job = %+v, want %+v published in the transaction, after the cancel", before.State, ev, wantEvent)
			}
		}

		for _, state := range []rivertype.JobState{rivertype.JobStateCompleted, rivertype.JobStateDiscarded, rivertype.JobStateCancelled} {
			before := byState[state]
			api.problem(t, admin, http.MethodPost, fmt.Sprintf("/jobs/%d/cancel", before.ID), http.StatusConflict, "jobs.not_cancellable")
			after, err := c.Job(context.Background(), before.ID)
			if err != nil || after.State != state || !after.FinalizedAt.Equal(*before.FinalizedAt) {
				t.Errorf("%s job after a refused cancel: %v, %v", state, after, err)
			}
		}
		if ev := api.events.take(); len(ev) != 0 {
			t.Errorf("events of refused cancels: %+v", ev)
		}
	})
}

func TestAdmin_RunningJobIsNeitherRetriedNorCancelled(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		w := &blockWorker{started: make(chan struct{}), cancelled: make(chan error, 1)}
		jobs.AddWorker(b.reg, w)
		c := b.started(t, jobs.Config{StopTimeout: 50 * time.Millisecond})
		api := serve(t, b, c)
		row := insert(t, c, blockArgs{}, nil)
		select {
		case <-w.started:
		case <-time.After(waitFor):
			t.Fatalf("job not started within %s", waitFor)
		}

		api.problem(t, admin, http.MethodPost, fmt.Sprintf("/jobs/%d/retry", row.ID), http.StatusConflict, "jobs.not_retryable")
		api.problem(t, admin, http.MethodPost, fmt.Sprintf("/jobs/%d/cancel", row.ID), http.StatusConflict, "jobs.not_cancellable")
		got, err := c.Job(context.Background(), row.ID)
		if err != nil || got.State != rivertype.JobStateRunning {
			t.Fatalf("job: %v, %v; want running", got, err)
		}
		// River's cancel would have flagged it for its worker to stop.
		if bytes.Contains(got.Metadata, []byte("cancel_attempted_at")) {
			t.Errorf("running job flagged for cancellation: %s", got.Metadata)
		}
		if ev := api.events.take(); len(ev) != 0 {
			t.Errorf("events of refused changes: %+v", ev)
		}
	})
}

func TestAdmin_UnknownOrMalformedIDIsNotFound(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c := b.client(t, jobs.Config{})
		api := serve(t, b, c)
		row := insert(t, c, countArgs{Token: "x"}, nil)

		refs := []string{
			fmt.Sprint(row.ID + 1000), "abc", "0", "-1", "+" + fmt.Sprint(row.ID), "0" + fmt.Sprint(row.ID),
			"9223372036854775808", "1.0", "%20" + fmt.Sprint(row.ID),
		}
		for _, ref := range refs {
			api.problem(t, admin, http.MethodGet, "/jobs/"+ref, http.StatusNotFound, "jobs.not_found")
			api.problem(t, admin, http.MethodPost, "/jobs/"+ref+"/retry", http.StatusNotFound, "jobs.not_found")
			api.problem(t, admin, http.MethodPost, "/jobs/"+ref+"/cancel", http.StatusNotFound, "jobs.not_found")
		}
		if got, err := c.Job(context.Background(), row.ID); err != nil || got.State != rivertype.JobStateAvailable {
			t.Errorf("the one job: %v, %v; want it untouched", got, err)
		}
		if ev := api.events.take(); len(ev) != 0 {
			t.Errorf("events: %+v", ev)
		}
	})
}

func TestAdmin_FailedPublishLeavesTheJobAlone(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		c, byState := jobsInStates(t, b)
		api := serve(t, b, c)
		api.events.failing(true)

		discarded, scheduled := byState[rivertype.JobStateDiscarded], byState[rivertype.JobStateScheduled]
		api.problem(t, admin, http.MethodPost, fmt.Sprintf("/jobs/%d/retry", discarded.ID), http.StatusInternalServerError, "internal")
		api.problem(t, admin, http.MethodPost, fmt.Sprintf("/jobs/%d/cancel", scheduled.ID), http.StatusInternalServerError, "internal")
		for _, before := range []*rivertype.JobRow{discarded, scheduled} {
			after, err := c.Job(context.Background(), before.ID)
			if err != nil || after.State != before.State || after.MaxAttempts != before.MaxAttempts {
				t.Errorf("job %d after a change whose event failed: %v, %v; want it as it was (%s)", before.ID, after, err, before.State)
			}
		}
	})
}

// The arguments of the jobs this codebase enqueues, with the JSON shape
// each module writes (the types are unexported in their modules): iam's
// account mail (its URL is the caller's callback, which may point
// anywhere), notifications' emails (fully rendered: the body holds the
// reset, verification or invitation link with its token), and one with
// secrets at every depth.
type (
	accountMailArgs struct {
		Purpose string `json:"purpose"`
		Email   string `json:"email"`
		URL     string `json:"url,omitempty"`
	}
	renderedEmail struct {
		From, ReplyTo, Subject, HTML, Text, IdempotencyKey string
		To                                                 []string
		Tags                                               map[string]string
	}
	emailArgs struct {
		Email renderedEmail `json:"email"`
	}
	secretsArgs map[string]any
)

func (accountMailArgs) Kind() string { return "iam.account_mail" }
func (emailArgs) Kind() string       { return "notifications.email" }
func (secretsArgs) Kind() string     { return "jobs_test.secrets" }

func TestAdmin_RedactsSecretsAndLinks(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		jobs.AddWorker(b.reg, river.WorkFunc(func(context.Context, *river.Job[accountMailArgs]) error { return nil }))
		jobs.AddWorker(b.reg, river.WorkFunc(func(context.Context, *river.Job[emailArgs]) error { return nil }))
		jobs.AddWorker(b.reg, river.WorkFunc(func(context.Context, *river.Job[secretsArgs]) error { return nil }))
		c := b.client(t, jobs.Config{})
		api := serve(t, b, c)

		const (
			resetToken  = "rst-9f8e7d6c5b4a"
			verifyToken = "vfy-1a2b3c4d5e6f"
			inviteToken = "inv-0a1b2c3d4e5f"
			apiKey      = "sk_live_abcdef"
			password    = "hunter2-password"
			otp         = "314159"
		)
		secrets := []string{resetToken, verifyToken, inviteToken, apiKey, password, otp}
		emailOf := func(subject, link string) emailArgs {
			return emailArgs{Email: renderedEmail{
				From: "Acme <no-reply@acme.test>", To: []string{"ana@example.com"}, Subject: subject,
				HTML:           `<p>Hi,</p><p><a href="` + link + `">Open</a></p>`,
				Text:           "Hi,\n\nOpen this link:\n\n" + link + "\n",
				Tags:           map[string]string{"template": "password_reset", "locale": "en"},
				IdempotencyKey: "email-" + resetToken,
			}}
		}
		cases := []struct {
			args river.JobArgs
			want string
		}{
			{accountMailArgs{Purpose: "password_reset", Email: "ana@example.com", URL: "/reset?token=" + resetToken},
				`{"email":"ana@example.com","purpose":"password_reset","url":"[REDACTED]"}`},
			{accountMailArgs{Purpose: "email_verification", Email: "ana@example.com", URL: "https://app.acme.test/welcome"},
				`{"email":"ana@example.com","purpose":"email_verification","url":"[REDACTED]"}`},
			{accountMailArgs{Purpose: "email_verification", Email: "ana@example.com"},
				`{"email":"ana@example.com","purpose":"email_verification"}`},
			{emailOf("Reset your password", "https://acme.test/api/auth/reset-password/"+resetToken+"?callbackURL=%2F"),
				`{"email":{"From":"Acme <no-reply@acme.test>","HTML":"[REDACTED]","IdempotencyKey":"[REDACTED]","ReplyTo":"",` +
					`"Subject":"Reset your password","Tags":{"locale":"en","template":"password_reset"},"Text":"[REDACTED]","To":["ana@example.com"]}}`},
			{emailOf("Verify your email", "https://acme.test/api/auth/verify-email?token="+verifyToken),
				`{"email":{"From":"Acme <no-reply@acme.test>","HTML":"[REDACTED]","IdempotencyKey":"[REDACTED]","ReplyTo":"",` +
					`"Subject":"Verify your email","Tags":{"locale":"en","template":"password_reset"},"Text":"[REDACTED]","To":["ana@example.com"]}}`},
			{emailOf("Join Acme", "https://acme.test/invitations/"+inviteToken),
				`{"email":{"From":"Acme <no-reply@acme.test>","HTML":"[REDACTED]","IdempotencyKey":"[REDACTED]","ReplyTo":"",` +
					`"Subject":"Join Acme","Tags":{"locale":"en","template":"password_reset"},"Text":"[REDACTED]","To":["ana@example.com"]}}`},
			{secretsArgs{
				"password": password, "apiKey": apiKey, "Authorization": "Bearer " + apiKey,
				"nested": map[string]any{
					"client_secret": apiKey, "otpCode": otp, "code": otp,
					"list":  []any{map[string]any{"accessToken": resetToken}, "/invitations/" + inviteToken, "plain"},
					"count": json.Number("12345678901234567890"), "ok": true, "none": nil,
				},
				"login":    map[string]any{"password": map[string]any{"deep": password}},
				"link":     "otpauth://totp/Acme?secret=" + otp,
				"query":    "a=1&token=" + verifyToken,
				"name":     "Ana",
				"endpoint": "smtp.acme.test:587",
			}, `{"Authorization":"[REDACTED]","apiKey":"[REDACTED]","endpoint":"smtp.acme.test:587","link":"[REDACTED]",` +
				`"login":{"password":"[REDACTED]"},"name":"Ana","nested":{"client_secret":"[REDACTED]","code":"[REDACTED]",` +
				`"count":12345678901234567890,"list":[{"accessToken":"[REDACTED]"},"[REDACTED]","plain"],"none":null,"ok":true,` +
				`"otpCode":"[REDACTED]"},"password":"[REDACTED]","query":"[REDACTED]"}`},
		}
		for _, tt := range cases {
			row := insert(t, c, tt.args, nil)
			var got wireJob
			body := api.ok(t, http.MethodGet, fmt.Sprintf("/jobs/%d", row.ID), &got)
			if !jsonEqual(t, got.Args, tt.want) {
				t.Errorf("%s args = %s, want %s", row.Kind, got.Args, tt.want)
			}
			for _, s := range secrets {
				if bytes.Contains(body, []byte(s)) {
					t.Errorf("%s: %q shows in %s", row.Kind, s, body)
				}
			}
		}
		var page wirePage
		list := api.ok(t, http.MethodGet, "/jobs", &page)
		if len(page.Items) != len(cases) {
			t.Errorf("listed %d jobs, want %d", len(page.Items), len(cases))
		}
		for _, s := range secrets {
			if bytes.Contains(list, []byte(s)) {
				t.Errorf("listing: %q shows in %s", s, list)
			}
		}
	})
}

// jsonEqual reports whether got and want are the same JSON value, numbers
// compared as written.
func jsonEqual(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	decode := func(s []byte) any {
		dec := json.NewDecoder(bytes.NewReader(s))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("decode %s: %v", s, err)
		}
		return v
	}
	g, w := decode(got), decode([]byte(want))
	gs, _ := json.Marshal(g)
	ws, _ := json.Marshal(w)
	return string(gs) == string(ws)
}

func TestRedactArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty object", `{}`, `{}`},
		{"not json", `{"token":`, `"[REDACTED]"`},
		{"trailing data", `{} {"token":"x"}`, `"[REDACTED]"`},
		{"top-level link", `"https://x.test/a?token=1"`, `"[REDACTED]"`},
		{"numbers as written", `{"n":1.50,"big":123456789012345678901234567890}`, `{"big":123456789012345678901234567890,"n":1.50}`},
		{"html kept unescaped", `{"subject":"<b>Tom & Jerry</b>"}`, `{"subject":"<b>Tom & Jerry</b>"}`},
		{"secret field holding an object", `{"credentials":{"user":"a"}}`, `{"credentials":"[REDACTED]"}`},
		{"file path", `{"file":"/var/data/x"}`, `{"file":"[REDACTED]"}`},
		{"no link", `{"note":"see the docs"}`, `{"note":"see the docs"}`},
	}
	for _, tt := range tests {
		if got := jobs.RedactArgs([]byte(tt.in)); string(got) != tt.want {
			t.Errorf("%s: RedactArgs(%s) = %s, want %s", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestIsLink(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"https://acme.test/invitations/abc":             true,
		"http://localhost:8080/api/auth/verify-email?x": true,
		"see https://acme.test for more":                true,
		"postgres://u:p@db/x":                           true,
		"otpauth://totp/Acme?secret=X":                  true,
		"/api/auth/reset-password/abc":                  true,
		"/invitations/abc":                              true,
		"//evil.test/x":                                 true,
		"callback?Token=abc":                            true,
		"Ana":                                           false,
		"ana@example.com":                               false,
		"password_reset":                                false,
		"a/b":                                           false,
		"":                                              false,
	} {
		if got := jobs.IsLink(s); got != want {
			t.Errorf("IsLink(%q) = %v, want %v", s, got, want)
		}
	}
}

// The job admin routes are documented in the OpenAPI document under the
// platform prefix, with the statuses they answer. (401 and 403 are the
// Admin's to document.)
func TestAdmin_OpenAPI(t *testing.T) {
	t.Parallel()
	b := setup(t, db.SQLite)
	c := b.client(t, jobs.Config{})
	api := serve(t, b, c)
	res, err := api.srv.Client().Get(api.srv.URL + "/api/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string                     `json:"operationId"`
			Responses   map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		path, method, id string
		statuses         []string
	}{
		{"/api/v1/platform/jobs", "get", "list-jobs", []string{"200", "422"}},
		{"/api/v1/platform/jobs/{id}", "get", "get-job", []string{"200", "404"}},
		{"/api/v1/platform/jobs/{id}/retry", "post", "retry-job", []string{"200", "404", "409"}},
		{"/api/v1/platform/jobs/{id}/cancel", "post", "cancel-job", []string{"200", "404", "409"}},
	}
	for _, w := range want {
		op, ok := doc.Paths[w.path][w.method]
		if !ok || op.OperationID != w.id {
			t.Errorf("%s %s: operation %q, want %q", w.method, w.path, op.OperationID, w.id)
			continue
		}
		for _, s := range w.statuses {
			if _, ok := op.Responses[s]; !ok {
				t.Errorf("%s %s: no %s response documented", w.method, w.path, s)
			}
		}
	}
	detail := doc.Components.Schemas["JobDetail"].Properties
	for _, p := range []string{"id", "kind", "queue", "state", "attempt", "maxAttempts", "priority", "createdAt",
		"scheduledAt", "attemptedAt", "finalizedAt", "errorCount", "args", "errors"} {
		if _, ok := detail[p]; !ok {
			t.Errorf("schema JobDetail has no %s: %v", p, strings.Join(keys(detail), ", "))
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
