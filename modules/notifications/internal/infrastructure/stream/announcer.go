package stream

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

// Channel is the PostgreSQL NOTIFY channel announcements travel on.
const Channel = "gw_notifications"

// payload is what travels on Channel: IDs only, well under NOTIFY's 8000
// byte limit.
type payload struct {
	UserID kernel.UserID              `json:"userId"`
	ID     application.NotificationID `json:"id"`
}

// Announcer raises an announcement once the creating transaction commits.
// On PostgreSQL it issues pg_notify inside that transaction — NOTIFY is
// transactional, so it is delivered on commit only, to every listening
// process including this one, whose Listener feeds the local hub. On SQLite
// (one process) it publishes to the hub from an after-commit hook.
type Announcer struct {
	db  *db.DB
	hub *Hub
}

var _ application.LiveAnnouncer = (*Announcer)(nil)

// NewAnnouncer returns an Announcer for d's dialect feeding hub.
func NewAnnouncer(d *db.DB, hub *Hub) *Announcer { return &Announcer{db: d, hub: hub} }

// Announce arranges for id to be announced to user's streams if and when
// the transaction in ctx commits (at once without one).
func (a *Announcer) Announce(ctx context.Context, user kernel.UserID, id application.NotificationID) error {
	if a.db.Dialect() != db.Postgres {
		db.AfterCommit(ctx, func(ctx context.Context) { a.hub.Publish(ctx, user, id) })
		return nil
	}
	b, err := json.Marshal(payload{UserID: user, ID: id})
	if err != nil {
		return fmt.Errorf("announce notification: %w", err)
	}
	_, err = db.Exec(ctx, a.db.Q(ctx), "announce notification", `SELECT pg_notify($1, $2)`, Channel, string(b))
	return err
}
