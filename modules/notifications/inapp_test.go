package notifications_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/app"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications"
	"github.com/groundworkhq/groundwork/testkit"
)

// waitFor bounds every wait for something asynchronous.
const waitFor = 30 * time.Second

// run runs fn on each dialect against an app with the notifications module.
func run(t *testing.T, fn func(t *testing.T, a *testkit.App, m *notifications.Module)) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		fn(t, a, a.Notifications())
	})
}

func newUser() kernel.UserID { return kernel.NewID[kernel.UserKind]() }

// notificationJSON is a notification as the API writes it.
type notificationJSON struct {
	ID             string         `json:"id"`
	UserID         string         `json:"userId"`
	OrganizationID string         `json:"organizationId"`
	Type           string         `json:"type"`
	Title          string         `json:"title"`
	Body           string         `json:"body"`
	Link           string         `json:"link"`
	Data           map[string]any `json:"data"`
	ReadAt         *time.Time     `json:"readAt"`
	CreatedAt      time.Time      `json:"createdAt"`
}

type listJSON struct {
	Items      []notificationJSON `json:"items"`
	NextCursor *string            `json:"nextCursor"`
}

func notify(t *testing.T, m *notifications.Module, user kernel.UserID, title string) notifications.Notification {
	t.Helper()
	n, err := m.Notify(context.Background(), notifications.NewNotification{UserID: user, Type: "test.note", Title: title})
	if err != nil {
		t.Fatalf("Notify(%q): %v", title, err)
	}
	return n
}

// requireSame compares a notification the API wrote with the one Notify
// returned, field by field.
func requireSame(t *testing.T, got notificationJSON, want notifications.Notification) {
	t.Helper()
	wantData := map[string]any(nil)
	if want.Data != nil {
		b, _ := json.Marshal(want.Data)
		_ = json.Unmarshal(b, &wantData)
	}
	gotData, _ := json.Marshal(got.Data)
	wantDataJSON, _ := json.Marshal(wantData)
	switch {
	case got.ID != want.ID.String(), got.UserID != want.UserID.String(),
		got.OrganizationID != want.OrganizationID.String(), got.Type != want.Type,
		got.Title != want.Title, got.Body != want.Body, got.Link != want.Link,
		string(gotData) != string(wantDataJSON), !got.CreatedAt.Equal(want.CreatedAt),
		(got.ReadAt == nil) != (want.ReadAt == nil),
		got.ReadAt != nil && !got.ReadAt.Equal(*want.ReadAt):
		t.Fatalf("notification = %+v\nwant %+v", got, want)
	}
}

func TestNotify_ThenList(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		user := newUser()
		org := kernel.NewID[kernel.OrganizationKind]()
		created, err := m.Notify(context.Background(), notifications.NewNotification{
			UserID: user, OrganizationID: org, Type: "billing.payment_failed",
			Title: "  Your payment failed  ", Body: "Update your card.", Link: "/settings/billing",
			Data: map[string]any{"invoice": "in_123", "amount": 4200, "retry": true},
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(created.ID.String(), "ntf_") || created.Title != "Your payment failed" ||
			!created.CreatedAt.Equal(a.Clock.Now()) || created.ReadAt != nil {
			t.Fatalf("created = %+v", created)
		}
		if amount, ok := created.Data["amount"].(json.Number); !ok || amount.String() != "4200" {
			t.Errorf("Data[amount] = %#v, want json.Number 4200", created.Data["amount"])
		}

		c := a.Client().As(user)
		res := c.Get("/api/notifications").RequireStatus(t, http.StatusOK)
		var page listJSON
		res.JSON(t, &page)
		if len(page.Items) != 1 || page.NextCursor != nil {
			t.Fatalf("page = %+v, want the one notification and no cursor", page)
		}
		requireSame(t, page.Items[0], created)

		// Times are RFC 3339 in UTC; absent optional fields are left out.
		var raw struct {
			Items []map[string]any `json:"items"`
		}
		res.JSON(t, &raw)
		if s, _ := raw.Items[0]["createdAt"].(string); !strings.HasSuffix(s, "Z") {
			t.Errorf("createdAt = %q, want RFC 3339 UTC", s)
		}
		if _, ok := raw.Items[0]["readAt"]; ok {
			t.Errorf("an unread notification has readAt: %v", raw.Items[0])
		}

		if n, err := m.UnreadCount(context.Background(), user); err != nil || n != 1 {
			t.Errorf("UnreadCount = %d, %v; want 1", n, err)
		}
	})
}

func TestList_PaginatesNewestFirstWithAStableCursor(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		user := newUser()
		notify(t, m, newUser(), "someone else's") // never listed for user
		var created []notifications.Notification
		for i := range 25 {
			a.Clock.Advance(time.Second)
			created = append(created, notify(t, m, user, fmt.Sprintf("n%02d", i)))
		}
		c := a.Client().As(user)

		var seen []string
		cursor := ""
		for pageNo := 0; ; pageNo++ {
			path := "/api/notifications?limit=10"
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			var page listJSON
			c.Get(path).RequireStatus(t, http.StatusOK).JSON(t, &page)
			wantLen := []int{10, 10, 5}[pageNo]
			if len(page.Items) != wantLen {
				t.Fatalf("page %d has %d items, want %d", pageNo, len(page.Items), wantLen)
			}
			for _, it := range page.Items {
				seen = append(seen, it.Title)
			}
			if pageNo == 0 {
				// A notification created mid-pagination is newer than the
				// cursor: the pages still to come are unaffected.
				a.Clock.Advance(time.Second)
				notify(t, m, user, "late")
			}
			if page.NextCursor == nil {
				if pageNo != 2 {
					t.Fatalf("no cursor after page %d", pageNo)
				}
				break
			}
			cursor = *page.NextCursor
		}
		if len(seen) != 25 {
			t.Fatalf("saw %d notifications, want 25: %v", len(seen), seen)
		}
		for i, title := range seen {
			if want := created[24-i].Title; title != want {
				t.Fatalf("item %d is %q, want %q (newest first, no duplicates): %v", i, title, want, seen)
			}
		}

		var first listJSON
		c.Get("/api/notifications?limit=1").RequireStatus(t, http.StatusOK).JSON(t, &first)
		if len(first.Items) != 1 || first.Items[0].Title != "late" || first.NextCursor == nil {
			t.Fatalf("first page now = %+v, want the late one and a cursor", first)
		}
		var all listJSON
		c.Get("/api/notifications").RequireStatus(t, http.StatusOK).JSON(t, &all)
		if len(all.Items) != 20 || all.NextCursor == nil {
			t.Errorf("default page has %d items (cursor %v), want 20 and a cursor", len(all.Items), all.NextCursor)
		}
	})
}

func TestOpenAPI_DocumentsEveryRoute(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		var doc struct {
			Paths map[string]map[string]struct {
				Tags      []string       `json:"tags"`
				Responses map[string]any `json:"responses"`
			} `json:"paths"`
		}
		a.Client().Get("/api/openapi.json").RequireStatus(t, http.StatusOK).JSON(t, &doc)
		for _, r := range []struct{ method, path string }{
			{"get", "/api/notifications"},
			{"get", "/api/notifications/unread-count"},
			{"post", "/api/notifications/{id}/read"},
			{"post", "/api/notifications/read-all"},
			{"get", "/api/notifications/stream"},
		} {
			op, ok := doc.Paths[r.path][r.method]
			if !ok || len(op.Tags) != 1 || op.Tags[0] != "Notifications" || op.Responses["200"] == nil {
				t.Errorf("%s %s: %+v (documented %v)", r.method, r.path, op, ok)
			}
		}
	})
}

func TestReadUnreadAndReadAll(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		user, other := newUser(), newUser()
		n1 := notify(t, m, user, "one")
		n2 := notify(t, m, user, "two")
		notify(t, m, user, "three")
		notify(t, m, other, "other's")
		c := a.Client().As(user)

		requireCount := func(want int) {
			t.Helper()
			var got struct {
				Count *int `json:"count"`
			}
			c.Get("/api/notifications/unread-count").RequireStatus(t, http.StatusOK).JSON(t, &got)
			if got.Count == nil || *got.Count != want {
				t.Fatalf("unread count = %v, want %d", got.Count, want)
			}
		}
		requireCount(3)

		readAt := a.Clock.Advance(time.Minute)
		var read notificationJSON
		c.Post("/api/notifications/"+n1.ID.String()+"/read", nil).RequireStatus(t, http.StatusOK).JSON(t, &read)
		want := n1
		want.ReadAt = &readAt
		requireSame(t, read, want)

		// Reading again keeps the first read time.
		a.Clock.Advance(time.Hour)
		var again notificationJSON
		c.Post("/api/notifications/"+n1.ID.String()+"/read", nil).RequireStatus(t, http.StatusOK).JSON(t, &again)
		requireSame(t, again, want)
		requireCount(2)

		var unread listJSON
		c.Get("/api/notifications?unread=true").RequireStatus(t, http.StatusOK).JSON(t, &unread)
		if len(unread.Items) != 2 || unread.Items[0].Title != "three" || unread.Items[1].ID != n2.ID.String() {
			t.Fatalf("unread = %+v, want three and two", unread.Items)
		}
		var page listJSON
		c.Get("/api/notifications?unread=true&limit=1").RequireStatus(t, http.StatusOK).JSON(t, &page)
		var page2 listJSON // a fresh value: decoding leaves absent fields alone
		c.Get("/api/notifications?unread=true&limit=1&cursor="+*page.NextCursor).RequireStatus(t, http.StatusOK).JSON(t, &page2)
		if len(page2.Items) != 1 || page2.Items[0].ID != n2.ID.String() || page2.NextCursor != nil {
			t.Fatalf("second unread page = %+v, want two and no cursor", page2)
		}

		allReadAt := a.Clock.Advance(time.Minute)
		var updated struct {
			Updated *int `json:"updated"`
		}
		c.Post("/api/notifications/read-all", nil).RequireStatus(t, http.StatusOK).JSON(t, &updated)
		if updated.Updated == nil || *updated.Updated != 2 {
			t.Fatalf("read-all updated %v, want 2", updated.Updated)
		}
		c.Post("/api/notifications/read-all", nil).RequireStatus(t, http.StatusOK).JSON(t, &updated)
		if *updated.Updated != 0 {
			t.Fatalf("second read-all updated %d, want 0", *updated.Updated)
		}
		requireCount(0)
		var all listJSON
		c.Get("/api/notifications").RequireStatus(t, http.StatusOK).JSON(t, &all)
		for _, it := range all.Items {
			wantAt := allReadAt
			if it.ID == n1.ID.String() {
				wantAt = readAt
			}
			if it.ReadAt == nil || !it.ReadAt.Equal(wantAt) {
				t.Errorf("%s readAt = %v, want %v", it.Title, it.ReadAt, wantAt)
			}
		}
		var none listJSON
		c.Get("/api/notifications?unread=true").RequireStatus(t, http.StatusOK).JSON(t, &none)
		if none.Items == nil || len(none.Items) != 0 {
			t.Errorf("unread items = %#v, want an empty list", none.Items)
		}

		// The other user's notification was untouched.
		if n, err := m.UnreadCount(context.Background(), other); err != nil || n != 1 {
			t.Errorf("other's UnreadCount = %d, %v; want 1", n, err)
		}
	})
}

func TestNotFound_NoEnumeration(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		user, other := newUser(), newUser()
		theirs := notify(t, m, other, "private")
		c := a.Client().As(user)

		for _, id := range []string{
			theirs.ID.String(), // another user's
			kernel.NewID[notifications.NotificationKind]().String(), // unknown
			"nope", newUser().String(), "ntf_" + strings.Repeat("z", 26), // malformed
			"ntf_01" + strings.Repeat("0", 100),
		} {
			c.Post("/api/notifications/"+id+"/read", nil).RequireProblem(t, http.StatusNotFound, "notifications.not_found")
		}
		var page listJSON
		c.Get("/api/notifications").RequireStatus(t, http.StatusOK).JSON(t, &page)
		if len(page.Items) != 0 {
			t.Errorf("user sees %+v, want nothing", page.Items)
		}
		if n, err := m.UnreadCount(context.Background(), other); err != nil || n != 1 {
			t.Errorf("other's UnreadCount = %d, %v; want 1 (still unread)", n, err)
		}
	})
}

func TestList_InvalidQuery(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		c := a.Client().As(newUser())
		b64 := base64.RawURLEncoding.EncodeToString
		for _, cursor := range []string{"!!!", b64([]byte("hello")), b64([]byte(newUser().String())), "bnRm"} {
			p := c.Get("/api/notifications?cursor="+cursor).RequireProblem(t, http.StatusUnprocessableEntity, "notifications.invalid_cursor")
			if _, ok := p.Field("query.cursor"); !ok {
				t.Errorf("cursor %q: no query.cursor field error: %+v", cursor, p.Errors)
			}
		}
		for _, limit := range []string{"0", "101", "-1", "ten"} {
			p := c.Get("/api/notifications?limit="+limit).RequireProblem(t, http.StatusUnprocessableEntity, "http.validation")
			if _, ok := p.Field("query.limit"); !ok {
				t.Errorf("limit %q: no query.limit field error: %+v", limit, p.Errors)
			}
		}
		c.Get("/api/notifications?limit=100").RequireStatus(t, http.StatusOK)
	})
}

func TestUnauthenticated(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		n := notify(t, m, newUser(), "hello")
		c := a.Client()
		for _, r := range []struct{ method, path string }{
			{http.MethodGet, "/api/notifications"},
			{http.MethodGet, "/api/notifications?limit=0&cursor=!!!"}, // 401 before validation
			{http.MethodGet, "/api/notifications/unread-count"},
			{http.MethodPost, "/api/notifications/" + n.ID.String() + "/read"},
			{http.MethodPost, "/api/notifications/read-all"},
			{http.MethodGet, "/api/notifications/stream"},
		} {
			c.Do(r.method, r.path, nil).RequireProblem(t, http.StatusUnauthorized, "UNAUTHORIZED")
		}
	})
}

func TestNotify_Invalid(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		user := newUser()
		valid := notifications.NewNotification{UserID: user, Type: "x.y", Title: "T"}
		tests := []struct {
			name        string
			edit        func(n *notifications.NewNotification)
			field, code string
		}{
			{"no user", func(n *notifications.NewNotification) { n.UserID = kernel.UserID{} }, "body.userId", "required"},
			{"no type", func(n *notifications.NewNotification) { n.Type = "" }, "body.type", "required"},
			{"bad type", func(n *notifications.NewNotification) { n.Type = "Billing Failed" }, "body.type", "invalid"},
			{"long type", func(n *notifications.NewNotification) { n.Type = strings.Repeat("a", 65) }, "body.type", "too_long"},
			{"blank title", func(n *notifications.NewNotification) { n.Title = "   " }, "body.title", "required"},
			{"long title", func(n *notifications.NewNotification) { n.Title = strings.Repeat("é", 201) }, "body.title", "too_long"},
			{"long body", func(n *notifications.NewNotification) { n.Body = strings.Repeat("b", 2001) }, "body.body", "too_long"},
			{"javascript link", func(n *notifications.NewNotification) { n.Link = "javascript:alert(1)" }, "body.link", "invalid"},
			{"protocol-relative link", func(n *notifications.NewNotification) { n.Link = "//evil.example/x" }, "body.link", "invalid"},
			{"relative link", func(n *notifications.NewNotification) { n.Link = "settings" }, "body.link", "invalid"},
			{"ftp link", func(n *notifications.NewNotification) { n.Link = "ftp://example.com/f" }, "body.link", "invalid"},
			{"large data", func(n *notifications.NewNotification) {
				n.Data = map[string]any{"blob": strings.Repeat("x", 8<<10)}
			}, "body.data", "too_large"},
			{"unencodable data", func(n *notifications.NewNotification) { n.Data = map[string]any{"f": func() {}} }, "body.data", "invalid"},
		}
		for _, tt := range tests {
			n := valid
			tt.edit(&n)
			_, err := m.Notify(context.Background(), n)
			ke := kernel.AsError(err)
			if ke == nil || ke.Kind != kernel.KindInvalid || ke.Code != "notifications.invalid_notification" {
				t.Errorf("%s: Notify = %v, want an Invalid notifications.invalid_notification", tt.name, err)
				continue
			}
			if len(ke.Fields) != 1 || ke.Fields[0].Field != tt.field || ke.Fields[0].Code != tt.code || ke.Fields[0].Message == "" {
				t.Errorf("%s: fields = %+v, want one %s %s", tt.name, ke.Fields, tt.field, tt.code)
			}
		}

		// Every bad field is reported at once.
		_, err := m.Notify(context.Background(), notifications.NewNotification{})
		if ke := kernel.AsError(err); ke == nil || len(ke.Fields) != 3 {
			t.Errorf("empty notification: %v, want three field errors (userId, type, title)", err)
		}
		for _, link := range []string{"/billing?x=1#y", "https://example.com/a", "http://localhost:3000/"} {
			n := valid
			n.Link = link
			if _, err := m.Notify(context.Background(), n); err != nil {
				t.Errorf("link %q: %v", link, err)
			}
		}
		if n, _ := m.UnreadCount(context.Background(), user); n != 3 {
			t.Errorf("stored %d notifications, want only the 3 valid ones", n)
		}
	})
}

func TestNotify_PublishesAnEvent(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		var got []notifications.NotificationCreated
		var mu sync.Mutex
		eventbus.OnCommit(a.Bus(), func(_ context.Context, e notifications.NotificationCreated) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, e)
		})
		user, org := newUser(), kernel.NewID[kernel.OrganizationKind]()
		n, err := m.Notify(context.Background(), notifications.NewNotification{UserID: user, OrganizationID: org, Type: "a.b", Title: "T"})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		want := notifications.NotificationCreated{ID: n.ID, UserID: user, OrganizationID: org, Type: "a.b"}
		if len(got) != 1 || got[0] != want {
			t.Fatalf("events = %+v, want [%+v]", got, want)
		}
		if name := want.EventName(); name != "notifications.notification.created" {
			t.Errorf("EventName() = %q", name)
		}
	})
}

func TestNotify_RolledBackIsNeitherStoredNorPushed(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		var committedEvents atomic.Int64
		eventbus.OnCommit(a.Bus(), func(context.Context, notifications.NotificationCreated) { committedEvents.Add(1) })
		user := newUser()
		s := openStream(t, a.URL, user)

		errRollback := errors.New("the caller changed its mind")
		var rolledBack notifications.Notification
		err := a.DB().Tx(context.Background(), func(ctx context.Context) error {
			var err error
			if rolledBack, err = m.Notify(ctx, notifications.NewNotification{UserID: user, Type: "a.b", Title: "rolled back"}); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatalf("Tx = %v, want the caller's error", err)
		}
		committed := notify(t, m, user, "committed")

		// Pushes arrive in commit order: had the rolled-back one been pushed,
		// it would come first.
		if ev := s.next(t); ev.ID != committed.ID.String() {
			t.Fatalf("first event is %s, want the committed %s (rolled back: %s)", ev.ID, committed.ID, rolledBack.ID)
		}
		var page listJSON
		a.Client().As(user).Get("/api/notifications").RequireStatus(t, http.StatusOK).JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].ID != committed.ID.String() {
			t.Fatalf("stored = %+v, want only the committed one", page.Items)
		}
		if n := committedEvents.Load(); n != 1 {
			t.Errorf("%d created events committed, want 1", n)
		}
	})
}

func TestStream_DeliversNotificationsCreatedElsewhere(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		user := newUser()
		s := openStream(t, a.URL, user)
		if ct := s.resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Errorf("Content-Type = %q", ct)
		}
		if cc, xa := s.resp.Header.Get("Cache-Control"), s.resp.Header.Get("X-Accel-Buffering"); cc != "no-cache" || xa != "no" {
			t.Errorf("Cache-Control = %q, X-Accel-Buffering = %q", cc, xa)
		}

		created := make(chan notifications.Notification, 1)
		go func() {
			// Another user's notification first: it must not reach this stream.
			_, _ = m.Notify(context.Background(), notifications.NewNotification{UserID: newUser(), Type: "a.b", Title: "not yours"})
			n, err := m.Notify(context.Background(), notifications.NewNotification{
				UserID: user, Type: "billing.payment_failed", Title: "Payment failed", Body: "Line one\nline two",
				Link: "https://pay.example.com/retry", Data: map[string]any{"attempt": 2},
			})
			if err != nil {
				t.Error(err)
			}
			created <- n
		}()
		ev := s.next(t)
		n := <-created
		if ev.Event != "notification" || ev.ID != n.ID.String() {
			t.Fatalf("event %q id %q, want notification %s", ev.Event, ev.ID, n.ID)
		}
		var got notificationJSON
		if err := json.Unmarshal([]byte(ev.Data), &got); err != nil {
			t.Fatalf("data %q: %v", ev.Data, err)
		}
		requireSame(t, got, n)
	})
}

func TestStream_ReplaysAfterLastEventID(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		user := newUser()
		seen := notify(t, m, user, "seen")
		var missed []notifications.Notification
		for i := range 3 {
			missed = append(missed, notify(t, m, user, fmt.Sprintf("missed %d", i)))
		}
		s := openStream(t, a.URL, user, "Last-Event-ID", seen.ID.String())
		for _, want := range missed {
			if ev := s.next(t); ev.ID != want.ID.String() {
				t.Fatalf("replayed %s, want %s (oldest first)", ev.ID, want.ID)
			}
		}
		live := notify(t, m, user, "live")
		if ev := s.next(t); ev.ID != live.ID.String() {
			t.Fatalf("after the replay got %s, want the live %s", ev.ID, live.ID)
		}

		// An unknown Last-Event-ID is ignored: only live events.
		s2 := openStream(t, a.URL, user, "Last-Event-ID", "garbage")
		live2 := notify(t, m, user, "live 2")
		if ev := s2.next(t); ev.ID != live2.ID.String() {
			t.Fatalf("got %s, want the live %s", ev.ID, live2.ID)
		}
	})
}

func TestStream_ReplayIsCapped(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		user := newUser()
		seen := notify(t, m, user, "seen")
		var missed []notifications.Notification
		for i := range 102 {
			missed = append(missed, notify(t, m, user, fmt.Sprintf("missed %d", i)))
		}
		s := openStream(t, a.URL, user, "Last-Event-ID", seen.ID.String())
		// The newest 100, oldest first.
		for _, want := range missed[2:] {
			if ev := s.next(t); ev.ID != want.ID.String() {
				t.Fatalf("replayed %s (%s), want %s", ev.ID, ev.Data, want.ID)
			}
		}
		live := notify(t, m, user, "live")
		if ev := s.next(t); ev.ID != live.ID.String() {
			t.Fatalf("after the replay got %s, want the live %s", ev.ID, live.ID)
		}
	})
}

func TestStream_EndsWhenTheServerStops(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		user := newUser()
		s := openStream(t, a.URL, user)
		if err := a.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.requireEnd(t)
		a.Client().As(user).Get("/api/notifications/stream").RequireProblem(t, http.StatusServiceUnavailable, "notifications.stream_closed")
	})
}

// TestStream_AcrossInstances runs a second app on the same PostgreSQL
// database: a notification created through one instance reaches a stream
// open on the other.
func TestStream_AcrossInstances(t *testing.T) {
	run(t, func(t *testing.T, a *testkit.App, m *notifications.Module) {
		if a.Dialect != db.Postgres {
			t.Skip("SQLite is one process")
		}
		ctx := context.Background()
		b, err := app.New(ctx, a.Config, app.WithoutWorkers(),
			app.WithClock(a.Clock), app.WithLogger(testkit.Logger(t)), app.WithMiddleware(actAs))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		mb := b.Notifications()
		if err := b.Start(ctx); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(b.Handler())
		t.Cleanup(srv.Close)

		user := newUser()
		onB := openStream(t, srv.URL, user)
		onA := openStream(t, a.URL, user)

		fromA := notify(t, m, user, "created on A")
		if ev := onB.next(t); ev.ID != fromA.ID.String() {
			t.Fatalf("B's stream got %s, want %s from A", ev.ID, fromA.ID)
		}
		if ev := onA.next(t); ev.ID != fromA.ID.String() {
			t.Fatalf("A's stream got %s, want %s", ev.ID, fromA.ID)
		}
		fromB := notify(t, mb, user, "created on B")
		if ev := onA.next(t); ev.ID != fromB.ID.String() {
			t.Fatalf("A's stream got %s, want %s from B", ev.ID, fromB.ID)
		}
	})
}

// actAs signs requests in as the user named by the test kit's header, for
// the second instance, which the test kit did not build.
func actAs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, err := kernel.ParseID[kernel.UserKind](r.Header.Get(testkit.HeaderUser)); err == nil {
			r = r.WithContext(kernel.WithPrincipal(r.Context(), kernel.Principal{UserID: id}))
		}
		next.ServeHTTP(w, r)
	})
}

// sseFrame is one server-sent events frame.
type sseFrame struct {
	Event, ID, Data, Retry string
	Comments               []string
}

// sseStream reads a live event stream in the background.
type sseStream struct {
	resp   *http.Response
	frames chan sseFrame
}

// openStream opens /api/notifications/stream as user and checks the
// preamble: a retry hint and a comment. The stream is closed when the test
// ends. Extra headers follow as pairs.
func openStream(t *testing.T, baseURL string, user kernel.UserID, headers ...string) *sseStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/api/notifications/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !user.IsZero() { // else the headers carry a session cookie
		req.Header.Set(testkit.HeaderUser, user.String())
	}
	req.Header.Set("Accept", "text/event-stream")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = resp.Body.Close()
	})
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("stream: status %d: %s", resp.StatusCode, body)
	}
	s := &sseStream{resp: resp, frames: make(chan sseFrame, 256)}
	go s.read(bufio.NewReader(resp.Body))

	select {
	case f, ok := <-s.frames:
		if !ok || f.Retry != "5000" || len(f.Comments) == 0 || f.ID != "" || f.Data != "" {
			t.Fatalf("preamble = %+v (open %v), want retry 5000 and a comment", f, ok)
		}
	case <-time.After(waitFor):
		t.Fatal("no preamble")
	}
	return s
}

// read parses frames until the stream ends, then closes s.frames.
func (s *sseStream) read(r *bufio.Reader) {
	defer close(s.frames)
	var f sseFrame
	started := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			if started {
				s.frames <- f
			}
			f, started = sseFrame{}, false
			continue
		}
		started = true
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			f.Comments = append(f.Comments, value)
		case "event":
			f.Event = value
		case "id":
			f.ID = value
		case "data":
			if f.Data != "" {
				f.Data += "\n"
			}
			f.Data += value
		case "retry":
			f.Retry = value
		}
	}
}

// next returns the next event, skipping heartbeat comments.
func (s *sseStream) next(t *testing.T) sseFrame {
	t.Helper()
	deadline := time.After(waitFor)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				t.Fatal("the stream ended, want an event")
			}
			if f.Event == "" && f.ID == "" && f.Data == "" {
				continue
			}
			return f
		case <-deadline:
			t.Fatalf("no event after %s", waitFor)
		}
	}
}

// requireEnd waits for the server to end the stream.
func (s *sseStream) requireEnd(t *testing.T) {
	t.Helper()
	s.requireEndWithin(t, waitFor)
}
