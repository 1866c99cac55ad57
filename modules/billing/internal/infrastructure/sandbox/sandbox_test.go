package sandbox_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/sandbox"
	"github.com/groundworkhq/groundwork/testkit/testdb"
	"github.com/groundworkhq/groundwork/web"
)

// t0 has nanoseconds: the sandbox keeps microseconds, which is what the
// round trips compare.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)

var secret = []byte("whsec_sandbox_test")

// clock is a kernel.Clock that moves only when told to.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now.Truncate(time.Microsecond)
}

func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now.Truncate(time.Microsecond)
}

// delivery is one webhook POST the test server received.
type delivery struct {
	Header http.Header
	Body   []byte
}

// receiver is the test server's /webhooks/sandbox: it records every
// delivery and answers the statuses queued in fail first, then 200.
type receiver struct {
	mu     sync.Mutex
	got    []delivery
	answer []int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.got = append(rc.got, delivery{Header: r.Header.Clone(), Body: body})
	status := http.StatusOK
	if len(rc.answer) > 0 {
		status, rc.answer = rc.answer[0], rc.answer[1:]
	}
	rc.mu.Unlock()
	w.WriteHeader(status)
}

// failNext has the next deliveries answered with statuses.
func (rc *receiver) failNext(statuses ...int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.answer = append(rc.answer, statuses...)
}

// deliveries returns what arrived so far.
func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

// logs records the messages logged, for the failures that are only
// logged.
type logs struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logs) Enabled(context.Context, slog.Level) bool { return true }
func (l *logs) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logs) WithGroup(string) slog.Handler            { return l }
func (l *logs) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}

// count returns how many times msg was logged.
func (l *logs) count(msg string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if m == msg {
			n++
		}
	}
	return n
}

// bundle is one test's sandbox: a provider on a fresh database of the
// dialect, mounted on a test server that also receives its webhooks.
type bundle struct {
	p      *sandbox.Provider
	d      *db.DB
	srv    *httptest.Server
	clock  *clock
	hooks  *receiver
	logs   *logs
	client *http.Client // follows no redirect
	org    kernel.OrganizationID
}

func setup(t *testing.T, dialect db.Dialect) *bundle {
	t.Helper()
	d := testdb.Open(t, dialect)
	testdb.Migrate(t, d, "sandbox", sandbox.Migrations())
	b := &bundle{d: d, clock: &clock{now: t0}, hooks: &receiver{}, logs: &logs{}, org: kernel.NewID[kernel.OrganizationKind]()}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/sandbox", b.hooks)
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	server, err := url.Parse(b.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b.p, err = sandbox.New(sandbox.Config{DB: d, ServerURL: server, Secret: secret, Clock: b.clock, HTTPClient: b.srv.Client(), Logger: slog.New(b.logs)})
	if err != nil {
		t.Fatal(err)
	}
	b.p.Routes(mux)
	b.client = b.srv.Client()
	b.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return b
}

var proMonth = domain.Price{Plan: "pro", Interval: domain.Month, ProviderID: "sandbox_pro_month", Amount: 1900, Currency: "usd"}

// customer creates a sandbox customer of the bundle's organization.
func (b *bundle) customer(t *testing.T) string {
	t.Helper()
	ref, err := b.p.CreateCustomer(context.Background(), domain.Customer{OrganizationID: b.org, Name: "Acme", Email: "owner@acme.test"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ref, "scus_") {
		t.Fatalf("customer ref %q, want scus_…", ref)
	}
	return ref
}

// checkout opens a checkout of price for customer and returns its URL.
func (b *bundle) checkout(t *testing.T, customer string, price domain.Price, seats, trialDays int) string {
	t.Helper()
	u, err := b.p.Checkout(context.Background(), domain.CheckoutRequest{
		OrganizationID: b.org, CustomerRef: customer, Price: price, Seats: seats, TrialDays: trialDays,
		SuccessURL: "https://app.test/billing?checkout=success", CancelURL: "https://app.test/billing?checkout=cancel",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := b.srv.URL + "/billing/sandbox/checkout/"; !strings.HasPrefix(u, want) || len(u) <= len(want) {
		t.Fatalf("checkout URL %q, want %s{id}", u, want)
	}
	return u
}

// get fetches u and returns the status and body.
func (b *bundle) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := b.client.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// post submits form to u as the page's own form does, from its origin.
func (b *bundle) post(t *testing.T, u string, form url.Values) *http.Response {
	t.Helper()
	return b.postFrom(t, b.srv.URL, u, form)
}

func (b *bundle) postFrom(t *testing.T, origin, u string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp
}

// complete completes a checkout with choice and checks the 303 to want.
func (b *bundle) complete(t *testing.T, checkoutURL, choice, want string) {
	t.Helper()
	resp := b.post(t, checkoutURL, url.Values{"action": {choice}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Fatalf("%s: %d to %q, want 303 to %q", choice, resp.StatusCode, resp.Header.Get("Location"), want)
	}
}

// subscribe pays a checkout of price and returns the subscription's ref,
// read from the one subscription.created webhook that paying sent.
func (b *bundle) subscribe(t *testing.T, customer string, price domain.Price, seats, trialDays int) string {
	t.Helper()
	before := len(b.hooks.deliveries())
	b.complete(t, b.checkout(t, customer, price, seats, trialDays), "pay", "https://app.test/billing?checkout=success")
	got := b.hooks.deliveries()[before:]
	if len(got) != 1 {
		t.Fatalf("paying sent %d webhooks, want 1", len(got))
	}
	e := b.parse(t, got[0])
	if e.Type != "subscription.created" {
		t.Fatalf("paying sent %q, want subscription.created", e.Type)
	}
	return e.SubscriptionRef
}

// parse checks that d is a validly signed event in the sandbox's format and
// returns what ParseWebhook makes of it.
func (b *bundle) parse(t *testing.T, d delivery) domain.WebhookEvent {
	t.Helper()
	if ct := d.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("webhook Content-Type %q", ct)
	}
	var body struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Created int64  `json:"created"`
		Data    struct {
			Subscription   string `json:"subscription"`
			Customer       string `json:"customer"`
			OrganizationID string `json:"organization_id"`
		} `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("webhook body %s: %v", d.Body, err)
	}
	if !strings.HasPrefix(body.ID, "evt_") || !strings.HasPrefix(body.Data.Subscription, "ssub_") ||
		!strings.HasPrefix(body.Data.Customer, "scus_") || body.Data.OrganizationID != b.org.String() {
		t.Errorf("webhook body %s: want evt_, ssub_, scus_ and %s", d.Body, b.org)
	}
	e, err := b.p.ParseWebhook(domain.WebhookDelivery{Header: domain.Header(d.Header), Body: d.Body}, b.clock.Now())
	if err != nil {
		t.Fatalf("ParseWebhook of the sandbox's own delivery: %v", err)
	}
	want := domain.WebhookEvent{
		ID: body.ID, Type: body.Type, SubscriptionRef: body.Data.Subscription, CustomerRef: body.Data.Customer,
		OrganizationID: b.org, OccurredAt: time.Unix(body.Created, 0).UTC(),
	}
	if e != want {
		t.Errorf("ParseWebhook = %+v, want %+v", e, want)
	}
	return e
}

// eventsSince parses the deliveries after the first n.
func (b *bundle) eventsSince(t *testing.T, n int) []domain.WebhookEvent {
	t.Helper()
	var out []domain.WebhookEvent
	for _, d := range b.hooks.deliveries()[n:] {
		out = append(out, b.parse(t, d))
	}
	return out
}

func (b *bundle) countSubscriptions(t *testing.T) int {
	t.Helper()
	n, err := db.QueryOne(context.Background(), b.d.Q(context.Background()), db.ScanValue[int], nil,
		"count", `SELECT COUNT(*) FROM sandbox_subscriptions`)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCheckoutPay(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		cus := b.customer(t)
		u := b.checkout(t, cus, proMonth, 3, 0)

		resp, page := b.get(t, u)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("checkout page: %d", resp.StatusCode)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); csp != web.PageCSP {
			t.Errorf("CSP %q, want %q", csp, web.PageCSP)
		}
		for _, want := range []string{"pro", "19.00 USD", "57.00 USD", "× 3", `value="pay"`, `value="decline"`, `value="pay_then_fail"`, "Acme"} {
			if !strings.Contains(page, want) {
				t.Errorf("checkout page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "<script") {
			t.Error("the checkout page has a script")
		}

		ref := b.subscribe(t, cus, proMonth, 3, 0)
		got, err := b.p.Subscription(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		now := b.clock.Now()
		want := domain.ProviderSubscription{
			Ref: ref, CustomerRef: cus, OrganizationID: b.org, PriceID: "sandbox_pro_month", Status: domain.StatusActive,
			CurrentPeriodStart: now, CurrentPeriodEnd: now.AddDate(0, 1, 0), Seats: 3, ChangedAt: now,
		}
		if !equalSub(got, want) {
			t.Errorf("Subscription = %+v,\nwant %+v", got, want)
		}

		// The first checkout is still open; paying it too makes a second
		// subscription, then it is spent.
		b.complete(t, u, "pay", "https://app.test/billing?checkout=success")
		n := len(b.hooks.deliveries())
		if resp, _ := b.get(t, u); resp.StatusCode != http.StatusNotFound {
			t.Errorf("spent checkout page: %d, want 404", resp.StatusCode)
		}
		if resp := b.post(t, u, url.Values{"action": {"pay"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("paying a spent checkout: %d, want 404", resp.StatusCode)
		}
		if got := len(b.hooks.deliveries()); got != n {
			t.Errorf("paying a spent checkout sent %d webhooks", got-n)
		}
		if resp, _ := b.get(t, b.srv.URL+"/billing/sandbox/checkout/schk_unknown"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown checkout page: %d, want 404", resp.StatusCode)
		}
		if got := b.countSubscriptions(t); got != 2 {
			t.Errorf("%d subscriptions, want 2", got)
		}
	})
}

func equalSub(a, b domain.ProviderSubscription) bool {
	ta, tb := a.TrialEnd, b.TrialEnd
	a.TrialEnd, b.TrialEnd = nil, nil
	return a == b && (ta == nil) == (tb == nil) && (ta == nil || ta.Equal(*tb))
}

func TestCheckoutDecline(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		u := b.checkout(t, b.customer(t), proMonth, 0, 0)
		b.complete(t, u, "decline", "https://app.test/billing?checkout=cancel")
		if n := b.countSubscriptions(t); n != 0 {
			t.Errorf("%d subscriptions after declining, want 0", n)
		}
		if n := len(b.hooks.deliveries()); n != 0 {
			t.Errorf("declining sent %d webhooks", n)
		}
		if resp, _ := b.get(t, u); resp.StatusCode != http.StatusNotFound {
			t.Errorf("declined checkout page: %d, want 404", resp.StatusCode)
		}
	})
}

func TestCheckoutTrial(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		cus := b.customer(t)
		yearly := domain.Price{Plan: "business", Interval: domain.Year, ProviderID: "sandbox_business_year", Amount: 49000, Currency: "usd"}
		u := b.checkout(t, cus, yearly, 0, 14)
		if _, page := b.get(t, u); !strings.Contains(page, "14-day free trial") {
			t.Errorf("checkout page does not show the trial:\n%s", page)
		}
		ref := b.subscribe(t, cus, yearly, 0, 14)
		got, err := b.p.Subscription(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		now := b.clock.Now()
		end := now.AddDate(0, 0, 14)
		want := domain.ProviderSubscription{
			Ref: ref, CustomerRef: cus, OrganizationID: b.org, PriceID: "sandbox_business_year", Status: domain.StatusTrialing,
			CurrentPeriodStart: now, CurrentPeriodEnd: now.AddDate(1, 0, 0), TrialEnd: &end, ChangedAt: now,
		}
		if !equalSub(got, want) {
			t.Errorf("Subscription = %+v,\nwant %+v", got, want)
		}
	})
}

// TestCheckoutPayThenFail drives the demo of a failing payment through the
// pages: pay, land on the subscription page, fail the payment, settle it.
func TestCheckoutPayThenFail(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		cus := b.customer(t)
		page := b.srv.URL + "/billing/sandbox/subscriptions/" + cus + "?return=" + url.QueryEscape("https://app.test/billing?checkout=success")
		b.complete(t, b.checkout(t, cus, proMonth, 0, 0), "pay_then_fail", page)
		events := b.eventsSince(t, 0)
		if len(events) != 1 || events[0].Type != "subscription.created" {
			t.Fatalf("events %+v, want one subscription.created", events)
		}
		ref := events[0].SubscriptionRef
		if s, err := b.p.Subscription(context.Background(), ref); err != nil || s.Status != domain.StatusActive {
			t.Fatalf("after paying: %+v, %v; want active", s, err)
		}

		resp, body := b.get(t, page)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `value="fail_payment"`) ||
			!strings.Contains(body, `href="https://app.test/billing?checkout=success"`) {
			t.Fatalf("subscription page: %d\n%s", resp.StatusCode, body)
		}
		steps := []struct {
			action string
			status domain.Status
			event  string
		}{
			{"fail_payment", domain.StatusPastDue, "invoice.payment_failed"},
			{"recover_payment", domain.StatusActive, "invoice.paid"},
		}
		for _, st := range steps {
			n := len(b.hooks.deliveries())
			resp := b.post(t, page, url.Values{"subscription": {ref}, "action": {st.action}})
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != strings.TrimPrefix(page, b.srv.URL) {
				t.Fatalf("%s: %d to %q", st.action, resp.StatusCode, resp.Header.Get("Location"))
			}
			if s, err := b.p.Subscription(context.Background(), ref); err != nil || s.Status != st.status {
				t.Errorf("after %s: %+v, %v; want %s", st.action, s, err, st.status)
			}
			if ev := b.eventsSince(t, n); len(ev) != 1 || ev[0].Type != st.event || ev[0].SubscriptionRef != ref {
				t.Errorf("after %s: events %+v, want one %s", st.action, ev, st.event)
			}
		}
	})
}

func TestFailPayment(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		ref := b.subscribe(t, b.customer(t), proMonth, 0, 0)
		before, _ := b.p.Subscription(ctx, ref)
		n := len(b.hooks.deliveries())
		if err := b.p.FailPayment(ctx, ref); err != nil {
			t.Fatal(err)
		}
		after, err := b.p.Subscription(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != domain.StatusPastDue || !after.ChangedAt.After(before.ChangedAt) {
			t.Errorf("after FailPayment: %s changed at %s, want past_due after %s", after.Status, after.ChangedAt, before.ChangedAt)
		}
		if ev := b.eventsSince(t, n); len(ev) != 1 || ev[0].Type != "invoice.payment_failed" || ev[0].SubscriptionRef != ref {
			t.Errorf("events %+v, want one invoice.payment_failed", ev)
		}
		// Failing again changes nothing and sends nothing.
		n = len(b.hooks.deliveries())
		if err := b.p.FailPayment(ctx, ref); err != nil {
			t.Fatal(err)
		}
		if again, _ := b.p.Subscription(ctx, ref); again != after {
			t.Errorf("failing twice changed %+v to %+v", after, again)
		}
		if got := len(b.hooks.deliveries()); got != n {
			t.Errorf("failing twice sent %d webhooks", got-n)
		}
		if err := b.p.FailPayment(ctx, "ssub_unknown"); !errors.Is(err, domain.ErrUnknownSubscription) {
			t.Errorf("FailPayment of an unknown subscription: %v", err)
		}
	})
}

// TestSubscriptionChanges walks one subscription through every change the
// port makes, with the clock frozen (ChangedAt still strictly increases)
// and moving.
func TestSubscriptionChanges(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		ref := b.subscribe(t, b.customer(t), proMonth, 2, 0)
		proYear := domain.Price{Plan: "pro", Interval: domain.Year, ProviderID: "sandbox_pro_year", Amount: 19000, Currency: "usd"}

		prev, err := b.p.Subscription(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			name    string
			advance time.Duration
			do      func() (domain.ProviderSubscription, error)
			event   string
			check   func(s domain.ProviderSubscription) bool
		}{
			{"cancel at period end", 0, func() (domain.ProviderSubscription, error) { return b.p.Cancel(ctx, ref, true) },
				"subscription.updated", func(s domain.ProviderSubscription) bool {
					return s.CancelAtPeriodEnd && s.Status == domain.StatusActive
				}},
			{"resume", 0, func() (domain.ProviderSubscription, error) { return b.p.Resume(ctx, ref) },
				"subscription.updated", func(s domain.ProviderSubscription) bool { return !s.CancelAtPeriodEnd }},
			{"set seats", time.Hour, func() (domain.ProviderSubscription, error) { return b.p.SetSeats(ctx, ref, 5) },
				"subscription.updated", func(s domain.ProviderSubscription) bool { return s.Seats == 5 }},
			{"change price", time.Hour, func() (domain.ProviderSubscription, error) { return b.p.ChangePrice(ctx, ref, proYear, 4, true) },
				"subscription.updated", func(s domain.ProviderSubscription) bool {
					now := b.clock.Now()
					return s.PriceID == "sandbox_pro_year" && s.Seats == 4 &&
						s.CurrentPeriodStart.Equal(now) && s.CurrentPeriodEnd.Equal(now.AddDate(1, 0, 0))
				}},
			{"cancel now", 0, func() (domain.ProviderSubscription, error) { return b.p.Cancel(ctx, ref, false) },
				"subscription.canceled", func(s domain.ProviderSubscription) bool {
					return s.Status == domain.StatusCanceled && !s.CancelAtPeriodEnd
				}},
		}
		for _, st := range steps {
			now := b.clock.Advance(st.advance)
			n := len(b.hooks.deliveries())
			got, err := st.do()
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if !st.check(got) {
				t.Errorf("%s: %+v", st.name, got)
			}
			wantChanged := now
			if st.advance == 0 {
				wantChanged = prev.ChangedAt.Add(time.Microsecond)
			}
			if !got.ChangedAt.Equal(wantChanged) {
				t.Errorf("%s: ChangedAt %s, want %s (previous %s)", st.name, got.ChangedAt, wantChanged, prev.ChangedAt)
			}
			stored, err := b.p.Subscription(ctx, ref)
			if err != nil || !equalSub(stored, got) {
				t.Errorf("%s: stored %+v, %v; returned %+v", st.name, stored, err, got)
			}
			if ev := b.eventsSince(t, n); len(ev) != 1 || ev[0].Type != st.event || ev[0].SubscriptionRef != ref ||
				!ev[0].OccurredAt.Equal(got.ChangedAt.Truncate(time.Second)) {
				t.Errorf("%s: events %+v, want one %s", st.name, ev, st.event)
			}
			prev = got
		}

		// A canceled subscription takes no more changes.
		n := len(b.hooks.deliveries())
		if _, err := b.p.Resume(ctx, ref); kernel.KindOf(err) != kernel.KindConflict {
			t.Errorf("resume a canceled subscription: %v, want a conflict", err)
		}
		if _, err := b.p.SetSeats(ctx, ref, 9); kernel.KindOf(err) != kernel.KindConflict {
			t.Errorf("set seats of a canceled subscription: %v, want a conflict", err)
		}
		if _, err := b.p.ChangePrice(ctx, ref, proMonth, 1, true); kernel.KindOf(err) != kernel.KindConflict {
			t.Errorf("change the price of a canceled subscription: %v, want a conflict", err)
		}
		if got, err := b.p.Cancel(ctx, ref, false); err != nil || got != prev {
			t.Errorf("cancel a canceled subscription: %+v, %v; want it unchanged", got, err)
		}
		if got := len(b.hooks.deliveries()); got != n {
			t.Errorf("refused changes sent %d webhooks", got-n)
		}
	})
}

func TestSetSeatsRefusesFewerThanOne(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ref := b.subscribe(t, b.customer(t), proMonth, 2, 0)
		if _, err := b.p.SetSeats(context.Background(), ref, 0); kernel.KindOf(err) != kernel.KindInvalid {
			t.Errorf("SetSeats(0): %v, want invalid", err)
		}
	})
}

func TestUnknownSubscription(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		const ref = "ssub_unknown"
		calls := map[string]func() error{
			"Subscription": func() error { _, err := b.p.Subscription(ctx, ref); return err },
			"Cancel":       func() error { _, err := b.p.Cancel(ctx, ref, false); return err },
			"Resume":       func() error { _, err := b.p.Resume(ctx, ref); return err },
			"ChangePrice":  func() error { _, err := b.p.ChangePrice(ctx, ref, proMonth, 0, true); return err },
			"SetSeats":     func() error { _, err := b.p.SetSeats(ctx, ref, 2); return err },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, domain.ErrUnknownSubscription) {
				t.Errorf("%s: %v, want ErrUnknownSubscription", name, err)
			}
		}
	})
}

// TestWebhooksAfterCommit: called inside a caller's transaction, the
// sandbox's change joins it and its webhook waits for the commit — and is
// never sent when the transaction rolls back.
func TestWebhooksAfterCommit(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		ref := b.subscribe(t, b.customer(t), proMonth, 0, 0)
		before, _ := b.p.Subscription(ctx, ref)

		n := len(b.hooks.deliveries())
		rollback := errors.New("roll back")
		err := b.d.Tx(ctx, func(ctx context.Context) error {
			if _, err := b.p.Cancel(ctx, ref, true); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if got, _ := b.p.Subscription(ctx, ref); got != before {
			t.Errorf("a rolled-back cancel left %+v, want %+v", got, before)
		}
		if got := len(b.hooks.deliveries()); got != n {
			t.Errorf("a rolled-back cancel sent %d webhooks", got-n)
		}

		err = b.d.Tx(ctx, func(ctx context.Context) error {
			if _, err := b.p.Cancel(ctx, ref, true); err != nil {
				return err
			}
			if got := len(b.hooks.deliveries()); got != n {
				t.Errorf("a webhook was sent inside the transaction")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if ev := b.eventsSince(t, n); len(ev) != 1 || ev[0].Type != "subscription.updated" {
			t.Errorf("after the commit: events %+v, want one subscription.updated", ev)
		}
	})
}

func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		ref := b.subscribe(t, b.customer(t), proMonth, 2, 0)
		cases := []struct {
			name     string
			answers  []int
			attempts int
			logged   bool
		}{
			{"two failures, then accepted", []int{503, 500}, 3, false},
			{"always failing: three retries, then given up", []int{500, 502, 503, 504}, 4, true},
			{"refused: not retried", []int{400}, 1, true},
		}
		const notDelivered = "sandbox webhook not delivered"
		for i, c := range cases {
			b.hooks.failNext(c.answers...)
			n, logged := len(b.hooks.deliveries()), b.logs.count(notDelivered)
			got, err := b.p.SetSeats(ctx, ref, 3+i)
			if err != nil || got.Seats != 3+i {
				t.Fatalf("%s: %+v, %v", c.name, got, err)
			}
			d := b.hooks.deliveries()[n:]
			if len(d) != c.attempts {
				t.Fatalf("%s: %d attempts, want %d", c.name, len(d), c.attempts)
			}
			want := 0
			if c.logged {
				want = 1
			}
			if got := b.logs.count(notDelivered) - logged; got != want {
				t.Errorf("%s: logged %q %d times", c.name, notDelivered, got)
			}
			id := b.parse(t, d[0]).ID
			for _, again := range d[1:] {
				if e := b.parse(t, again); e.ID != id {
					t.Errorf("%s: a retry carries event %s, want %s", c.name, e.ID, id)
				}
			}
		}
	})
}

// TestConcurrentPay: many posts of Pay on one checkout make one
// subscription, one webhook and one redirect; the rest find it spent.
func TestConcurrentPay(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		u := b.checkout(t, b.customer(t), proMonth, 0, 0)
		const workers = 8
		statuses := make(chan int, workers)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader("action=pay"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", b.srv.URL)
				resp, err := b.client.Do(req)
				if err != nil {
					t.Error(err)
					statuses <- 0
					return
				}
				_ = resp.Body.Close()
				statuses <- resp.StatusCode
			})
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		if count[http.StatusSeeOther] != 1 || count[http.StatusNotFound] != workers-1 {
			t.Errorf("statuses %v, want one 303 and %d 404", count, workers-1)
		}
		if n := b.countSubscriptions(t); n != 1 {
			t.Errorf("%d subscriptions, want 1", n)
		}
		if n := len(b.hooks.deliveries()); n != 1 {
			t.Errorf("%d webhooks, want 1", n)
		}
	})
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		cus := b.customer(t)
		u := b.checkout(t, cus, proMonth, 0, 0)
		if resp := b.postFrom(t, "https://evil.test", u, url.Values{"action": {"pay"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin pay: %d, want 403", resp.StatusCode)
		}
		if resp, _ := b.get(t, u); resp.StatusCode != http.StatusOK {
			t.Errorf("the checkout after a cross-origin post: %d, want it still open", resp.StatusCode)
		}
		ref := b.subscribe(t, cus, proMonth, 0, 0)
		page := b.srv.URL + "/billing/sandbox/subscriptions/" + cus
		resp := b.postFrom(t, "https://evil.test", page, url.Values{"subscription": {ref}, "action": {"cancel"}})
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin cancel: %d, want 403", resp.StatusCode)
		}
		if s, _ := b.p.Subscription(context.Background(), ref); s.Status != domain.StatusActive {
			t.Errorf("after a cross-origin cancel: %s, want active", s.Status)
		}
	})
}

func TestPortal(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		cus := b.customer(t)
		ref := b.subscribe(t, cus, proMonth, 2, 0)

		u, err := b.p.Portal(ctx, cus, "https://app.test/settings/billing")
		if err != nil {
			t.Fatal(err)
		}
		if want := b.srv.URL + "/billing/sandbox/subscriptions/" + cus + "?return=" + url.QueryEscape("https://app.test/settings/billing"); u != want {
			t.Errorf("Portal = %q, want %q", u, want)
		}
		resp, page := b.get(t, u)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("subscription page: %d", resp.StatusCode)
		}
		for _, want := range []string{`value="` + ref + `"`, `value="cancel"`, `value="cancel_at_period_end"`, `value="fail_payment"`, `href="https://app.test/settings/billing"`} {
			if !strings.Contains(page, want) {
				t.Errorf("subscription page lacks %q:\n%s", want, page)
			}
		}

		// Cancel at the period end, then resume, through the page.
		for _, step := range []struct {
			action string
			want   bool
		}{{"cancel_at_period_end", true}, {"resume", false}} {
			resp := b.post(t, u, url.Values{"subscription": {ref}, "action": {step.action}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", step.action, resp.StatusCode)
			}
			if s, _ := b.p.Subscription(ctx, ref); s.CancelAtPeriodEnd != step.want {
				t.Errorf("after %s: cancel at period end %v, want %v", step.action, s.CancelAtPeriodEnd, step.want)
			}
		}

		// Another customer's page cannot touch this subscription.
		other := b.customer(t)
		otherPage := b.srv.URL + "/billing/sandbox/subscriptions/" + other
		if resp := b.post(t, otherPage, url.Values{"subscription": {ref}, "action": {"cancel"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("cancel through another customer's page: %d, want 404", resp.StatusCode)
		}
		if s, _ := b.p.Subscription(ctx, ref); s.Status != domain.StatusActive {
			t.Errorf("after the other customer's cancel: %s, want active", s.Status)
		}

		if _, err := b.p.Portal(ctx, "scus_unknown", ""); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("Portal of an unknown customer: %v, want not found", err)
		}
		if resp, _ := b.get(t, b.srv.URL+"/billing/sandbox/subscriptions/scus_unknown"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown customer's page: %d, want 404", resp.StatusCode)
		}
	})
}

func TestCheckoutRefuses(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		cus := b.customer(t)
		ok := domain.CheckoutRequest{OrganizationID: b.org, CustomerRef: cus, Price: proMonth,
			SuccessURL: "https://app.test/ok", CancelURL: "https://app.test/cancel"}
		cases := []struct {
			name   string
			change func(r *domain.CheckoutRequest)
			kind   kernel.ErrorKind
		}{
			{"unknown customer", func(r *domain.CheckoutRequest) { r.CustomerRef = "scus_unknown" }, kernel.KindNotFound},
			{"no plan", func(r *domain.CheckoutRequest) { r.Price.Plan = "" }, kernel.KindInvalid},
			{"bad interval", func(r *domain.CheckoutRequest) { r.Price.Interval = "week" }, kernel.KindInvalid},
			{"negative seats", func(r *domain.CheckoutRequest) { r.Seats = -1 }, kernel.KindInvalid},
			{"negative trial", func(r *domain.CheckoutRequest) { r.TrialDays = -1 }, kernel.KindInvalid},
			{"relative success URL", func(r *domain.CheckoutRequest) { r.SuccessURL = "/ok" }, kernel.KindInvalid},
		}
		for _, c := range cases {
			r := ok
			c.change(&r)
			if _, err := b.p.Checkout(ctx, r); kernel.KindOf(err) != c.kind {
				t.Errorf("%s: %v, want %s", c.name, err, c.kind)
			}
		}
	})
}

func TestParseWebhook(t *testing.T) {
	t.Parallel()
	p, err := sandbox.New(sandbox.Config{DB: &db.DB{}, ServerURL: &url.URL{Scheme: "http", Host: "localhost:8080"}, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	org := kernel.NewID[kernel.OrganizationKind]()
	body := []byte(`{"id":"evt_1","type":"subscription.updated","created":1772366400,"data":{"subscription":"ssub_1","customer":"scus_1","organization_id":"` + org.String() + `"}}`)
	at := time.Unix(1772366400, 0).UTC()
	header := func(v string) domain.Header {
		h := http.Header{}
		if v != "" {
			h.Set("Sandbox-Signature", v)
		}
		return domain.Header(h)
	}

	want := domain.WebhookEvent{ID: "evt_1", Type: "subscription.updated", SubscriptionRef: "ssub_1", CustomerRef: "scus_1", OrganizationID: org, OccurredAt: at}
	for _, now := range []time.Time{at, at.Add(300 * time.Second), at.Add(-300 * time.Second)} {
		got, err := p.ParseWebhook(domain.WebhookDelivery{Header: header(sandbox.Sign(secret, body, at)), Body: body}, now)
		if err != nil || got != want {
			t.Errorf("at %s: %+v, %v; want %+v", now.Sub(at), got, err, want)
		}
	}

	badOrg := []byte(`{"id":"evt_2","type":"subscription.updated","created":1772366400,"data":{"subscription":"ssub_1","customer":"scus_1","organization_id":"nope"}}`)
	if got, err := p.ParseWebhook(domain.WebhookDelivery{Header: header(sandbox.Sign(secret, badOrg, at)), Body: badOrg}, at); err != nil || !got.OrganizationID.IsZero() {
		t.Errorf("a bad organization ID: %+v, %v; want it zero", got, err)
	}
	rotated := sandbox.Sign([]byte("old"), body, at) + ",v1=" + strings.TrimPrefix(sandbox.Sign(secret, body, at), "t=1772366400,v1=")
	if _, err := p.ParseWebhook(domain.WebhookDelivery{Header: header(rotated), Body: body}, at); err != nil {
		t.Errorf("two v1 signatures, one valid: %v", err)
	}

	malformed := []byte(`{"id":`)
	noID := []byte(`{"type":"subscription.updated","created":1772366400,"data":{}}`)
	rejects := []struct {
		name   string
		header string
		body   []byte
		now    time.Time
	}{
		{"forged", sandbox.Sign([]byte("not the secret"), body, at), body, at},
		{"tampered body", sandbox.Sign(secret, body, at), bytes.Replace(body, []byte("ssub_1"), []byte("ssub_2"), 1), at},
		{"stale", sandbox.Sign(secret, body, at), body, at.Add(301 * time.Second)},
		{"from the future", sandbox.Sign(secret, body, at), body, at.Add(-301 * time.Second)},
		{"no header", "", body, at},
		{"no signature", "t=1772366400", body, at},
		{"no timestamp", "v1=" + strings.Repeat("ab", 32), body, at},
		{"bad timestamp", "t=soon,v1=" + strings.Repeat("ab", 32), body, at},
		{"malformed JSON", sandbox.Sign(secret, malformed, at), malformed, at},
		{"no event ID", sandbox.Sign(secret, noID, at), noID, at},
	}
	for _, c := range rejects {
		if _, err := p.ParseWebhook(domain.WebhookDelivery{Header: header(c.header), Body: c.body}, c.now); !errors.Is(err, domain.ErrWebhookRejected) {
			t.Errorf("%s: %v, want ErrWebhookRejected", c.name, err)
		}
	}
}

func TestSign(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"evt_1"}`)
	at := time.Unix(1772366400, 999).UTC()
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("1772366400." + string(body)))
	want := "t=" + strconv.FormatInt(at.Unix(), 10) + ",v1=" + hex.EncodeToString(m.Sum(nil))
	if got := sandbox.Sign(secret, body, at); got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	server := &url.URL{Scheme: "http", Host: "localhost:8080"}
	cases := map[string]sandbox.Config{
		"no database":       {ServerURL: server, Secret: secret},
		"no server URL":     {DB: &db.DB{}, Secret: secret},
		"relative URL":      {DB: &db.DB{}, ServerURL: &url.URL{Path: "/x"}, Secret: secret},
		"no webhook secret": {DB: &db.DB{}, ServerURL: server},
	}
	for name, cfg := range cases {
		if _, err := sandbox.New(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	p, err := sandbox.New(sandbox.Config{DB: &db.DB{}, ServerURL: server, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name() != "sandbox" || !p.SupportsSeats() {
		t.Errorf("Name %q, SupportsSeats %v", p.Name(), p.SupportsSeats())
	}
}

// EndPeriod is time passing: an active subscription renews for a period
// from now (invoice.paid), a trial becomes active, a past_due one renews
// unpaid, a cancellation at the period end takes effect, and a canceled
// one stays as it is.
func TestEndPeriod(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect)
		ctx := context.Background()
		end := func(ref string) (domain.ProviderSubscription, []domain.WebhookEvent) {
			t.Helper()
			n := len(b.hooks.deliveries())
			if err := b.p.EndPeriod(ctx, ref); err != nil {
				t.Fatal(err)
			}
			s, err := b.p.Subscription(ctx, ref)
			if err != nil {
				t.Fatal(err)
			}
			return s, b.eventsSince(t, n)
		}
		active := b.subscribe(t, b.customer(t), proMonth, 0, 0)
		before, _ := b.p.Subscription(ctx, active)
		s, ev := end(active)
		if s.Status != domain.StatusActive || !s.CurrentPeriodEnd.Equal(s.CurrentPeriodStart.AddDate(0, 1, 0)) ||
			s.CurrentPeriodStart.Before(before.CurrentPeriodStart) || len(ev) != 1 || ev[0].Type != "invoice.paid" {
			t.Errorf("renewed: %+v, events %+v", s, ev)
		}

		trial := b.subscribe(t, b.customer(t), proMonth, 0, 14)
		if s, _ := b.p.Subscription(ctx, trial); s.Status != domain.StatusTrialing {
			t.Fatalf("trial = %s", s.Status)
		}
		if s, ev := end(trial); s.Status != domain.StatusActive || s.TrialEnd != nil || len(ev) != 1 || ev[0].Type != "invoice.paid" {
			t.Errorf("trial ended: %+v, events %+v", s, ev)
		}

		pastDue := b.subscribe(t, b.customer(t), proMonth, 0, 0)
		if err := b.p.FailPayment(ctx, pastDue); err != nil {
			t.Fatal(err)
		}
		if s, ev := end(pastDue); s.Status != domain.StatusPastDue || len(ev) != 1 || ev[0].Type != "invoice.payment_failed" {
			t.Errorf("past_due renewed: %+v, events %+v", s, ev)
		}

		leaving := b.subscribe(t, b.customer(t), proMonth, 0, 0)
		if _, err := b.p.Cancel(ctx, leaving, true); err != nil {
			t.Fatal(err)
		}
		s, ev = end(leaving)
		if s.Status != domain.StatusCanceled || s.CancelAtPeriodEnd || len(ev) != 1 || ev[0].Type != "subscription.canceled" {
			t.Errorf("cancelled at the period end: %+v, events %+v", s, ev)
		}
		if s2, ev := end(leaving); s2 != s || len(ev) != 0 {
			t.Errorf("ending a canceled subscription's period changed %+v to %+v (%d events)", s, s2, len(ev))
		}
		if err := b.p.EndPeriod(ctx, "ssub_unknown"); !errors.Is(err, domain.ErrUnknownSubscription) {
			t.Errorf("EndPeriod of an unknown subscription: %v", err)
		}
	})
}
