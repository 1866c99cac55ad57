package app

import (
	"github.com/groundworkhq/groundwork/modules/notifications"
)

// builtins are Groundwork's own modules, built in dependency order, and the
// cross-module listeners that connect them.
type builtins struct {
	notifications *notifications.Module
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
	return b, []Module{b.notifications}, nil
}

// Notifications returns the notifications module, for products that send
// their own emails or in-app notifications.
func (a *App) Notifications() *notifications.Module { return a.builtins.notifications }
