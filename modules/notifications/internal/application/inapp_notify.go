package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
)

// Notify validates and stores a notification for n.UserID, publishes the
// created event and announces it to the user's open streams, all in the
// transaction ctx carries (or one of its own): if that transaction rolls
// back, nothing is stored, published or pushed. It returns an Invalid error
// with field errors for bad input.
func (s *InApp) Notify(ctx context.Context, in NewNotification) (Notification, error) {
	in, err := in.validate()
	if err != nil {
		return Notification{}, err
	}
	var n Notification
	err = s.uow.Tx(ctx, func(ctx context.Context) error {
		// The ID is minted inside the transaction: on SQLite, whose writes
		// are serialized, ID order is then commit order, which the stream's
		// Last-Event-ID replay relies on.
		n = Notification{
			ID:             kernel.NewID[NotificationKind](),
			UserID:         in.UserID,
			OrganizationID: in.OrganizationID,
			Type:           in.Type,
			Title:          in.Title,
			Body:           in.Body,
			Link:           in.Link,
			Data:           in.Data,
			CreatedAt:      s.clock.Now().UTC(),
		}
		if err := s.store.Insert(ctx, n); err != nil {
			return err
		}
		if s.events != nil {
			if err := s.events.NotificationCreated(ctx, n); err != nil {
				return err
			}
		}
		return s.live.Announce(ctx, n.UserID, n.ID)
	})
	if err != nil {
		return Notification{}, fmt.Errorf("notify: %w", err)
	}
	return n, nil
}
