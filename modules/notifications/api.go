package notifications

import (
	"context"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/mailtmpl"
)

// EmailSender delivers a rendered email through a provider; see Deps.Sender.
type EmailSender = application.EmailSender

// Email is a rendered, addressed email, as an EmailSender receives it.
type Email = application.Email

// SendError classifies a provider failure (permanent, or retry after).
type SendError = application.SendError

// Template is a product's own email template: per-locale sources for the
// subject (text/template), the HTML body (html/template, rendered inside
// the shared branded layout) and the text body. "en" is required.
type Template = mailtmpl.Template

// The built-in email templates, and the data each expects.
const (
	TemplateVerifyEmail            = mailtmpl.VerifyEmail            // Name, URL, ExpiresInHours
	TemplateWelcome                = mailtmpl.Welcome                // Name, URL
	TemplatePasswordReset          = mailtmpl.PasswordReset          // Name, URL, ExpiresInMinutes
	TemplatePasswordChanged        = mailtmpl.PasswordChanged        // Name, Time, SupportURL
	TemplateEmailChanged           = mailtmpl.EmailChanged           // Name, OldEmail, NewEmail
	TemplateOrganizationInvitation = mailtmpl.OrganizationInvitation // InviterName, OrganizationName, Role, URL, ExpiresInDays
	// The billing emails, to an organization's owners; URL is where they
	// manage the subscription.
	TemplateBillingPaymentFailed        = mailtmpl.BillingPaymentFailed        // Name, OrganizationName, Plan, URL, GraceDays
	TemplateBillingSubscriptionCanceled = mailtmpl.BillingSubscriptionCanceled // Name, OrganizationName, Plan, URL
	TemplateBillingTrialEnding          = mailtmpl.BillingTrialEnding          // Name, OrganizationName, Plan, TrialEnd, URL
	// The usage email, to an organization's owners when a meter reaches
	// 80% or 100% of its cap; ResetsAt is absent for a lifetime meter.
	TemplateUsageThreshold = mailtmpl.UsageThreshold // Name, OrganizationName, Plan, Meter, Unit, Percent, Used, Limit, ResetsAt, URL
)

// EmailRequest asks for a templated email to one recipient, in their
// locale (BCP 47; falls back to the language, then to English).
type EmailRequest = application.EmailRequest

// SendEmail renders the template and enqueues the email on the emails
// queue inside the transaction ctx carries (or its own), so it is sent only
// if that transaction commits, and exactly once. It returns the email's ID
// (also its idempotency key at the provider). Errors: kernel.Invalid for a
// bad address, an error wrapping mailtmpl's unknown-template or
// missing-data errors, or a database error.
func (m *Module) SendEmail(ctx context.Context, req EmailRequest) (string, error) {
	return m.mailer.send(ctx, req)
}

// RegisterTemplate adds a product's template, or replaces a built-in one.
// Call it at boot, before the first SendEmail. It returns an error naming
// the template, locale and part that does not parse.
func (m *Module) RegisterTemplate(name string, t Template) error {
	return m.mailer.templates.Register(name, t)
}

// Render renders a template without sending it (previews, tests).
func (m *Module) Render(name, locale string, data map[string]any) (subject, html, text string, err error) {
	r, err := m.mailer.templates.Render(name, locale, data)
	return r.Subject, r.HTML, r.Text, err
}
