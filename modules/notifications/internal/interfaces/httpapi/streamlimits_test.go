package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// open starts a stream and returns its response, the body still open.
func open(t *testing.T, ctx context.Context, srv *httptest.Server) *http.Response {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/notifications/stream", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// requireEnds fails unless the server ends the stream within waitFor.
func requireEnds(t *testing.T, resp *http.Response) {
	t.Helper()
	done := make(chan error, 1)
	go func() { _, err := io.Copy(io.Discard, resp.Body); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("stream broke instead of ending: %v", err)
		}
	case <-time.After(waitFor):
		t.Fatal("the stream is still open")
	}
}

func principal() kernel.Principal {
	return kernel.Principal{UserID: kernel.NewID[kernel.UserKind](), SessionID: kernel.NewID[kernel.SessionKind]()}
}

// TestStream_EndsWithItsSession: once the session is signed out, revoked,
// expired or its user deactivated, the open stream closes at the next
// re-check, and the subscription goes with it.
func TestStream_EndsWithItsSession(t *testing.T) {
	t.Parallel()
	var live atomic.Bool
	live.Store(true)
	srv, hub := setupWith(t, principal(), &live, func(h *httpapi.Handler) { h.Recheck = 20 * time.Millisecond })
	resp := open(t, context.Background(), srv)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	time.Sleep(100 * time.Millisecond) // several re-checks pass while live
	if hub.Subscribers() != 1 {
		t.Fatalf("the stream closed while its session was live")
	}
	live.Store(false)
	requireEnds(t, resp)
	testdb.Eventually(t, "the subscription ends with the stream", func() bool { return hub.Subscribers() == 0 })
}

// TestStream_HasAMaximumLifetime: a stream is closed after its lifetime;
// the client reconnects with Last-Event-ID.
func TestStream_HasAMaximumLifetime(t *testing.T) {
	t.Parallel()
	srv, _ := setupWith(t, principal(), nil, func(h *httpapi.Handler) { h.Lifetime = 50 * time.Millisecond })
	requireEnds(t, open(t, context.Background(), srv))
}

// TestStream_CappedPerSession: a session holds at most
// MaxStreamsPerSession streams; the next is 429 until one closes.
func TestStream_CappedPerSession(t *testing.T) {
	t.Parallel()
	srv, hub := setupWith(t, principal(), nil, func(*httpapi.Handler) {})
	cancels := make([]context.CancelFunc, httpapi.MaxStreamsPerSession)
	for i := range cancels {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		defer cancel()
		if resp := open(t, ctx, srv); resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d: status %d", i+1, resp.StatusCode)
		}
	}
	resp := open(t, context.Background(), srv)
	var p struct {
		Code string `json:"code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&p); resp.StatusCode != http.StatusTooManyRequests || err != nil || p.Code != "notifications.too_many_streams" {
		t.Fatalf("stream over the cap: %d %+v %v", resp.StatusCode, p, err)
	}
	cancels[0]()
	testdb.Eventually(t, "a closed stream gives its place back", func() bool { return hub.Subscribers() == httpapi.MaxStreamsPerSession-1 })
	if resp := open(t, context.Background(), srv); resp.StatusCode != http.StatusOK {
		t.Fatalf("after one closed: status %d", resp.StatusCode)
	}
}
