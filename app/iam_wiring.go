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

// iamEmails is iam's Emails port over notifications: each email is a
// localized template rendered and enqueued in the caller's transaction.
type iamEmails struct{ n *notifications.Module }

var _ iam.Emails = iamEmails{}

// newIAMEmails returns the port.
func newIAMEmails(n *notifications.Module) (iamEmails, error) {
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
