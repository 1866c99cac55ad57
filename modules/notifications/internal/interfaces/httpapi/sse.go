package httpapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// replayLimit caps what a reconnecting stream is sent from before it
// reconnected; the list endpoint has the rest.
const replayLimit = 100

// retryMillis is the reconnection delay the stream asks EventSource for.
const retryMillis = 5000

// stream serves the signed-in user's notifications as server-sent events:
// a retry hint and a comment, then what the client missed since
// Last-Event-ID (at most replayLimit, oldest first), then each new
// notification as it is created, with a heartbeat comment when idle. It
// ends when the client goes away, when the hub disconnects it (it fell
// behind, or the server stops) and on a database error mid-stream; the
// client then reconnects with Last-Event-ID and misses nothing.
func (h *Handler) stream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	user, err := currentUser(ctx)
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	if h.hub.Closed() {
		web.WriteProblem(w, r, kernel.Unavailable("notifications.stream_closed", "The server is shutting down; reconnect shortly."))
		return
	}
	// Subscribe before reading the replay, so nothing created in between is
	// lost; what both deliver is sent once.
	principal, _ := kernel.PrincipalFrom(ctx)
	release, err := h.limits.acquire(principal.SessionID, kernel.NetworkOf(web.ClientIP(ctx)))
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	events, cancel := h.hub.Subscribe(user)
	defer cancel()
	defer release() // before cancel: once the hub has let go, so has the cap
	recheckNow, forget := h.rechecks.register(user)
	defer forget()

	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a server WriteTimeout would cut the stream
	send := func(f func(io.Writer) error) bool {
		if err := f(w); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "retry: %d\n: connected\n\n", retryMillis)
		return err
	}) {
		return
	}

	replayed := map[application.NotificationID]struct{}{}
	// seenUpTo is the client's Last-Event-ID: what it had before it
	// reconnected. An announcement of one of those that reaches the hub
	// late (another process's, through the database) is not sent again.
	var seenUpTo [16]byte
	if last := r.Header.Get("Last-Event-ID"); last != "" {
		// A Last-Event-ID that is not one of our IDs is ignored: the client
		// gets the live stream only.
		if after, err := kernel.ParseID[application.NotificationKind](last); err == nil {
			seenUpTo = after.UUID()
			missed, err := h.svc.Since(ctx, user, after, replayLimit)
			if err != nil {
				logStreamError(ctx, err)
				return
			}
			for _, n := range missed {
				if !send(func(w io.Writer) error { return writeEvent(w, n) }) {
					return
				}
				replayed[n.ID] = struct{}{}
			}
		}
	}

	heartbeat := time.NewTicker(h.heartbeat())
	defer heartbeat.Stop()
	recheck := time.NewTicker(cmp.Or(h.Recheck, DefaultRecheck))
	defer recheck.Stop()
	lifetime := time.NewTimer(cmp.Or(h.Lifetime, MaxStreamLifetime))
	defer lifetime.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-lifetime.C:
			// The client reconnects with Last-Event-ID and misses nothing.
			return
		case <-recheck.C:
			if !kernel.SessionStillLive(ctx) {
				return
			}
		case <-recheckNow:
			// The user's sessions ended somewhere: is this one of them?
			if !kernel.SessionStillLive(ctx) {
				return
			}
		case <-heartbeat.C:
			if !send(func(w io.Writer) error { _, err := io.WriteString(w, ": heartbeat\n\n"); return err }) {
				return
			}
		case ev, ok := <-events:
			if !ok {
				return
			}
			if _, dup := replayed[ev.NotificationID]; dup {
				continue
			}
			if id := ev.NotificationID.UUID(); bytes.Compare(id[:], seenUpTo[:]) <= 0 {
				continue // IDs are minted in time order: the client has it
			}
			n, err := h.svc.Get(ctx, user, ev.NotificationID)
			if errors.Is(err, application.ErrNotFound) {
				continue // gone since it was announced
			}
			if err != nil {
				if ctx.Err() == nil {
					logStreamError(ctx, err)
				}
				return
			}
			if !send(func(w io.Writer) error { return writeEvent(w, n) }) {
				return
			}
		}
	}
}

func (h *Handler) heartbeat() time.Duration {
	if h.Heartbeat <= 0 {
		return DefaultHeartbeat
	}
	return h.Heartbeat
}

// writeEvent writes n as one event. JSON holds no raw newline, so the
// data fits on one line.
func writeEvent(w io.Writer, n application.Notification) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: notification\nid: %s\ndata: %s\n\n", n.ID, b)
	return err
}

func logStreamError(ctx context.Context, err error) {
	web.Logger(ctx).ErrorContext(ctx, "notification stream ended on an error", "error", err.Error())
}

// documentStream adds the stream, which huma does not serve, to the OpenAPI
// document.
func documentStream(api huma.API) {
	problem := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[web.Problem](), true, "")
	api.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "stream-notifications",
		Method:      http.MethodGet,
		Path:        "/api/notifications/stream",
		Summary:     "Stream your new notifications",
		Description: "Server-sent events: each new notification of the signed-in user as an event named " +
			"\"notification\" whose id is the notification's ID and whose data is the notification as JSON. " +
			"Idle streams carry a comment every 25 seconds. A reconnecting client that sends Last-Event-ID " +
			"first receives what it missed (at most 100 notifications, oldest first).",
		Tags: []string{tag},
		Parameters: []*huma.Param{{
			Name: "Last-Event-ID", In: "header",
			Description: "The id of the last event received; sent by EventSource when it reconnects.",
			Schema:      &huma.Schema{Type: huma.TypeString},
		}},
		Responses: map[string]*huma.Response{
			"200": {
				Description: "An event stream.",
				Content:     map[string]*huma.MediaType{"text/event-stream": {Schema: &huma.Schema{Type: huma.TypeString}}},
			},
			"401": {
				Description: "Not signed in.",
				Content:     map[string]*huma.MediaType{"application/problem+json": {Schema: problem}},
			},
		},
	})
}
