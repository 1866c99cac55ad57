package app

import (
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/notifications"
)

// builtins are Groundwork's own modules, built in dependency order, and the
// cross-module listeners that connect them.
type builtins struct {
	notifications *notifications.Module
	iam           *iam.Module
}

func newBuiltins(d Deps, o options) (builtins, []Module, error) {
	var b builtins
	var err error
	b.notifications, err = notifications.New(notifications.Deps{
		DB: d.DB, Bus: d.Bus, Jobs: d.Jobs, Clock: d.Clock, Logger: d.Logger,
		Email: d.Config.Email, ServerURL: d.Config.Server.URL, DataDir: d.Config.Database.DataDir,
		Sender: o.emailSender,
	})
	if err != nil {
		return b, nil, err
	}
	emails, err := newIAMEmails(b.notifications)
	if err != nil {
		return b, nil, err
	}
	b.iam, err = iam.New(iam.Deps{
		DB: d.DB, Bus: d.Bus, Clock: d.Clock, Logger: d.Logger,
		Config: iam.Config{
			Auth:       d.Config.Auth,
			ServerURL:  d.Config.Server.URL,
			WebOrigins: d.Config.Server.WebOrigins,
			Secure:     d.Config.Server.Secure(),
		},
		Emails: emails,
	})
	if err != nil {
		return b, nil, err
	}
	subscribeIAMEmails(d, b)
	return b, []Module{b.notifications, b.iam}, nil
}

// Notifications returns the notifications module, for products that send
// their own emails or in-app notifications.
func (a *App) Notifications() *notifications.Module { return a.builtins.notifications }

// IAM returns the identity module, for products that look users up or
// require a signed-in user.
func (a *App) IAM() *iam.Module { return a.builtins.iam }
