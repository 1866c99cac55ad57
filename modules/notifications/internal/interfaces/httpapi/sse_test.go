package httpapi_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/stream"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/testkit/testdb"
	"github.com/groundworkhq/groundwork/web"
)

const waitFor = 30 * time.Second

// setup serves the routes over a migrated SQLite database, signing every
// request in as user; the hub is returned to watch its subscribers.
func setup(t *testing.T, user kernel.UserID, heartbeat time.Duration) (*httptest.Server, *stream.Hub) {
	t.Helper()
	return setupWith(t, kernel.Principal{UserID: user}, nil, func(h *httpapi.Handler) { h.Heartbeat = heartbeat })
}

// setupWith is setup for principal, whose session is live while live
// holds true (nil: always), with the handler configured by configure.
func setupWith(t *testing.T, principal kernel.Principal, live *atomic.Bool, configure func(*httpapi.Handler)) (*httptest.Server, *stream.Hub) {
	t.Helper()
	d := testdb.Open(t, db.SQLite)
	m := sqlstore.Migrations()
	m.Module = "notifications"
	set, err := d.GooseSet(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	hub := stream.NewHub(0)
	svc := application.NewInApp(application.InAppDeps{
		UoW: d, Store: sqlstore.New(d), Live: stream.NewAnnouncer(d, hub), Clock: kernel.SystemClock{},
	})
	r := web.NewRouter(web.Config{}, nil, nil)
	h := httpapi.New(svc, hub)
	configure(h)
	h.Register(r)
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			ctx := kernel.WithPrincipal(req.Context(), principal)
			if live != nil {
				ctx = kernel.WithSessionRecheck(ctx, func(context.Context) bool { return live.Load() })
			}
			next.ServeHTTP(w, req.WithContext(ctx))
		})
	})
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	return srv, hub
}

// TestStream_HeartbeatAndCleanup checks that an idle stream carries
// heartbeat comments and that a client going away removes its
// subscription.
func TestStream_HeartbeatAndCleanup(t *testing.T) {
	t.Parallel()
	user := kernel.NewID[kernel.UserKind]()
	srv, hub := setup(t, user, 10*time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/notifications/stream", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if n := hub.Subscribers(); n != 1 {
		t.Fatalf("Subscribers() = %d with a stream open, want 1", n)
	}

	lines := make(chan string)
	go func() {
		defer close(lines)
		r := bufio.NewReader(resp.Body)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			lines <- strings.TrimSuffix(line, "\n")
		}
	}()
	deadline := time.After(waitFor)
	for heartbeat := false; !heartbeat; {
		select {
		case line := <-lines:
			heartbeat = line == ": heartbeat"
		case <-deadline:
			t.Fatal("no heartbeat")
		}
	}

	cancel() // the client goes away
	testdb.Eventually(t, "the hub to drop the stream after the client left", func() bool { return hub.Subscribers() == 0 })
}
