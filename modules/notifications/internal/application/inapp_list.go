package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
)

// Page limits of List.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// ListQuery selects a page of a user's notifications.
type ListQuery struct {
	// Before continues a listing after the notification with this ID (the
	// last one of the previous page); zero starts at the newest.
	Before NotificationID
	// Limit is the page size, 1 to MaxPageSize (0: DefaultPageSize).
	Limit int
	// UnreadOnly leaves read notifications out.
	UnreadOnly bool
}

// Page is one page of notifications, newest first.
type Page struct {
	Items []Notification
	// Next is the ID to pass as Before for the next page; zero on the last.
	Next NotificationID
}

// List returns a page of the user's notifications, newest first. Pages
// are keyed on the ID, so notifications created while a client pages
// through never shift the pages it has yet to read.
func (s *InApp) List(ctx context.Context, user kernel.UserID, q ListQuery) (Page, error) {
	if q.Limit == 0 {
		q.Limit = DefaultPageSize
	}
	if q.Limit < 1 || q.Limit > MaxPageSize {
		return Page{}, kernel.Invalid("notifications.invalid_limit", fmt.Sprintf("The limit must be between 1 and %d.", MaxPageSize),
			kernel.FieldError{Field: "query.limit", Code: "out_of_range", Message: fmt.Sprintf("The limit must be between 1 and %d.", MaxPageSize)})
	}
	items, err := s.store.List(ctx, user, q.Before, q.Limit+1, q.UnreadOnly)
	if err != nil {
		return Page{}, fmt.Errorf("list notifications: %w", err)
	}
	page := Page{Items: items}
	if len(items) > q.Limit {
		page.Items = items[:q.Limit]
		page.Next = page.Items[q.Limit-1].ID
	}
	if page.Items == nil {
		page.Items = []Notification{}
	}
	return page, nil
}

// Get returns the user's notification id, or ErrNotFound.
func (s *InApp) Get(ctx context.Context, user kernel.UserID, id NotificationID) (Notification, error) {
	n, err := s.store.Get(ctx, user, id)
	if err != nil {
		return Notification{}, fmt.Errorf("get notification: %w", err)
	}
	return n, nil
}

// Since returns the newest limit (at most MaxPageSize) of the user's
// notifications created after the one with ID after, oldest first: what a
// reconnecting stream missed.
func (s *InApp) Since(ctx context.Context, user kernel.UserID, after NotificationID, limit int) ([]Notification, error) {
	limit = min(max(limit, 1), MaxPageSize)
	items, err := s.store.After(ctx, user, after, limit)
	if err != nil {
		return nil, fmt.Errorf("notifications since %s: %w", after, err)
	}
	return items, nil
}

// UnreadCount counts the user's unread notifications.
func (s *InApp) UnreadCount(ctx context.Context, user kernel.UserID) (int, error) {
	n, err := s.store.CountUnread(ctx, user)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}
