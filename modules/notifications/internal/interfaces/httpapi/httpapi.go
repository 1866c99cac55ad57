// Package httpapi is the HTTP surface of the in-app notifications:
// /api/notifications (list, unread count, mark read) as huma operations and
// /api/notifications/stream, a server-sent events stream.
package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/stream"
	"github.com/groundworkhq/groundwork/web"
)

const tag = "Notifications"

// DefaultHeartbeat is how often an idle stream sends a comment, so proxies
// and load balancers do not close it.
const DefaultHeartbeat = 25 * time.Second

// Handler serves the notifications routes for the signed-in user.
type Handler struct {
	svc *application.InApp
	hub *stream.Hub
	// Heartbeat is the idle stream's keep-alive interval (default
	// DefaultHeartbeat). Set it before Register.
	Heartbeat time.Duration
	// Recheck is how often an open stream re-checks its session (default
	// DefaultRecheck); Lifetime how long a stream may stay open (default
	// MaxStreamLifetime). Tests shorten them.
	Recheck, Lifetime time.Duration
	limits            *streamLimits
	rechecks          *rechecks
}

// New returns a Handler over the use cases and the live hub.
func New(svc *application.InApp, hub *stream.Hub) *Handler {
	return &Handler{svc: svc, hub: hub, Heartbeat: DefaultHeartbeat, limits: newStreamLimits(), rechecks: newRechecks()}
}

// Register mounts the routes on r.
func (h *Handler) Register(r *web.Router) {
	api := r.API()
	huma.Register(api, web.UserOp(api, "list-notifications", http.MethodGet, "/api/notifications", tag,
		"List your notifications",
		"Lists the signed-in user's notifications, newest first, a page at a time. Pass the nextCursor of one page as the cursor of the next; pages are unaffected by notifications created meanwhile.",
		http.StatusUnprocessableEntity), h.list)
	huma.Register(api, web.UserOp(api, "count-unread-notifications", http.MethodGet, "/api/notifications/unread-count", tag,
		"Count your unread notifications", ""), h.unreadCount)
	huma.Register(api, web.UserOp(api, "read-notification", http.MethodPost, "/api/notifications/{id}/read", tag,
		"Mark a notification read",
		"Marks one of the signed-in user's notifications read. Reading it again keeps the first read time.",
		http.StatusNotFound), h.read)
	huma.Register(api, web.UserOp(api, "read-all-notifications", http.MethodPost, "/api/notifications/read-all", tag,
		"Mark all your notifications read", ""), h.readAll)

	r.Handle("GET /api/notifications/stream", http.HandlerFunc(h.stream))
	documentStream(api)
}

// userOf is the signed-in user of an operation Register gates with
// web.RequireUser: the gate has answered 401 to anyone else.
func userOf(ctx context.Context) kernel.UserID {
	p, _ := kernel.PrincipalFrom(ctx)
	return p.UserID
}

// currentUser is the signed-in user of a plain handler, which no gate
// guards, or 401.
func currentUser(ctx context.Context) (kernel.UserID, error) {
	p, ok := kernel.PrincipalFrom(ctx)
	if !ok {
		return kernel.UserID{}, application.ErrUnauthenticated
	}
	return p.UserID, nil
}

type listInput struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Page size."`
	Cursor string `query:"cursor" maxLength:"200" doc:"The nextCursor of the previous page; omit for the first."`
	Unread bool   `query:"unread" doc:"Only unread notifications."`
}

func (h *Handler) list(ctx context.Context, in *listInput) (*web.CursorOutput[application.Notification], error) {
	user := userOf(ctx)
	before, err := decodeCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	page, err := h.svc.List(ctx, user, application.ListQuery{Before: before, Limit: in.Limit, UnreadOnly: in.Unread})
	next := ""
	if !page.Next.IsZero() {
		next = encodeCursor(page.Next)
	}
	return web.ReplyPage(page.Items, next, err, func(n application.Notification) application.Notification { return n })
}

// encodeCursor makes the last ID of a page opaque, so clients do not come
// to rely on its form.
func encodeCursor(id application.NotificationID) string { return web.EncodeCursor(id) }

func decodeCursor(s string) (application.NotificationID, error) {
	if s == "" {
		return application.NotificationID{}, nil
	}
	id, ok := web.DecodeCursor[application.NotificationKind](s)
	if !ok {
		return application.NotificationID{}, kernel.Invalid(application.CodeInvalidCursor, "The cursor is not valid; list again from the first page.",
			kernel.FieldError{Field: "query.cursor", Code: "invalid", Message: "The cursor is not one this API returned."})
	}
	return id, nil
}

// countOutputBody and readAllOutputBody are named as huma named their
// schemas when they were anonymous (CountOutputBody, ReadAllOutputBody).
type countOutputBody struct {
	Count int `json:"count" doc:"How many notifications are unread."`
}

type readAllOutputBody struct {
	Updated int `json:"updated" doc:"How many notifications were marked read."`
}

func (h *Handler) unreadCount(ctx context.Context, _ *struct{}) (*web.Output[countOutputBody], error) {
	n, err := h.svc.UnreadCount(ctx, userOf(ctx))
	return web.Reply(n, err, func(n int) countOutputBody { return countOutputBody{Count: n} })
}

type readInput struct {
	ID string `path:"id" doc:"The notification's ID."`
}

func (h *Handler) read(ctx context.Context, in *readInput) (*web.Output[application.Notification], error) {
	id, err := kernel.ParseIDOr[application.NotificationKind](in.ID, application.ErrNotFound)
	if err != nil {
		return nil, err
	}
	n, err := h.svc.MarkRead(ctx, userOf(ctx), id)
	if err != nil {
		return nil, err
	}
	return &web.Output[application.Notification]{Body: n}, nil
}

func (h *Handler) readAll(ctx context.Context, _ *struct{}) (*web.Output[readAllOutputBody], error) {
	n, err := h.svc.MarkAllRead(ctx, userOf(ctx))
	return web.Reply(n, err, func(n int) readAllOutputBody { return readAllOutputBody{Updated: n} })
}
