package notifications

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/localmail"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/mailtmpl"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/resendgw"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/sesgw"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/smtpgw"
)

// EmailQueue is the River queue every email job runs on.
const EmailQueue = "emails"

const (
	emailQueueWorkers = 10
	// emailMaxAttempts with River's attempt⁴-second backoff spreads retries
	// over about a day before the job is discarded (and kept for admins).
	emailMaxAttempts = 12
	// emailSnoozeHorizon bounds how long provider rate limits may postpone
	// an email before ordinary retries (which do run out) take over.
	emailSnoozeHorizon = 24 * time.Hour
)

// emailArgs is the emails job: a fully rendered email, so the worker needs
// no templates and a template change never alters a queued email.
type emailArgs struct {
	Email application.Email `json:"email"`
}

func (emailArgs) Kind() string { return "notifications.email" }

func (emailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: EmailQueue, MaxAttempts: emailMaxAttempts}
}

type mailer struct {
	deps      Deps
	templates *mailtmpl.Registry
	sender    application.EmailSender
	provider  string
}

func newMailer(d Deps) (*mailer, error) {
	serverURL := ""
	if d.ServerURL != nil {
		serverURL = d.ServerURL.String()
	}
	templates, err := mailtmpl.New(mailtmpl.Brand{ProductName: d.Email.ProductName, Color: d.Email.BrandColor, ServerURL: serverURL})
	if err != nil {
		return nil, fmt.Errorf("email templates: %w", err)
	}
	m := &mailer{deps: d, templates: templates, sender: d.Sender, provider: "custom"}
	if m.sender == nil {
		if m.sender, err = newSender(d); err != nil {
			return nil, err
		}
		m.provider = d.Email.Provider
	}
	return m, nil
}

// newSender builds the adapter EMAIL_PROVIDER names.
func newSender(d Deps) (application.EmailSender, error) {
	e := d.Email
	switch e.Provider {
	case config.EmailLog, "":
		return localmail.NewLog(d.Logger), nil
	case config.EmailFile:
		return localmail.NewFile(filepath.Join(d.DataDir, "mailbox")), nil
	case config.EmailNone:
		return localmail.NewNone(), nil
	case config.EmailSMTP:
		return smtpgw.New(smtpgw.Options{
			Host: e.SMTP.Host, Port: e.SMTP.Port, Username: e.SMTP.Username, Password: e.SMTP.Password, TLS: e.SMTP.TLS,
		})
	case config.EmailResend:
		return resendgw.New(resendgw.Options{APIKey: e.ResendAPIKey, BaseURL: e.ResendBaseURL})
	case config.EmailSES:
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return sesgw.New(ctx, sesgw.Options{Region: e.SES.Region, Endpoint: e.SES.Endpoint})
	default:
		return nil, fmt.Errorf("EMAIL_PROVIDER=%q is not supported", e.Provider)
	}
}

func (m *mailer) workers(reg *jobs.Registry) {
	reg.AddQueue(EmailQueue, emailQueueWorkers)
	jobs.AddWorker(reg, &emailWorker{sender: m.sender, provider: m.provider, deps: m.deps})
}

// renderer adapts the template registry to the application's port.
type renderer struct{ r *mailtmpl.Registry }

func (r renderer) Render(name, locale string, data map[string]any) (application.Rendered, error) {
	out, err := r.r.Render(name, locale, data)
	return application.Rendered{Subject: out.Subject, HTML: out.HTML, Text: out.Text, Locale: out.Locale}, err
}

// send renders req and enqueues it in the transaction ctx carries.
func (m *mailer) send(ctx context.Context, req application.EmailRequest) (string, error) {
	email, err := application.ComposeEmail(renderer{m.templates}, m.deps.Email.From, req)
	if err != nil {
		return "", err
	}
	if _, err := m.deps.Jobs.Insert(ctx, emailArgs{Email: email}, nil); err != nil {
		return "", fmt.Errorf("enqueue email: %w", err)
	}
	return email.IdempotencyKey, nil
}

// emailWorker hands queued emails to the provider and tells River what to
// do with a failure: a rejection is cancelled (never retried), a rate
// limit is snoozed for as long as the provider asked, anything else is
// retried with backoff.
type emailWorker struct {
	river.WorkerDefaults[emailArgs]
	sender   application.EmailSender
	provider string
	deps     Deps
}

// An attempt runs at most JOB_TIMEOUT, as every job does: the rescue of a
// crashed process's jobs (JOB_RESCUE_AFTER, longer) relies on no attempt
// running longer.

func (w *emailWorker) Work(ctx context.Context, job *river.Job[emailArgs]) error {
	e := job.Args.Email
	log := w.deps.Logger.With("job_id", job.ID, "attempt", job.Attempt, "template", e.Tags["template"], "provider", w.provider)
	err := w.sender.Send(ctx, e)
	if err == nil {
		log.DebugContext(ctx, "email sent", "email_id", e.IdempotencyKey)
		return nil
	}
	permanent, retryAfter := application.Classify(err)
	switch {
	case permanent:
		// The address is not logged: the job ID finds it for an admin.
		log.WarnContext(ctx, "email rejected by the provider; not retrying", "email_id", e.IdempotencyKey, "error", err)
		return river.JobCancel(err)
	case retryAfter > 0 && time.Since(job.CreatedAt) < emailSnoozeHorizon:
		log.InfoContext(ctx, "email provider asked us to wait", "retry_after", retryAfter)
		return river.JobSnooze(retryAfter)
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return err // shutting down; River retries it
	default:
		log.WarnContext(ctx, "email send failed; will retry", "error", err)
		return err
	}
}
