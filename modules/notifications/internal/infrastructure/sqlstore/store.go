// Package sqlstore keeps in-app notifications in the notifications table,
// on SQLite or PostgreSQL, and embeds the table's migrations.
package sqlstore

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the notifications table's migrations for both
// dialects; the caller sets Module.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// Store is the NotificationStore over a database.
type Store struct {
	db *db.DB
}

var _ application.NotificationStore = (*Store)(nil)

// New returns a Store over d.
func New(d *db.DB) *Store { return &Store{db: d} }

const columns = `id, user_id, organization_id, type, title, body, link, data, read_at, created_at`

// Insert stores n. It runs in the transaction ctx carries, or on the writer.
func (s *Store) Insert(ctx context.Context, n application.Notification) error {
	var data any // NULL unless there is data
	if n.Data != nil {
		b, err := json.Marshal(n.Data)
		if err != nil {
			return fmt.Errorf("insert notification: encode data: %w", err)
		}
		data = string(b)
	}
	var link any
	if n.Link != "" {
		link = n.Link
	}
	_, err := db.Exec(ctx, s.db.QW(ctx), "insert notification", `INSERT INTO notifications (`+columns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		n.ID, n.UserID, n.OrganizationID, n.Type, n.Title, n.Body, link, data, n.ReadAt, n.CreatedAt)
	return err
}

// Get returns the user's notification id, or application.ErrNotFound.
func (s *Store) Get(ctx context.Context, user kernel.UserID, id application.NotificationID) (application.Notification, error) {
	row := s.db.Q(ctx).QueryRow(ctx, `SELECT `+columns+` FROM notifications WHERE user_id = $1 AND id = $2`, user, id)
	return scanOne(row)
}

// List returns up to limit of the user's notifications below before,
// newest first.
func (s *Store) List(ctx context.Context, user kernel.UserID, before application.NotificationID, limit int, unreadOnly bool) ([]application.Notification, error) {
	query := `SELECT ` + columns + ` FROM notifications WHERE user_id = $1`
	args := []any{user}
	if !before.IsZero() {
		args = append(args, before)
		query += fmt.Sprintf(` AND id < $%d`, len(args))
	}
	if unreadOnly {
		query += ` AND read_at IS NULL`
	}
	args = append(args, limit)
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	return s.query(ctx, query, args...)
}

// After returns the newest limit of the user's notifications above after
// (all when after is zero), oldest first.
func (s *Store) After(ctx context.Context, user kernel.UserID, after application.NotificationID, limit int) ([]application.Notification, error) {
	query := `SELECT ` + columns + ` FROM notifications WHERE user_id = $1`
	args := []any{user}
	if !after.IsZero() {
		args = append(args, after)
		query += fmt.Sprintf(` AND id > $%d`, len(args))
	}
	args = append(args, limit)
	query += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	items, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	return items, nil
}

// MarkRead sets read_at unless it is set, in one statement, and returns the
// row; application.ErrNotFound when the user has no such notification.
func (s *Store) MarkRead(ctx context.Context, user kernel.UserID, id application.NotificationID, at time.Time) (application.Notification, error) {
	row := s.db.QW(ctx).QueryRow(ctx, `UPDATE notifications SET read_at = COALESCE(read_at, $3)
		WHERE user_id = $1 AND id = $2 RETURNING `+columns, user, id, at)
	return scanOne(row)
}

// MarkAllRead marks the user's unread notifications read at at.
func (s *Store) MarkAllRead(ctx context.Context, user kernel.UserID, at time.Time) (int, error) {
	return db.Exec(ctx, s.db.QW(ctx), "mark all notifications read", `UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`, user, at)
}

// DeleteAllForUser removes every notification of the user.
func (s *Store) DeleteAllForUser(ctx context.Context, user kernel.UserID) (int, error) {
	return db.Exec(ctx, s.db.QW(ctx), "delete notifications", `DELETE FROM notifications WHERE user_id = $1`, user)
}

// CountUnread counts the user's unread notifications.
func (s *Store) CountUnread(ctx context.Context, user kernel.UserID) (int, error) {
	var n int
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, user).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

func (s *Store) query(ctx context.Context, query string, args ...any) ([]application.Notification, error) {
	return db.QueryAll(ctx, s.db.Q(ctx), scan, "list notifications", query, args...)
}

func scanOne(row db.Row) (application.Notification, error) {
	n, err := scan(row)
	if errors.Is(err, db.ErrNoRows) {
		return application.Notification{}, application.ErrNotFound.WithCause(err)
	}
	return n, err
}

func scan(row db.Row) (application.Notification, error) {
	var (
		n    application.Notification
		link *string
		data []byte
	)
	if err := row.Scan(&n.ID, &n.UserID, &n.OrganizationID, &n.Type, &n.Title, &n.Body, &link, &data, &n.ReadAt, &n.CreatedAt); err != nil {
		if errors.Is(err, db.ErrNoRows) {
			return n, err
		}
		return n, fmt.Errorf("scan notification: %w", err)
	}
	if link != nil {
		n.Link = *link
	}
	var err error
	if n.Data, err = application.DecodeData(data); err != nil {
		return n, err
	}
	return n, nil
}
