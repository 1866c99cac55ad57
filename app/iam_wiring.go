package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/notifications"
)

// templateSetPassword is the email an admin-created user gets: like a
// reset, but nobody asked to reset anything, so it says so differently.
const templateSetPassword = "set_password"

// setPasswordTemplate is registered with notifications at boot; its data
// is Name (optional), URL and ExpiresInHours.
var setPasswordTemplate = notifications.Template{
	Subject: map[string]string{
		"en":    "Set your {{.Brand.ProductName}} password",
		"es":    "Elige tu contraseña de {{.Brand.ProductName}}",
		"pt-BR": "Defina sua senha do {{.Brand.ProductName}}",
	},
	HTML: map[string]string{
		"en": `<p>{{if .Name}}Hi {{.Name}},{{else}}Hi,{{end}}</p>
<p>An account was created for you on {{.Brand.ProductName}}. Click the button below to choose your password.</p>
{{button .URL "Set password"}}
<p>This link is valid for {{.ExpiresInHours}} {{plural .ExpiresInHours "hour" "hours"}}. If you were not expecting this, you can ignore this email.</p>`,
		"es": `<p>{{if .Name}}Hola, {{.Name}}:{{else}}Hola:{{end}}</p>
<p>Se creó una cuenta para ti en {{.Brand.ProductName}}. Haz clic en el botón para elegir tu contraseña.</p>
{{button .URL "Elegir contraseña"}}
<p>El enlace es válido durante {{.ExpiresInHours}} {{plural .ExpiresInHours "hora" "horas"}}. Si no esperabas este mensaje, puedes ignorarlo.</p>`,
		"pt-BR": `<p>{{if .Name}}Olá, {{.Name}},{{else}}Olá,{{end}}</p>
<p>Uma conta foi criada para você no {{.Brand.ProductName}}. Clique no botão abaixo para definir sua senha.</p>
{{button .URL "Definir senha"}}
<p>O link é válido por {{.ExpiresInHours}} {{plural .ExpiresInHours "hora" "horas"}}. Se você não esperava este e-mail, pode ignorá-lo.</p>`,
	},
	Text: map[string]string{
		"en": `{{if .Name}}Hi {{.Name}},{{else}}Hi,{{end}}

An account was created for you on {{.Brand.ProductName}}. Open this link to choose your password:

{{url .URL}}

This link is valid for {{.ExpiresInHours}} {{plural .ExpiresInHours "hour" "hours"}}. If you were not expecting this, you can ignore this email.`,
		"es": `{{if .Name}}Hola, {{.Name}}:{{else}}Hola:{{end}}

Se creó una cuenta para ti en {{.Brand.ProductName}}. Abre este enlace para elegir tu contraseña:

{{url .URL}}

El enlace es válido durante {{.ExpiresInHours}} {{plural .ExpiresInHours "hora" "horas"}}. Si no esperabas este mensaje, puedes ignorarlo.`,
		"pt-BR": `{{if .Name}}Olá, {{.Name}},{{else}}Olá,{{end}}

Uma conta foi criada para você no {{.Brand.ProductName}}. Abra este link para definir sua senha:

{{url .URL}}

O link é válido por {{.ExpiresInHours}} {{plural .ExpiresInHours "hora" "horas"}}. Se você não esperava este e-mail, pode ignorá-lo.`,
	},
	Required: []string{"URL", "ExpiresInHours"},
	Optional: []string{"Name"},
}

// iamEmails is iam's Emails port over notifications: each email is a
// localized template rendered and enqueued in the caller's transaction.
type iamEmails struct{ n *notifications.Module }

var _ iam.Emails = iamEmails{}

// newIAMEmails registers the set-password template and returns the port.
func newIAMEmails(n *notifications.Module) (iamEmails, error) {
	if err := n.RegisterTemplate(templateSetPassword, setPasswordTemplate); err != nil {
		return iamEmails{}, fmt.Errorf("iam emails: %w", err)
	}
	return iamEmails{n: n}, nil
}

func (e iamEmails) send(ctx context.Context, to iam.Recipient, template string, data map[string]any) error {
	data["Name"] = to.Name
	_, err := e.n.SendEmail(ctx, notifications.EmailRequest{To: to.Email, Locale: to.Locale, Template: template, Data: data})
	return err
}

func (e iamEmails) VerifyEmail(ctx context.Context, to iam.Recipient, url string, expiresIn time.Duration) error {
	return e.send(ctx, to, notifications.TemplateVerifyEmail, map[string]any{"URL": url, "ExpiresInHours": ceilUnits(expiresIn, time.Hour)})
}

func (e iamEmails) PasswordReset(ctx context.Context, to iam.Recipient, url string, expiresIn time.Duration) error {
	return e.send(ctx, to, notifications.TemplatePasswordReset, map[string]any{"URL": url, "ExpiresInMinutes": ceilUnits(expiresIn, time.Minute)})
}

func (e iamEmails) SetPassword(ctx context.Context, to iam.Recipient, url string, expiresIn time.Duration) error {
	return e.send(ctx, to, templateSetPassword, map[string]any{"URL": url, "ExpiresInHours": ceilUnits(expiresIn, time.Hour)})
}

func (e iamEmails) PasswordChanged(ctx context.Context, to iam.Recipient, at time.Time) error {
	return e.send(ctx, to, notifications.TemplatePasswordChanged, map[string]any{"Time": at})
}

// ceilUnits is d in whole units, rounded up (1 h in minutes is 60).
func ceilUnits(d, unit time.Duration) int {
	return int(math.Ceil(float64(d) / float64(unit)))
}

// subscribeIAMEmails connects iam's events to notifications, in the
// publisher's transaction: a user who verified their email gets the welcome
// email, and a deleted user's in-app notifications go with the account.
func subscribeIAMEmails(d Deps, b builtins) {
	home := ""
	switch {
	case len(d.Config.Server.WebOrigins) > 0:
		home = d.Config.Server.WebOrigins[0] // the front end, when there is one
	case d.Config.Server.URL != nil:
		home = d.Config.Server.URL.String()
	}
	eventbus.Subscribe(d.Bus, "app", func(ctx context.Context, e iam.SessionRevoked) error {
		return b.notifications.SessionsEnded(ctx, e.UserID)
	})
	eventbus.Subscribe(d.Bus, "app", func(ctx context.Context, e iam.UserDeleted) error {
		_, err := b.notifications.DeleteUserNotifications(ctx, e.UserID)
		return err
	})
	eventbus.Subscribe(d.Bus, "app", func(ctx context.Context, e iam.UserEmailVerified) error {
		u, err := b.iam.User(ctx, e.UserID)
		if errors.Is(err, iam.ErrUserNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("welcome email: %w", err)
		}
		_, err = b.notifications.SendEmail(ctx, notifications.EmailRequest{
			To: u.Email, Locale: u.Locale, Template: notifications.TemplateWelcome,
			Data: map[string]any{"Name": u.Name, "URL": home},
		})
		return err
	})
}
