package notifications

import (
	"context"
	"errors"
	"fmt"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/stream"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/web"
)

// NotificationKind is the ID kind of in-app notifications ("ntf").
type NotificationKind = application.NotificationKind

// NotificationID identifies an in-app notification ("ntf_…", UUIDv7).
type NotificationID = application.NotificationID

// Notification is an in-app notification as its recipient sees it; its
// JSON form is the one /api/notifications and the stream send. Data
// numbers read back as json.Number.
type Notification = application.Notification

// NewNotification is an in-app notification to create with Notify: the
// recipient, the type, title, body, optional link, organization and data.
type NewNotification = application.NewNotification

// Notify creates an in-app notification for n.UserID. It runs in the
// transaction ctx carries, or in one of its own: the row, the
// NotificationCreated event (its handlers run in that transaction) and the
// push to the user's open streams all happen only if that transaction
// commits. It returns a kernel Invalid error (code
// "notifications.invalid_notification") with a field error per bad field,
// e.g. "body.title".
func (m *Module) Notify(ctx context.Context, n NewNotification) (Notification, error) {
	return m.inApp.svc.Notify(ctx, n)
}

// UnreadCount returns how many of user's notifications are unread, reading
// in the transaction ctx carries, if any.
func (m *Module) UnreadCount(ctx context.Context, user kernel.UserID) (int, error) {
	return m.inApp.svc.UnreadCount(ctx, user)
}

// DeleteUserNotifications removes every in-app notification of user, in
// the transaction ctx carries; the composition root calls it when an
// account is deleted.
func (m *Module) DeleteUserNotifications(ctx context.Context, user kernel.UserID) (int, error) {
	return m.inApp.svc.DeleteAllForUser(ctx, user)
}

// inApp wires the in-app notifications: store, live hub, use cases, routes.
type inApp struct {
	hub      *stream.Hub
	listener *stream.Listener // PostgreSQL only
	svc      *application.InApp
	http     *httpapi.Handler
}

func newInApp(d Deps) (*inApp, error) {
	if d.DB == nil {
		return nil, errors.New("in-app notifications: no database")
	}
	p := &inApp{hub: stream.NewHub(stream.DefaultBuffer)}
	var events application.CreatedPublisher
	if d.Bus != nil {
		events = busEvents{d.Bus}
	}
	p.svc = application.NewInApp(application.InAppDeps{
		UoW:    d.DB,
		Store:  sqlstore.New(d.DB),
		Live:   stream.NewAnnouncer(d.DB, p.hub),
		Events: events,
		Clock:  d.Clock,
	})
	if d.DB.Dialect() == db.Postgres {
		p.listener = stream.NewListener(d.DB.PgxPool(), p.hub, d.Logger)
	}
	p.http = httpapi.New(p.svc, p.hub)
	d.DB.Subscribe(streamsTopic, func(payload string, lost bool) {
		if lost {
			p.http.RecheckAllStreams()
			return
		}
		if user, err := kernel.ParseID[kernel.UserKind](payload); err == nil {
			p.http.RecheckStreams(user)
		}
	})
	return p, nil
}

// streamsTopic is the database notification topic whose payload is the ID
// of a user whose sessions ended: every process has that user's open
// streams re-check their session at once.
const streamsTopic = "notifications.sessions_ended"

// sessionsEnded tells every process, when the transaction in ctx commits,
// that sessions of user ended.
func (p *inApp) sessionsEnded(ctx context.Context, db *db.DB, user kernel.UserID) error {
	if err := db.Notify(ctx, streamsTopic, user.String()); err != nil {
		return fmt.Errorf("end notification streams: %w", err)
	}
	return nil
}

func (p *inApp) migrations() db.Migrations { return sqlstore.Migrations() }

func (p *inApp) routes(r *web.Router) { p.http.Register(r) }

// start starts the PostgreSQL listener; on SQLite announcements stay in
// process and there is nothing to start.
func (p *inApp) start(ctx context.Context) error {
	if p.listener == nil {
		return nil
	}
	if err := p.listener.Start(ctx); err != nil {
		return fmt.Errorf("in-app notifications: %w", err)
	}
	return nil
}

// stop ends every open stream and stops the listener.
func (p *inApp) stop(ctx context.Context) error {
	p.hub.Close()
	if p.listener == nil {
		return nil
	}
	return p.listener.Stop(ctx)
}

// busEvents publishes NotificationCreated on the event bus.
type busEvents struct{ bus *eventbus.Bus }

func (e busEvents) NotificationCreated(ctx context.Context, n application.Notification) error {
	return e.bus.Publish(ctx, NotificationCreated{ID: n.ID, UserID: n.UserID, OrganizationID: n.OrganizationID, Type: n.Type})
}
