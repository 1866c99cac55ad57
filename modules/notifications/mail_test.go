package notifications_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/localmail"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/resendgw"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

const mailWait = 30 * time.Second

// runDialects runs fn as a parallel subtest per dialect under test.
func runDialects(t *testing.T, fn func(t *testing.T, dialect db.Dialect)) { testdb.Run(t, fn) }

// mailApp boots the app on the dialect; sender replaces the email provider
// when not nil.
func mailApp(t *testing.T, dialect db.Dialect, sender notifications.EmailSender, opts ...testkit.Option) (*testkit.App, *notifications.Module) {
	t.Helper()
	if sender != nil {
		opts = append(opts, testkit.WithAppOptions(app.WithEmailSender(sender)))
	}
	a := testkit.New(t, dialect, opts...)
	return a, a.Notifications()
}

func mailbox(t *testing.T, a *testkit.App) []localmail.Message {
	t.Helper()
	msgs, err := localmail.ReadMailbox(filepath.Join(a.Config.Database.DataDir, "mailbox"))
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// waitMailbox polls until the mailbox holds n messages, then returns them.
func waitMailbox(t *testing.T, a *testkit.App, n int) []localmail.Message {
	t.Helper()
	var msgs []localmail.Message
	testkit.Eventually(t, fmt.Sprintf("%d messages in the mailbox", n), func() bool {
		msgs = mailbox(t, a)
		return len(msgs) >= n
	})
	return msgs
}

func welcome(to, locale string) notifications.EmailRequest {
	return notifications.EmailRequest{To: to, Locale: locale, Template: notifications.TemplateWelcome,
		Data: map[string]any{"Name": "Ana", "URL": "/dashboard"}}
}

func TestSendEmail_CommittedIsDeliveredOnceRolledBackNever(t *testing.T) {
	runDialects(t, func(t *testing.T, dialect db.Dialect) {
		a, m := mailApp(t, dialect, nil)
		ctx := context.Background()

		boom := errors.New("later failure")
		err := a.DB().Tx(ctx, func(ctx context.Context) error {
			if _, err := m.SendEmail(ctx, welcome("rolled@example.com", "en")); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var id string
		err = a.DB().Tx(ctx, func(ctx context.Context) error {
			var err error
			id, err = m.SendEmail(ctx, welcome("ana@example.com", "es-MX"))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		msgs := waitMailbox(t, a, 1)
		// Give a stray second delivery a chance to show, by waiting for the
		// job to complete rather than sleeping.
		waitJobState(t, a, rivertype.JobStateCompleted, 1)
		msgs = mailbox(t, a)
		if len(msgs) != 1 {
			t.Fatalf("mailbox holds %d messages, want exactly 1", len(msgs))
		}
		got := msgs[0]
		if len(got.To) != 1 || got.To[0] != "ana@example.com" {
			t.Errorf("to = %v", got.To)
		}
		if !strings.Contains(got.Subject, "Groundwork") || !strings.Contains(got.Text, "Hola") {
			t.Errorf("not the Spanish welcome: subject %q text %q", got.Subject, got.Text)
		}
		if !strings.Contains(got.Text, a.URL+"/dashboard") {
			t.Errorf("text lacks the absolute link %s/dashboard:\n%s", a.URL, got.Text)
		}
		if !strings.HasPrefix(id, "eml_") || !strings.Contains(got.Path, strings.TrimPrefix(id, "eml_")) && !strings.Contains(got.Path, id) {
			t.Errorf("email id %q does not name the delivered file %s", id, got.Path)
		}
	})
}

func TestSendEmail_SurvivesTheProcessThatEnqueuedIt(t *testing.T) {
	runDialects(t, func(t *testing.T, dialect db.Dialect) {
		// Process A enqueues and commits, then dies before any worker ran.
		a, m := mailApp(t, dialect, nil, testkit.WithoutWorkers())
		if _, err := m.SendEmail(context.Background(), welcome("durable@example.com", "pt-BR")); err != nil {
			t.Fatal(err)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		// Process B starts on the same database and delivers it, once.
		b, _ := mailApp(t, dialect, nil, testkit.WithEnv(
			"DATA_DIR", a.Config.Database.DataDir, "DATABASE_URL", a.Config.Database.URL))
		waitMailbox(t, b, 1)
		waitJobState(t, b, rivertype.JobStateCompleted, 1)
		if msgs := mailbox(t, b); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Olá") {
			t.Fatalf("want exactly one Portuguese email, got %d", len(msgs))
		}
	})
}

func TestSendEmail_InvalidRequests(t *testing.T) {
	runDialects(t, func(t *testing.T, dialect db.Dialect) {
		_, m := mailApp(t, dialect, nil, testkit.WithoutWorkers())
		ctx := context.Background()
		if _, err := m.SendEmail(ctx, welcome("not an address", "en")); kernel.KindOf(err) != kernel.KindInvalid {
			t.Errorf("bad recipient: %v", err)
		}
		if _, err := m.SendEmail(ctx, notifications.EmailRequest{To: "a@example.com", Template: "nope"}); err == nil {
			t.Error("unknown template accepted")
		}
		if _, err := m.SendEmail(ctx, notifications.EmailRequest{To: "a@example.com", Template: notifications.TemplateWelcome}); err == nil {
			t.Error("missing template data accepted")
		}
	})
}

func TestProductTemplate(t *testing.T) {
	runDialects(t, func(t *testing.T, dialect db.Dialect) {
		a, m := mailApp(t, dialect, nil)
		err := m.RegisterTemplate("invoice_ready", notifications.Template{
			Subject:  map[string]string{"en": "Invoice {{.Number}} is ready", "es": "La factura {{.Number}} está lista"},
			HTML:     map[string]string{"en": `<p>Invoice {{.Number}}</p>{{button .URL "Open"}}`, "es": `<p>Factura {{.Number}}</p>{{button .URL "Abrir"}}`},
			Text:     map[string]string{"en": "Invoice {{.Number}}: {{url .URL}}", "es": "Factura {{.Number}}: {{url .URL}}"},
			Required: []string{"Number", "URL"},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.RegisterTemplate("broken", notifications.Template{Subject: map[string]string{"en": "{{"}}); err == nil {
			t.Error("a template that does not parse was registered")
		}
		if _, err := m.SendEmail(context.Background(), notifications.EmailRequest{
			To: "billing@example.com", Locale: "es", Template: "invoice_ready",
			Data: map[string]any{"Number": "F-42", "URL": "/invoices/F-42"},
		}); err != nil {
			t.Fatal(err)
		}
		msg := waitMailbox(t, a, 1)[0]
		if msg.Subject != "La factura F-42 está lista" || !strings.Contains(msg.HTML, a.URL+"/invoices/F-42") {
			t.Errorf("product template rendered %q / %s", msg.Subject, msg.HTML)
		}
	})
}

// fakeResend speaks the slice of Resend's API the adapter uses, with the
// behaviour of Resend's idempotency keys, and per-recipient failures.
type fakeResend struct {
	mu        sync.Mutex
	requests  map[string]int    // recipient → requests
	delivered map[string]int    // recipient → deliveries
	byKey     map[string]string // idempotency key → id
	cut       map[string]bool   // recipients whose first answer is cut
}

func newFakeResend(t *testing.T) (*fakeResend, *httptest.Server) {
	f := &fakeResend{requests: map[string]int{}, delivered: map[string]int{}, byKey: map[string]string{}, cut: map[string]bool{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeResend) serve(w http.ResponseWriter, r *http.Request) {
	var body struct {
		To []string `json:"to"`
	}
	if r.Method != http.MethodPost || r.URL.Path != "/emails" || json.NewDecoder(r.Body).Decode(&body) != nil || len(body.To) != 1 {
		http.Error(w, `{"name":"validation_error","message":"bad request"}`, http.StatusUnprocessableEntity)
		return
	}
	to, key := body.To[0], r.Header.Get("Idempotency-Key")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests[to]++
	writeJSON := func(status int, v string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(v))
	}
	switch {
	case strings.HasPrefix(to, "reject"):
		writeJSON(http.StatusUnprocessableEntity, `{"statusCode":422,"name":"validation_error","message":"Invalid to field."}`)
		return
	case strings.HasPrefix(to, "flaky") && f.requests[to] == 1:
		writeJSON(http.StatusInternalServerError, `{"statusCode":500,"name":"internal_server_error","message":"oops"}`)
		return
	case strings.HasPrefix(to, "limited"):
		w.Header().Set("Retry-After", "3600")
		writeJSON(http.StatusTooManyRequests, `{"statusCode":429,"name":"rate_limit_exceeded","message":"Too many requests"}`)
		return
	}
	if id, seen := f.byKey[key]; seen && key != "" {
		writeJSON(http.StatusOK, `{"id":"`+id+`"}`) // a replay: not sent again
		return
	}
	id := "re_" + key
	f.byKey[key] = id
	f.delivered[to]++
	if strings.HasPrefix(to, "ambiguous") && !f.cut[to] {
		// Accepted and sent, but the answer never reaches the client.
		f.cut[to] = true
		if hj, ok := w.(http.Hijacker); ok {
			conn, _, _ := hj.Hijack()
			conn.Close()
			return
		}
	}
	writeJSON(http.StatusOK, `{"id":"`+id+`"}`)
}

func (f *fakeResend) counts(to string) (requests, delivered int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[to], f.delivered[to]
}

func TestEmailJob_RetriesBackoffAndRejections(t *testing.T) {
	runDialects(t, func(t *testing.T, dialect db.Dialect) {
		fake, srv := newFakeResend(t)
		sender, err := resendgw.New(resendgw.Options{APIKey: "re_test_key", BaseURL: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		a, m := mailApp(t, dialect, sender)
		ctx := context.Background()
		for _, to := range []string{"reject@example.com", "flaky@example.com", "limited@example.com", "ambiguous@example.com"} {
			if _, err := m.SendEmail(ctx, welcome(to, "en")); err != nil {
				t.Fatal(err)
			}
		}

		// A rejection (4xx) is cancelled after one request: never retried.
		job := waitJob(t, a, "reject@example.com", func(j *rivertype.JobRow) bool { return j.State == rivertype.JobStateCancelled })
		if req, _ := fake.counts("reject@example.com"); req != 1 || len(job.Errors) != 1 {
			t.Errorf("rejected email: %d requests, %d errors; want 1 and 1", req, len(job.Errors))
		}

		// A 5xx is retried after a backoff, then delivered once.
		job = waitJob(t, a, "flaky@example.com", func(j *rivertype.JobRow) bool { return j.State == rivertype.JobStateCompleted })
		if req, del := fake.counts("flaky@example.com"); req != 2 || del != 1 || job.Attempt != 2 || len(job.Errors) != 1 {
			t.Errorf("flaky email: %d requests, %d deliveries, attempt %d; want 2, 1, 2", req, del, job.Attempt)
		}

		// A 429 waits as long as the provider asked.
		job = waitJob(t, a, "limited@example.com", func(j *rivertype.JobRow) bool { return j.State == rivertype.JobStateScheduled })
		if wait := time.Until(job.ScheduledAt); wait < 50*time.Minute || wait > 61*time.Minute {
			t.Errorf("rate-limited email scheduled in %s, want about 1h (Retry-After: 3600)", wait)
		}

		// A send whose answer was lost is retried with the same idempotency
		// key: two requests, one email.
		waitJob(t, a, "ambiguous@example.com", func(j *rivertype.JobRow) bool { return j.State == rivertype.JobStateCompleted })
		if req, del := fake.counts("ambiguous@example.com"); req != 2 || del != 1 {
			t.Errorf("ambiguous email: %d requests, %d deliveries; want 2 and 1", req, del)
		}
	})
}

// waitJob polls the email job addressed to `to` until done(job) holds.
func waitJob(t *testing.T, a *testkit.App, to string, done func(*rivertype.JobRow) bool) *rivertype.JobRow {
	t.Helper()
	var found *rivertype.JobRow
	testkit.Eventually(t, "the email job to "+to+" reaches the expected state", func() bool {
		rows, err := a.Jobs().List(context.Background(), jobs.ListParams{Kind: "notifications.email", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range rows {
			var args struct{ Email struct{ To []string } }
			if json.Unmarshal(j.EncodedArgs, &args) == nil && len(args.Email.To) == 1 && args.Email.To[0] == to && done(j) {
				found = j
				return true
			}
		}
		return false
	})
	return found
}

// waitJobState polls until n email jobs are in state.
func waitJobState(t *testing.T, a *testkit.App, state rivertype.JobState, n int) {
	t.Helper()
	testkit.Eventually(t, fmt.Sprintf("%d email jobs %s", n, state), func() bool {
		rows, err := a.Jobs().List(context.Background(), jobs.ListParams{Kind: "notifications.email", States: []rivertype.JobState{state}})
		if err != nil {
			t.Fatal(err)
		}
		return len(rows) >= n
	})
}
