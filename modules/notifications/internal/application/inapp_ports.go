package application

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// NotificationStore keeps in-app notifications. Every method is scoped to
// one user: a notification of another user is ErrNotFound, never visible.
// Methods run in the transaction ctx carries, if any.
type NotificationStore interface {
	// Insert stores a new notification.
	Insert(ctx context.Context, n Notification) error
	// Get returns the user's notification id, or ErrNotFound.
	Get(ctx context.Context, user kernel.UserID, id NotificationID) (Notification, error)
	// List returns up to limit of the user's notifications with IDs below
	// before (all when before is zero), newest first, only unread ones when
	// unreadOnly.
	List(ctx context.Context, user kernel.UserID, before NotificationID, limit int, unreadOnly bool) ([]Notification, error)
	// After returns the newest limit of the user's notifications with IDs
	// above after (all when after is zero), oldest first.
	After(ctx context.Context, user kernel.UserID, after NotificationID, limit int) ([]Notification, error)
	// MarkRead sets read_at to at unless it is set already, and returns the
	// notification; ErrNotFound if the user has no such notification.
	MarkRead(ctx context.Context, user kernel.UserID, id NotificationID, at time.Time) (Notification, error)
	// MarkAllRead marks every unread notification of the user read at at
	// and returns how many it marked.
	MarkAllRead(ctx context.Context, user kernel.UserID, at time.Time) (int, error)
	// CountUnread counts the user's unread notifications.
	CountUnread(ctx context.Context, user kernel.UserID) (int, error)
	// DeleteAllForUser removes every notification of the user and returns
	// how many it removed.
	DeleteAllForUser(ctx context.Context, user kernel.UserID) (int, error)
}

// LiveAnnouncer tells open streams about a new notification. Announce is
// called inside the creating transaction and must arrange for the
// announcement to go out only if that transaction commits.
type LiveAnnouncer interface {
	Announce(ctx context.Context, user kernel.UserID, id NotificationID) error
}

// CreatedPublisher publishes the module's notification-created event inside
// the creating transaction; its error rolls the creation back.
type CreatedPublisher interface {
	NotificationCreated(ctx context.Context, n Notification) error
}
