package billing_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

const (
	polarToken = "polar_oat_e2e_5b7c1d"
	// polarSecret is a pre-2026-09-08 endpoint secret: Polar signs with its
	// raw UTF-8 bytes as the HMAC key.
	polarSecret      = "polar_whs_e2e_Kq3Vx8Rm2Tz6"
	polarProPrice    = "prod_pro_month" // testdata/polar-plans.yaml
	polarCheckoutURL = "https://sandbox.polar.sh/checkout/polar_c_e2e"
)

// polarSub is a subscription as the fake Polar holds it.
type polarSub struct {
	id, status, customerID, productID string
	periodStart, periodEnd            time.Time
	cancelAtPeriodEnd                 bool
	createdAt, modifiedAt             time.Time
	metadata                          map[string]any
}

// polarAPI is an in-process Polar speaking the slice of its REST API the
// adapter calls, with Polar's JSON shapes and Bearer auth: GET
// /v1/subscriptions/ (start-up's credential check), POST /v1/customers/,
// POST /v1/checkouts/ and GET /v1/subscriptions/{id}. Anything else is
// Polar's 404, which the test notices as a missing subscription.
type polarAPI struct {
	t *testing.T

	mu        sync.Mutex
	customers map[string]*string // customer ID → external_id
	checkouts []map[string]any   // the bodies of POST /v1/checkouts/
	subs      map[string]*polarSub
	fetches   map[string]int // GET /v1/subscriptions/{id} by ID
	checks    int            // GET /v1/subscriptions/ (list)
	next      int
}

func newPolarAPI(t *testing.T) (*polarAPI, *httptest.Server) {
	t.Helper()
	f := &polarAPI{t: t, customers: map[string]*string{}, subs: map[string]*polarSub{}, fetches: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv
}

// newID is a UUID-shaped ID, as Polar's are.
func (f *polarAPI) newID(prefix string) string {
	f.next++
	return fmt.Sprintf("%s-%04d-4e5f-8a9b-%012d", prefix, f.next, f.next)
}

func polarJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (f *polarAPI) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &body); err != nil {
			f.t.Errorf("fake polar: %s %s: body is not a JSON object: %v", r.Method, r.URL, err)
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+polarToken {
		polarJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "detail": "The access token provided is expired, revoked, malformed, or invalid."})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/v1/subscriptions/":
		f.checks++
		polarJSON(w, http.StatusOK, map[string]any{"items": []any{}, "pagination": map[string]any{"total_count": 0, "max_page": 0}})
	case r.Method == http.MethodPost && r.URL.Path == "/v1/customers/":
		id := f.newID("c0a1b2c3")
		ext, _ := body["external_id"].(string)
		f.customers[id] = &ext
		polarJSON(w, http.StatusCreated, map[string]any{
			"id": id, "created_at": time.Now().UTC(), "modified_at": nil, "metadata": body["metadata"],
			"external_id": ext, "email": body["email"], "email_verified": false, "name": body["name"],
			"organization_id": "0b1c2d3e-0000-4000-8000-000000000001", "deleted_at": nil,
		})
	case r.Method == http.MethodPost && r.URL.Path == "/v1/checkouts/":
		f.checkouts = append(f.checkouts, body)
		polarJSON(w, http.StatusCreated, map[string]any{
			"id": f.newID("c4e5f6a7"), "status": "open", "client_secret": "polar_c_e2e", "url": polarCheckoutURL,
			"success_url": body["success_url"], "metadata": body["metadata"], "customer_id": body["customer_id"],
			"external_customer_id": body["external_customer_id"],
		})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/subscriptions/"):
		id := strings.TrimPrefix(r.URL.Path, "/v1/subscriptions/")
		f.fetches[id]++
		s, ok := f.subs[id]
		if !ok {
			polarJSON(w, http.StatusNotFound, map[string]any{"error": "ResourceNotFound", "detail": "Not found"})
			return
		}
		polarJSON(w, http.StatusOK, f.render(s))
	default:
		f.t.Errorf("fake polar: unexpected %s %s", r.Method, r.URL)
		polarJSON(w, http.StatusNotFound, map[string]any{"error": "ResourceNotFound", "detail": "Not found"})
	}
}

// render is Polar's Subscription schema (the fields that matter, plus
// enough of the rest to look like the real thing), with the customer
// embedded as Polar embeds it. The caller holds f.mu.
func (f *polarAPI) render(s *polarSub) map[string]any {
	md := s.metadata
	if md == nil {
		md = map[string]any{}
	}
	return map[string]any{
		"id": s.id, "created_at": s.createdAt, "modified_at": s.modifiedAt,
		"amount": 1900, "currency": "usd", "recurring_interval": "month", "recurring_interval_count": 1,
		"status": s.status, "current_period_start": s.periodStart, "current_period_end": s.periodEnd,
		"trial_start": nil, "trial_end": nil, "cancel_at_period_end": s.cancelAtPeriodEnd,
		"canceled_at": nil, "started_at": s.periodStart, "ends_at": nil, "ended_at": nil,
		"customer_id": s.customerID, "product_id": s.productID, "discount_id": nil, "checkout_id": nil,
		"seats": nil, "metadata": md, "custom_field_data": map[string]any{},
		"customer": map[string]any{
			"id": s.customerID, "created_at": s.createdAt, "metadata": map[string]any{},
			"external_id": f.customers[s.customerID], "email": "owner@acme.test", "email_verified": true,
			"name": "Acme", "organization_id": "0b1c2d3e-0000-4000-8000-000000000001", "deleted_at": nil,
		},
		"product": map[string]any{"id": s.productID, "name": "Pro", "is_recurring": true},
		"prices":  []any{}, "meters": []any{}, "discount": nil,
	}
}

// put stores s, replacing the subscription with its ID.
func (f *polarAPI) put(s *polarSub) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs[s.id] = s
}

// update changes the subscription with id under the fake's lock.
func (f *polarAPI) update(id string, change func(s *polarSub)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f.subs[id])
}

// event is a Polar delivery's body about subscription id as it stands now.
func (f *polarAPI) event(typ, id string, at time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := json.Marshal(map[string]any{"type": typ, "timestamp": at.UTC().Format("2006-01-02T15:04:05.000000Z"), "data": f.render(f.subs[id])})
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

func (f *polarAPI) fetched(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[id]
}

// polarSignature is Standard Webhooks' v1 signature, computed by hand:
// base64(HMAC-SHA256(key, "id.timestamp.body")).
func polarSignature(key []byte, id string, ts int64, body string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.%s", id, ts, body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// polarDelivery is a webhook sent as Polar sends it: signed with key,
// stamped at, with the body as given.
type polarDelivery struct {
	id   string
	at   time.Time
	key  []byte
	body string
	// signed, when set, is what was signed instead of body (a tampered
	// delivery).
	signed string
}

func (d polarDelivery) send(c *testkit.Client) *testkit.Response {
	signed := d.body
	if d.signed != "" {
		signed = d.signed
	}
	ts := d.at.Unix()
	return c.Do(http.MethodPost, "/webhooks/polar", d.body,
		"webhook-id", d.id,
		"webhook-timestamp", strconv.FormatInt(ts, 10),
		"webhook-signature", polarSignature(d.key, d.id, ts, signed))
}

type webhookAnswer struct {
	Received  bool `json:"received"`
	Duplicate bool `json:"duplicate"`
}

// ledger is billing_webhook_events' row of provider's event id: whether
// there is one, whether it was processed, and its outcome.
func ledger(t *testing.T, a *testkit.App, provider, id string) (rows int, processed bool, outcome string) {
	t.Helper()
	ctx := t.Context()
	if err := a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM billing_webhook_events WHERE provider = $1 AND event_id = $2`, provider, id).Scan(&rows); err != nil {
		t.Fatalf("ledger %s: %v", id, err)
	}
	if rows == 0 {
		return 0, false, ""
	}
	var done int
	if err := a.DB().Q(ctx).QueryRow(ctx, `SELECT CASE WHEN processed_at IS NULL THEN 0 ELSE 1 END, outcome
		FROM billing_webhook_events WHERE provider = $1 AND event_id = $2`, provider, id).Scan(&done, &outcome); err != nil {
		t.Fatalf("ledger %s: %v", id, err)
	}
	return rows, done == 1, outcome
}

func ledgerRows(t *testing.T, a *testkit.App) int {
	t.Helper()
	var n int
	if err := a.DB().Q(t.Context()).QueryRow(t.Context(), `SELECT COUNT(*) FROM billing_webhook_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// show is s with its pointers followed, for a failure message.
func show(s subscriptionJSON) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// processed waits for the job of provider's event id and returns its
// outcome.
func processed(t *testing.T, a *testkit.App, provider, id string) string {
	t.Helper()
	var outcome string
	testkit.Eventually(t, "webhook "+id+" processed", func() bool {
		var done bool
		_, done, outcome = ledger(t, a, provider, id)
		return done
	})
	return outcome
}

// webhookJobs counts the river jobs of kind billing.webhook for event id.
func webhookJobs(t *testing.T, a *testkit.App, id string) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM river_job WHERE kind = 'billing.webhook' AND args->>'eventId' = $1`
	if a.Dialect == db.SQLite {
		q = `SELECT COUNT(*) FROM river_job WHERE kind = 'billing.webhook' AND json_extract(args, '$.eventId') = $1`
	}
	var n int
	if err := a.DB().Q(t.Context()).QueryRow(t.Context(), q, id).Scan(&n); err != nil {
		t.Fatalf("webhook jobs of %s: %v", id, err)
	}
	return n
}

// TestPolar_WebhookMatrix drives Polar's webhooks through the whole app
// against an in-process Polar: the signature and the 300 s window by the
// app's clock, the ledger's once-only record, the job that fetches the
// authoritative subscription instead of trusting the payload (so an older
// delivery never undoes a newer state), and the events that are
// acknowledged and ignored.
func TestPolar_WebhookMatrix(t *testing.T) {
	plans, err := filepath.Abs("testdata/polar-plans.yaml")
	if err != nil {
		t.Fatal(err)
	}
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		fake, srv := newPolarAPI(t)
		a := testkit.New(t, dialect, testkit.WithEnv("PAYMENT_PROVIDER", "polar", "POLAR_ACCESS_TOKEN", polarToken,
			"POLAR_WEBHOOK_SECRET", polarSecret, "POLAR_API_BASE", srv.URL, "PLANS_FILE", plans))
		fake.mu.Lock()
		checks := fake.checks
		fake.mu.Unlock()
		if checks == 0 {
			t.Error("start-up made no credential check against POLAR_API_BASE")
		}
		key := []byte(polarSecret)
		hooks := a.Client()

		// An organization's checkout: its Polar customer is created with
		// the organization as external_id, and the checkout is that
		// customer's.
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olga", true)
		org := organization(t, owner.Client, "polar-co")
		var out struct {
			URL string `json:"url"`
		}
		owner.Post("/api/billing/checkout", map[string]any{"plan": "pro", "interval": "month"}).RequireStatus(t, http.StatusOK).JSON(t, &out)
		if out.URL != polarCheckoutURL {
			t.Fatalf("checkout url = %q", out.URL)
		}
		var customerID string
		fake.mu.Lock()
		for id, ext := range fake.customers {
			if *ext == org.String() {
				customerID = id
			}
		}
		checkouts := append([]map[string]any(nil), fake.checkouts...)
		fake.mu.Unlock()
		if customerID == "" {
			t.Fatalf("no Polar customer has external_id %s", org)
		}
		if len(checkouts) != 1 || checkouts[0]["customer_id"] != customerID || fmt.Sprint(checkouts[0]["products"]) != "["+polarProPrice+"]" {
			t.Fatalf("checkouts = %+v", checkouts)
		}
		if md, _ := checkouts[0]["metadata"].(map[string]any); md["organization_id"] != org.String() {
			t.Errorf("checkout metadata = %+v", checkouts[0]["metadata"])
		}

		// The buyer paid: Polar holds an active subscription of the customer.
		now := a.Clock.Now()
		subID := "5ab0c0de-0001-4e5f-8a9b-000000000001"
		fake.put(&polarSub{
			id: subID, status: "active", customerID: customerID, productID: polarProPrice,
			periodStart: now.Add(-time.Minute), periodEnd: now.Add(30*24*time.Hour - time.Minute),
			createdAt: now.Add(-time.Minute), modifiedAt: now.Add(-time.Minute),
			metadata: map[string]any{"organization_id": org.String()},
		})

		// 1. A valid subscription event is 200 and its job applies what
		// Polar says now, not what the payload says: the payload still
		// shows the subscription incomplete, Polar has it active.
		fake.update(subID, func(s *polarSub) { s.status = "incomplete" })
		createdBody := fake.event("subscription.created", subID, now)
		fake.update(subID, func(s *polarSub) { s.status = "active" })
		created := polarDelivery{id: "msg_e2e_created", at: now, key: key, body: createdBody}
		ok := t.Run("valid event", func(t *testing.T) {
			var ans webhookAnswer
			created.send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Received || ans.Duplicate {
				t.Fatalf("answer = %+v", ans)
			}
			if outcome := processed(t, a, "polar", created.id); outcome != "applied" {
				t.Errorf("outcome = %q, want applied", outcome)
			}
			s := subscription(t, owner.Client)
			if s.status() != "active" || s.Plan != "pro" || !s.Entitled || s.CancelAtPeriodEnd || s.Interval == nil || *s.Interval != "month" {
				t.Errorf("subscription = %+v", s)
			}
			if fake.fetched(subID) == 0 {
				t.Error("the job never fetched the subscription from Polar")
			}
		})
		if !ok {
			return
		}

		// 2. A forged delivery — another key, or a body changed after
		// signing — is 400 and stores nothing.
		t.Run("forged signature", func(t *testing.T) {
			before := ledgerRows(t, a)
			body := fake.event("subscription.updated", subID, now)
			polarDelivery{id: "msg_e2e_forged", at: now, key: []byte("polar_whs_someone_else"), body: body}.
				send(hooks).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
			polarDelivery{id: "msg_e2e_tampered", at: now, key: key, body: strings.Replace(body, `"active"`, `"canceled"`, 1), signed: body}.
				send(hooks).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
			for _, id := range []string{"msg_e2e_forged", "msg_e2e_tampered"} {
				if rows, _, _ := ledger(t, a, "polar", id); rows != 0 {
					t.Errorf("%s recorded %d times", id, rows)
				}
				if n := webhookJobs(t, a, id); n != 0 {
					t.Errorf("%s enqueued %d jobs", id, n)
				}
			}
			if after := ledgerRows(t, a); after != before {
				t.Errorf("ledger rows %d → %d", before, after)
			}
		})

		// 3. A delivery stamped more than 300 s before the app's clock is
		// 400, and so is one fresh by the wall clock but not by the app's
		// (the test clock is months from the wall clock).
		t.Run("stale timestamp", func(t *testing.T) {
			before := ledgerRows(t, a)
			body := fake.event("subscription.updated", subID, now)
			polarDelivery{id: "msg_e2e_stale", at: a.Clock.Now().Add(-301 * time.Second), key: key, body: body}.
				send(hooks).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
			if wall := time.Now(); wall.Sub(a.Clock.Now()).Abs() > time.Hour {
				polarDelivery{id: "msg_e2e_wallclock", at: wall, key: key, body: body}.
					send(hooks).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
			}
			for _, id := range []string{"msg_e2e_stale", "msg_e2e_wallclock"} {
				if rows, _, _ := ledger(t, a, "polar", id); rows != 0 {
					t.Errorf("%s recorded %d times", id, rows)
				}
			}
			if after := ledgerRows(t, a); after != before {
				t.Errorf("ledger rows %d → %d", before, after)
			}
		})

		// 4. Polar's retry of a delivery (same webhook-id) is 200 duplicate
		// and makes no second row or job.
		t.Run("duplicate delivery", func(t *testing.T) {
			var ans webhookAnswer
			created.send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Received || !ans.Duplicate {
				t.Errorf("answer = %+v", ans)
			}
			// A retry is signed again at its own time.
			retry := created
			retry.at = a.Clock.Now().Add(time.Second)
			retry.send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Duplicate {
				t.Errorf("re-signed retry answer = %+v", ans)
			}
			if rows, _, _ := ledger(t, a, "polar", created.id); rows != 1 {
				t.Errorf("ledger rows of %s = %d", created.id, rows)
			}
			if n := webhookJobs(t, a, created.id); n != 1 {
				t.Errorf("billing.webhook jobs of %s = %d, want 1", created.id, n)
			}
		})

		// 5. Out of order: the subscription is canceled at the period end
		// and that event is processed; then an older event, its payload
		// showing the older state, arrives late. The stored state stays
		// the newer one.
		t.Run("out of order", func(t *testing.T) {
			sent := a.Clock.Now()
			olderBody := fake.event("subscription.updated", subID, sent.Add(-time.Minute))
			fake.update(subID, func(s *polarSub) {
				s.cancelAtPeriodEnd = true
				s.modifiedAt = sent
			})
			newer := polarDelivery{id: "msg_e2e_newer", at: sent, key: key, body: fake.event("subscription.canceled", subID, sent)}
			newer.send(hooks).RequireStatus(t, http.StatusOK)
			if outcome := processed(t, a, "polar", newer.id); outcome != "applied" {
				t.Errorf("newer outcome = %q", outcome)
			}
			if s := subscription(t, owner.Client); !s.CancelAtPeriodEnd || s.status() != "active" {
				t.Fatalf("after the newer event = %+v", s)
			}
			fetches := fake.fetched(subID)
			older := polarDelivery{id: "msg_e2e_older", at: sent.Add(-time.Minute), key: key, body: olderBody}
			older.send(hooks).RequireStatus(t, http.StatusOK)
			outcome := processed(t, a, "polar", older.id)
			if outcome != "applied" && outcome != "stale" {
				t.Errorf("older outcome = %q", outcome)
			}
			if fake.fetched(subID) == fetches {
				t.Error("the older event's job did not fetch the subscription from Polar")
			}
			if s := subscription(t, owner.Client); !s.CancelAtPeriodEnd || s.status() != "active" || s.Plan != "pro" {
				t.Errorf("the older event undid the newer state: %+v", s)
			}
		})

		// 6. A type billing does not handle is acknowledged and recorded
		// as ignored.
		t.Run("unknown event type", func(t *testing.T) {
			before := subscription(t, owner.Client)
			body := fmt.Sprintf(`{"type":"benefit_grant.created","timestamp":%q,"data":{"id":"9e0f0000-0001-4e5f-8a9b-000000000001","customer_id":%q}}`,
				a.Clock.Now().Format(time.RFC3339), customerID)
			var ans webhookAnswer
			polarDelivery{id: "msg_e2e_unknown", at: a.Clock.Now(), key: key, body: body}.send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Received || ans.Duplicate {
				t.Errorf("answer = %+v", ans)
			}
			if outcome := processed(t, a, "polar", "msg_e2e_unknown"); outcome != "ignored" {
				t.Errorf("outcome = %q, want ignored", outcome)
			}
			if after := subscription(t, owner.Client); !reflect.DeepEqual(after, before) {
				t.Errorf("subscription %s → %s", show(before), show(after))
			}
		})

		// 7. Foreign objects: Polar subscriptions of customers that no
		// organization of ours owns are acknowledged and processed without
		// a subscription; the ledger's outcome is "foreign" (billing's word
		// for "about no organization of ours", ports.go), and our
		// organization's subscription is untouched.
		foreign := func(t *testing.T, n int, externalID string) {
			t.Helper()
			cid := fmt.Sprintf("f0e1d2c3-%04d-4e5f-8a9b-000000000000", n)
			sid := fmt.Sprintf("f5ab0000-%04d-4e5f-8a9b-000000000000", n)
			fake.mu.Lock()
			fake.customers[cid] = &externalID
			fake.mu.Unlock()
			at := a.Clock.Now()
			fake.put(&polarSub{
				id: sid, status: "active", customerID: cid, productID: polarProPrice,
				periodStart: at, periodEnd: at.Add(30 * 24 * time.Hour), createdAt: at, modifiedAt: at,
			})
			before := subscription(t, owner.Client)
			id := fmt.Sprintf("msg_e2e_foreign_%d", n)
			var ans webhookAnswer
			polarDelivery{id: id, at: at, key: key, body: fake.event("subscription.active", sid, at)}.
				send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Received || ans.Duplicate {
				t.Errorf("answer = %+v", ans)
			}
			if outcome := processed(t, a, "polar", id); outcome != "foreign" {
				t.Errorf("customer external_id %q: outcome = %q, want foreign", externalID, outcome)
			}
			var subs int
			ctx := t.Context()
			if err := a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM billing_subscriptions WHERE provider_ref = $1 OR organization_id <> $2`,
				sid, org.String()).Scan(&subs); err != nil {
				t.Fatal(err)
			}
			if subs != 0 {
				t.Errorf("customer external_id %q: %d subscriptions stored outside our organization", externalID, subs)
			}
			if after := subscription(t, owner.Client); !reflect.DeepEqual(after, before) {
				t.Errorf("our subscription %s → %s", show(before), show(after))
			}
		}
		// Another application's customer in the same Polar organization:
		// its external_id is no organization ID at all.
		t.Run("foreign object", func(t *testing.T) { foreign(t, 1, "acct_another_app_42") })
		// Another Groundwork deployment's customer on the same Polar
		// organization (staging and production sharing one): its
		// external_id is a well-formed organization ID, of no organization
		// here.
		t.Run("foreign object, organization ID of none here", func(t *testing.T) {
			foreign(t, 2, kernel.NewID[kernel.OrganizationKind]().String())
		})
	})
}
