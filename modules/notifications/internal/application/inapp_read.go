package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
)

// MarkRead marks the user's notification id read and returns it. Reading a
// read notification again keeps its first read time. It returns
// ErrNotFound for an unknown ID or another user's notification.
func (s *InApp) MarkRead(ctx context.Context, user kernel.UserID, id NotificationID) (Notification, error) {
	n, err := s.store.MarkRead(ctx, user, id, s.clock.Now().UTC())
	if err != nil {
		return Notification{}, fmt.Errorf("mark notification read: %w", err)
	}
	return n, nil
}

// MarkAllRead marks every unread notification of the user read and returns
// how many it marked.
func (s *InApp) MarkAllRead(ctx context.Context, user kernel.UserID) (int, error) {
	n, err := s.store.MarkAllRead(ctx, user, s.clock.Now().UTC())
	if err != nil {
		return 0, fmt.Errorf("mark all notifications read: %w", err)
	}
	return n, nil
}

// DeleteAllForUser removes every notification of user (their account is
// gone), in the transaction ctx carries.
func (s *InApp) DeleteAllForUser(ctx context.Context, user kernel.UserID) (int, error) {
	return s.store.DeleteAllForUser(ctx, user)
}
