package jobs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

// adminTag is the OpenAPI tag of the job administration routes.
const adminTag = "Jobs"

// Page sizes of GET /api/v1/platform/jobs.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

// CodeInvalidCursor is the code of the 422 a listing answers for a cursor
// it did not hand out.
const CodeInvalidCursor = "jobs.invalid_cursor"

var errInvalidCursor = kernel.Invalid(CodeInvalidCursor, "The cursor is not valid; list again from the first page.",
	kernel.FieldError{Field: "query.cursor", Code: "invalid", Message: "The cursor is not one this API returned."})

// AdminRoutes mounts the job plumbing's platform administration under
// /api/v1/platform/jobs, behind a's gate: list jobs, show one with its
// errors, retry one, cancel one. Job arguments are shown through
// RedactArgs, error messages with their URLs cut after the host. A retry
// publishes JobRetried and a cancellation JobCancelled through events, in
// the transaction that changes the job, so that the audit log records who
// did it or the change does not happen. It panics on a nil events, as
// huma panics on a bad operation: both are mistakes of wiring at boot.
func (c *Client) AdminRoutes(a *web.Admin, events kernel.Publisher) {
	if events == nil {
		panic("jobs: AdminRoutes needs a publisher for the audit trail")
	}
	h := &adminHandler{c: c, events: events}
	api := a.API()
	huma.Register(api, web.Op("list-jobs", http.MethodGet, "/jobs", adminTag, "List background jobs",
		"Jobs of every queue, newest first, a page at a time: pass the nextCursor of one page as the cursor of "+
			"the next; jobs inserted meanwhile never make a page repeat or skip one. Arguments that could hold a "+
			"secret or a link are [REDACTED].",
		http.StatusUnprocessableEntity), h.list)
	huma.Register(api, web.Op("get-job", http.MethodGet, "/jobs/{id}", adminTag, "Show a background job",
		"The job with the errors of its failed attempts.",
		http.StatusNotFound), h.get)
	huma.Register(api, web.Op("retry-job", http.MethodPost, "/jobs/{id}/retry", adminTag, "Retry a background job",
		"Makes a discarded, retryable or cancelled job available to run now, with one more attempt if it had "+
			"used them all; any other state answers 409 jobs.not_retryable. Publishes job.retried, naming who retried "+
			"it, in the same transaction.",
		http.StatusNotFound, http.StatusConflict), h.retry)
	huma.Register(api, web.Op("cancel-job", http.MethodPost, "/jobs/{id}/cancel", adminTag, "Cancel a background job",
		"Cancels a job that has not run yet (available, scheduled, retryable or pending) so that it never runs; "+
			"any other state, running included, answers 409 jobs.not_cancellable. Publishes job.cancelled, naming "+
			"who cancelled it, in the same transaction.",
		http.StatusNotFound, http.StatusConflict), h.cancel)
}

// adminHandler serves the job administration routes.
type adminHandler struct {
	c      *Client
	events kernel.Publisher
}

// JobSummary is a job as the platform's job listing shows it.
type JobSummary struct {
	ID          int64           `json:"id" doc:"The job's ID; IDs grow with each insert."`
	Kind        string          `json:"kind" doc:"What the job does (iam.account_mail)."`
	Queue       string          `json:"queue"`
	State       string          `json:"state" enum:"available,scheduled,running,retryable,completed,cancelled,discarded,pending"`
	Attempt     int             `json:"attempt" doc:"How many times the job has started."`
	MaxAttempts int             `json:"maxAttempts"`
	Priority    int             `json:"priority" doc:"1 (first) to 4."`
	CreatedAt   time.Time       `json:"createdAt"`
	ScheduledAt time.Time       `json:"scheduledAt" doc:"When the job is, or was, due to run."`
	AttemptedAt *time.Time      `json:"attemptedAt" nullable:"true" doc:"When the last attempt started; null before the first."`
	FinalizedAt *time.Time      `json:"finalizedAt" nullable:"true" doc:"When the job completed, was cancelled or discarded."`
	ErrorCount  int             `json:"errorCount" doc:"How many attempts failed."`
	Args        json.RawMessage `json:"args" doc:"The job's arguments; fields that could hold a secret, and strings holding a link, are [REDACTED]."`
}

// jobDetail is one job with its errors. JobSummary is exported because
// huma leaves the fields of an unexported embedded struct out of the
// schema.
type jobDetail struct {
	JobSummary
	Errors []jobAttemptError `json:"errors" doc:"The failed attempts, oldest first."`
}

// jobAttemptError is one failed attempt.
type jobAttemptError struct {
	Attempt int       `json:"attempt"`
	At      time.Time `json:"at"`
	Error   string    `json:"error" doc:"What the attempt failed with; the paths and queries of URLs are [REDACTED]."`
}

func jobItemJSON(r *rivertype.JobRow) JobSummary {
	utc := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC()
		return &u
	}
	return JobSummary{
		ID: r.ID, Kind: r.Kind, Queue: r.Queue, State: string(r.State),
		Attempt: r.Attempt, MaxAttempts: r.MaxAttempts, Priority: r.Priority,
		CreatedAt: r.CreatedAt.UTC(), ScheduledAt: r.ScheduledAt.UTC(),
		AttemptedAt: utc(r.AttemptedAt), FinalizedAt: utc(r.FinalizedAt),
		ErrorCount: len(r.Errors), Args: RedactArgs(r.EncodedArgs),
	}
}

func jobDetailJSON(r *rivertype.JobRow) jobDetail {
	d := jobDetail{JobSummary: jobItemJSON(r), Errors: make([]jobAttemptError, len(r.Errors))}
	for i, e := range r.Errors {
		d.Errors[i] = jobAttemptError{Attempt: e.Attempt, At: e.At.UTC(), Error: redactErrorMessage(e.Error)}
	}
	return d
}

type listInput struct {
	Queue  string `query:"queue" maxLength:"128" doc:"Only jobs of this queue."`
	Kind   string `query:"kind" maxLength:"256" doc:"Only jobs of this kind."`
	State  string `query:"state" enum:"available,scheduled,running,retryable,completed,cancelled,discarded,pending" doc:"Only jobs in this state."`
	Cursor string `query:"cursor" maxLength:"64" doc:"The nextCursor of the previous page; omit for the first."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size."`
}

func (h *adminHandler) list(ctx context.Context, in *listInput) (*web.CursorOutput[JobSummary], error) {
	before, ok := decodeCursor(in.Cursor)
	if !ok {
		return nil, errInvalidCursor
	}
	limit := kernel.PageLimit(in.Limit, defaultPageSize, maxPageSize)
	p := ListParams{Queue: in.Queue, Kind: in.Kind, BeforeID: before, Limit: limit + 1} // one more tells whether there is a next page
	if in.State != "" {
		p.States = []rivertype.JobState{rivertype.JobState(in.State)}
	}
	rows, err := h.c.List(ctx, p)
	next := ""
	if len(rows) > limit {
		rows, next = rows[:limit], encodeCursor(rows[limit-1].ID)
	}
	return web.ReplyPage(rows, next, err, jobItemJSON)
}

type jobIDInput struct {
	ID string `path:"id" doc:"The job's ID."`
}

func (h *adminHandler) get(ctx context.Context, in *jobIDInput) (*web.Output[jobDetail], error) {
	id, ok := parseJobID(in.ID)
	if !ok {
		return nil, ErrJobNotFound
	}
	row, err := h.c.Job(ctx, id)
	return web.Reply(row, err, jobDetailJSON)
}

func (h *adminHandler) retry(ctx context.Context, in *jobIDInput) (*web.Output[jobDetail], error) {
	row, err := h.change(ctx, in.ID, h.c.Retry, func(r *rivertype.JobRow, by kernel.UserID) kernel.Event {
		return JobRetried{JobID: r.ID, Kind: r.Kind, Queue: r.Queue, By: by}
	})
	return web.Reply(row, err, jobDetailJSON)
}

func (h *adminHandler) cancel(ctx context.Context, in *jobIDInput) (*web.Output[jobDetail], error) {
	row, err := h.change(ctx, in.ID, h.c.Cancel, func(r *rivertype.JobRow, by kernel.UserID) kernel.Event {
		return JobCancelled{JobID: r.ID, Kind: r.Kind, Queue: r.Queue, By: by}
	})
	return web.Reply(row, err, jobDetailJSON)
}

// change applies do to the job ref names and publishes the event of it, in
// one transaction: no change without its audit record.
func (h *adminHandler) change(ctx context.Context, ref string,
	do func(ctx context.Context, id int64) (*rivertype.JobRow, error),
	event func(r *rivertype.JobRow, by kernel.UserID) kernel.Event,
) (*rivertype.JobRow, error) {
	admin, err := kernel.RequirePlatformAdmin(ctx)
	if err != nil {
		return nil, err // the gate already let the caller through; never happens
	}
	id, ok := parseJobID(ref)
	if !ok {
		return nil, ErrJobNotFound
	}
	var row *rivertype.JobRow
	err = h.c.d.Tx(ctx, func(ctx context.Context) error {
		var err error
		if row, err = do(ctx, id); err != nil {
			return err
		}
		return h.events.Publish(ctx, event(row, admin.UserID))
	})
	return row, err
}

// parseJobID reads a job ID as the API writes it: a positive decimal
// number without sign or leading zeros.
func parseJobID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, false
	}
	return id, true
}

// encodeCursor makes the position after the job id opaque, so clients do
// not come to rely on its form.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

// decodeCursor reads a cursor encodeCursor made: 0 for "" (the first page),
// ok false for anything else this API did not hand out.
func decodeCursor(s string) (before int64, ok bool) {
	if s == "" {
		return 0, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	return parseJobID(string(raw))
}
