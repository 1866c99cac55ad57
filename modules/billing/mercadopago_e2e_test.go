package billing_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
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
	mpToken  = "APP_USR-e2e-4d1f9b7c"
	mpSecret = "mp_whs_e2e_Lr7Qw2Np9Xc4"
	mpPlanID = "2c9380848e0a4f7d018e0b1c2d3e0001" // testdata/mercadopago-plans.yaml
)

// mpZone is the offset Mercado Pago writes its times in.
var mpZone = time.FixedZone("-04:00", -4*3600)

// mpTime formats t as Mercado Pago does.
func mpTime(t time.Time) string { return t.In(mpZone).Format("2006-01-02T15:04:05.000-07:00") }

// mpPreapproval is a preapproval as Mercado Pago's API writes it (the fields
// the adapter reads, plus enough of the rest to look like the real thing).
type mpPreapproval struct {
	ID                string          `json:"id"`
	PayerID           int64           `json:"payer_id"`
	PayerEmail        string          `json:"payer_email"`
	BackURL           string          `json:"back_url"`
	CollectorID       int64           `json:"collector_id"`
	ApplicationID     int64           `json:"application_id"`
	Status            string          `json:"status"`
	Reason            string          `json:"reason"`
	ExternalReference string          `json:"external_reference"`
	DateCreated       string          `json:"date_created"`
	LastModified      string          `json:"last_modified"`
	InitPoint         string          `json:"init_point"`
	PreapprovalPlanID string          `json:"preapproval_plan_id,omitempty"`
	AutoRecurring     mpAutoRecurring `json:"auto_recurring"`
	NextPaymentDate   *string         `json:"next_payment_date"`
	PaymentMethodID   *string         `json:"payment_method_id"`
}

// mpAutoRecurring is a preapproval's recurrence; free_trial is null without
// a trial, as Mercado Pago writes it.
type mpAutoRecurring struct {
	Frequency         int     `json:"frequency"`
	FrequencyType     string  `json:"frequency_type"`
	TransactionAmount float64 `json:"transaction_amount"`
	CurrencyID        string  `json:"currency_id"`
	StartDate         string  `json:"start_date,omitempty"`
	FreeTrial         *struct {
		Frequency     int    `json:"frequency"`
		FrequencyType string `json:"frequency_type"`
	} `json:"free_trial"`
}

// mpAPI is an in-process Mercado Pago speaking the slice of its API the
// adapter calls, with its JSON shapes and Bearer auth: GET /users/me
// (start-up's credential check), POST /preapproval (checkout), GET
// /preapproval/{id} and GET /authorized_payments/search (an authorized
// preapproval's charges; there are none, so it is active). Anything else
// fails the test.
type mpAPI struct {
	t *testing.T

	mu           sync.Mutex
	preapprovals map[string]*mpPreapproval
	created      []map[string]any // the bodies of POST /preapproval
	fetches      map[string]int   // GET /preapproval/{id} by ID
	checks       int              // GET /users/me
	next         int
}

func newMPAPI(t *testing.T) (*mpAPI, *httptest.Server) {
	t.Helper()
	f := &mpAPI{t: t, preapprovals: map[string]*mpPreapproval{}, fetches: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv
}

func mpJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// mpError answers as Mercado Pago's API does.
func mpError(w http.ResponseWriter, status int, code, message string) {
	mpJSON(w, status, map[string]any{"message": message, "error": code, "status": status, "cause": []any{}})
}

func (f *mpAPI) serve(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			f.t.Errorf("fake mercadopago: %s %s: body is not a JSON object: %v", r.Method, r.URL, err)
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+mpToken {
		mpError(w, http.StatusUnauthorized, "unauthorized", "invalid access token")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/users/me":
		f.checks++
		mpJSON(w, http.StatusOK, map[string]any{"id": 1340175910, "nickname": "TEST_USER_658045679", "country_id": "BR", "site_id": "MLB"})
	case r.Method == http.MethodPost && r.URL.Path == "/preapproval":
		f.created = append(f.created, body)
		str := func(k string) string { s, _ := body[k].(string); return s }
		if str("preapproval_plan_id") != mpPlanID {
			mpError(w, http.StatusNotFound, "not_found", "preapproval_plan_id not found")
			return
		}
		f.next++
		id := fmt.Sprintf("2c938084726fca48017275%010x", f.next)
		now := mpTime(time.Now())
		pa := &mpPreapproval{
			ID: id, PayerID: 123123123, PayerEmail: str("payer_email"), BackURL: str("back_url"),
			CollectorID: 987654321, ApplicationID: 1234567890, Status: str("status"), Reason: str("reason"),
			ExternalReference: str("external_reference"), DateCreated: now, LastModified: now,
			InitPoint:         mpInitPoint(id),
			PreapprovalPlanID: mpPlanID, AutoRecurring: mpMonthly(now),
		}
		f.preapprovals[id] = pa
		mpJSON(w, http.StatusCreated, pa)
	case r.Method == http.MethodGet && r.URL.Path == "/authorized_payments/search":
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		offset, _ := strconv.Atoi(q.Get("offset"))
		mpJSON(w, http.StatusOK, map[string]any{"results": []any{}, "paging": map[string]int{"offset": offset, "limit": limit, "total": 0}})
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/preapproval/"):
		id := strings.TrimPrefix(r.URL.Path, "/preapproval/")
		f.fetches[id]++
		pa, ok := f.preapprovals[id]
		if !ok {
			mpError(w, http.StatusNotFound, "not_found", "The preapproval with id "+id+" does not exist")
			return
		}
		mpJSON(w, http.StatusOK, pa)
	default:
		f.t.Errorf("fake mercadopago: unexpected %s %s", r.Method, r.URL)
		mpError(w, http.StatusNotFound, "not_found", "resource not found")
	}
}

func mpInitPoint(id string) string {
	return "https://www.mercadopago.com.br/subscriptions/checkout?preapproval_id=" + id
}

// mpMonthly is the recurrence of testdata's pro plan.
func mpMonthly(start string) mpAutoRecurring {
	return mpAutoRecurring{Frequency: 1, FrequencyType: "months", TransactionAmount: 19, CurrencyID: "BRL", StartDate: start}
}

// put stores pa, replacing the preapproval with its ID.
func (f *mpAPI) put(pa *mpPreapproval) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.preapprovals[pa.ID] = pa
}

// update changes the preapproval with id under the fake's lock.
func (f *mpAPI) update(id string, change func(pa *mpPreapproval)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f.preapprovals[id])
}

func (f *mpAPI) fetched(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetches[id]
}

// mpSignature is Mercado Pago's x-signature, computed by hand: hex
// HMAC-SHA256 under secret of "id:{data.id};request-id:{x-request-id};ts:{ts};",
// data.id lower-cased as Mercado Pago does before signing.
func mpSignature(secret, dataID, requestID, ts string) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "id:%s;request-id:%s;ts:%s;", strings.ToLower(dataID), requestID, ts)
	return "ts=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// mpDelivery is a notification sent as Mercado Pago sends it: about dataID
// (in the query and the body), signed with secret, stamped at (the
// x-signature ts, in milliseconds as Mercado Pago's deliveries have it).
type mpDelivery struct {
	id        int64 // the notification's id, kept across redeliveries
	typ       string
	dataID    string
	requestID string
	at        time.Time
	secret    string
	// signedID, when set, is the data.id that was signed instead of dataID
	// (a delivery redirected to another object after signing).
	signedID string
}

// eventID is the ledger's event_id of d.
func (d mpDelivery) eventID() string { return strconv.FormatInt(d.id, 10) }

func (d mpDelivery) send(c *testkit.Client) *testkit.Response {
	signed := d.dataID
	if d.signedID != "" {
		signed = d.signedID
	}
	ts := strconv.FormatInt(d.at.UnixMilli(), 10)
	body, err := json.Marshal(map[string]any{
		"action": "updated", "application_id": 2111981040044412, "data": map[string]any{"id": d.dataID},
		"date_created": d.at.UTC().Format(time.RFC3339), "entity": "preapproval", "id": d.id,
		"live_mode": false, "type": d.typ, "user_id": 1340175910, "version": 1,
	})
	if err != nil {
		panic(err)
	}
	q := url.Values{"data.id": {d.dataID}, "type": {d.typ}}
	return c.Do(http.MethodPost, "/webhooks/mercadopago?"+q.Encode(), string(body),
		"Content-Type", "application/json",
		"x-request-id", d.requestID,
		"x-signature", mpSignature(d.secret, signed, d.requestID, ts))
}

// TestMercadoPago_WebhookMatrix drives Mercado Pago's notifications through
// the whole app against an in-process Mercado Pago: the x-signature and the
// 300 s window by the app's clock, the ledger's once-only record, the job
// that fetches the preapproval (a notification carries no state), and the
// notifications that are acknowledged and ignored or foreign.
func TestMercadoPago_WebhookMatrix(t *testing.T) {
	plans, err := filepath.Abs("testdata/mercadopago-plans.yaml")
	if err != nil {
		t.Fatal(err)
	}
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		fake, srv := newMPAPI(t)
		a := testkit.New(t, dialect, testkit.WithEnv("PAYMENT_PROVIDER", "mercadopago", "MERCADOPAGO_ACCESS_TOKEN", mpToken,
			"MERCADOPAGO_WEBHOOK_SECRET", mpSecret, "MERCADOPAGO_API_BASE", srv.URL, "PLANS_FILE", plans))
		fake.mu.Lock()
		checks := fake.checks
		fake.mu.Unlock()
		if checks == 0 {
			t.Error("start-up made no credential check against MERCADOPAGO_API_BASE")
		}
		hooks := a.Client()

		// An organization's checkout is a pending preapproval of the plan,
		// with the organization as its external_reference.
		email := testkit.NewEmail("owner")
		owner := a.SignUp(t, email, "Olga", true)
		org := organization(t, owner.Client, "mp-co")
		var out struct {
			URL string `json:"url"`
		}
		owner.Post("/api/billing/checkout", map[string]any{"plan": "pro", "interval": "month"}).RequireStatus(t, http.StatusOK).JSON(t, &out)
		fake.mu.Lock()
		created := append([]map[string]any(nil), fake.created...)
		var subID string
		for id := range fake.preapprovals {
			subID = id
		}
		fake.mu.Unlock()
		if len(created) != 1 || created[0]["external_reference"] != org.String() || created[0]["preapproval_plan_id"] != mpPlanID ||
			created[0]["status"] != "pending" || !strings.EqualFold(fmt.Sprint(created[0]["payer_email"]), email) {
			t.Fatalf("preapprovals created = %+v", created)
		}
		if out.URL != mpInitPoint(subID) {
			t.Fatalf("checkout url = %q, want the init_point of %s", out.URL, subID)
		}

		// The buyer authorized it.
		now := a.Clock.Now()
		fake.update(subID, func(pa *mpPreapproval) {
			pa.Status = "authorized"
			pa.LastModified = mpTime(now.Add(-time.Minute))
			next := mpTime(now.Add(30 * 24 * time.Hour))
			pa.NextPaymentDate = &next
		})

		// 1. A valid notification is 200 and its job fetches the preapproval:
		// authorized, with no charge yet, is active.
		valid := mpDelivery{id: 104166812401, typ: "subscription_preapproval", dataID: subID,
			requestID: "0b1c2d3e-0001-4ec2-aaaa-9e8b1d2f3c4d", at: now, secret: mpSecret}
		ok := t.Run("valid notification", func(t *testing.T) {
			var ans webhookAnswer
			valid.send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Received || ans.Duplicate {
				t.Fatalf("answer = %+v", ans)
			}
			if outcome := processed(t, a, "mercadopago", valid.eventID()); outcome != "applied" {
				t.Errorf("outcome = %q, want applied", outcome)
			}
			s := subscription(t, owner.Client)
			if s.status() != "active" || s.Plan != "pro" || !s.Entitled || s.Interval == nil || *s.Interval != "month" {
				t.Errorf("subscription = %s", show(s))
			}
			if fake.fetched(subID) == 0 {
				t.Error("the job never fetched the preapproval from Mercado Pago")
			}
		})
		if !ok {
			return
		}

		// 2. A forged notification — another secret, or a data.id changed
		// after signing — is 400 and stores nothing.
		t.Run("forged signature", func(t *testing.T) {
			before := ledgerRows(t, a)
			forged := valid
			forged.id, forged.requestID, forged.secret = 104166812402, "0b1c2d3e-0002-4ec2-aaaa-9e8b1d2f3c4d", "mp_whs_someone_else"
			forged.send(hooks).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
			redirected := valid
			redirected.id, redirected.requestID = 104166812403, "0b1c2d3e-0003-4ec2-aaaa-9e8b1d2f3c4d"
			redirected.dataID, redirected.signedID = "2c938084726fca480172750000000fff", subID
			redirected.send(hooks).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
			for _, d := range []mpDelivery{forged, redirected} {
				if rows, _, _ := ledger(t, a, "mercadopago", d.eventID()); rows != 0 {
					t.Errorf("%s recorded %d times", d.eventID(), rows)
				}
				if n := webhookJobs(t, a, d.eventID()); n != 0 {
					t.Errorf("%s enqueued %d jobs", d.eventID(), n)
				}
			}
			if after := ledgerRows(t, a); after != before {
				t.Errorf("ledger rows %d → %d", before, after)
			}
		})

		// 3. A notification stamped more than 300 s before the app's clock is
		// 400, and so is one fresh by the wall clock but not by the app's.
		t.Run("stale timestamp", func(t *testing.T) {
			before := ledgerRows(t, a)
			stale := valid
			stale.id, stale.requestID, stale.at = 104166812404, "0b1c2d3e-0004-4ec2-aaaa-9e8b1d2f3c4d", a.Clock.Now().Add(-301*time.Second)
			stale.send(hooks).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
			sent := []mpDelivery{stale}
			if wall := time.Now(); wall.Sub(a.Clock.Now()).Abs() > time.Hour {
				wallclock := valid
				wallclock.id, wallclock.requestID, wallclock.at = 104166812405, "0b1c2d3e-0005-4ec2-aaaa-9e8b1d2f3c4d", wall
				wallclock.send(hooks).RequireProblem(t, http.StatusBadRequest, "billing.invalid_webhook")
				sent = append(sent, wallclock)
			}
			for _, d := range sent {
				if rows, _, _ := ledger(t, a, "mercadopago", d.eventID()); rows != 0 {
					t.Errorf("%s recorded %d times", d.eventID(), rows)
				}
			}
			if after := ledgerRows(t, a); after != before {
				t.Errorf("ledger rows %d → %d", before, after)
			}
		})

		// 4. Mercado Pago's redelivery of a notification (same id) is 200
		// duplicate and makes no second row or job, also when it comes
		// signed again with its own request ID and time.
		t.Run("duplicate notification", func(t *testing.T) {
			var ans webhookAnswer
			valid.send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Received || !ans.Duplicate {
				t.Errorf("answer = %+v", ans)
			}
			retry := valid
			retry.requestID, retry.at = "0b1c2d3e-0006-4ec2-aaaa-9e8b1d2f3c4d", a.Clock.Now().Add(time.Second)
			retry.send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Duplicate {
				t.Errorf("re-signed retry answer = %+v", ans)
			}
			if rows, _, _ := ledger(t, a, "mercadopago", valid.eventID()); rows != 1 {
				t.Errorf("ledger rows of %s = %d", valid.eventID(), rows)
			}
			if n := webhookJobs(t, a, valid.eventID()); n != 1 {
				t.Errorf("billing.webhook jobs of %s = %d, want 1", valid.eventID(), n)
			}
		})

		// 5. Out of order: the preapproval is paused and that notification is
		// processed; then an older notification, from before the pause,
		// arrives late. The stored state stays the newer one.
		t.Run("out of order", func(t *testing.T) {
			sent := a.Clock.Advance(time.Minute)
			fake.update(subID, func(pa *mpPreapproval) {
				pa.Status = "paused"
				pa.LastModified = mpTime(sent)
			})
			newer := mpDelivery{id: 104166812408, typ: "subscription_preapproval", dataID: subID,
				requestID: "0b1c2d3e-0008-4ec2-aaaa-9e8b1d2f3c4d", at: sent, secret: mpSecret}
			newer.send(hooks).RequireStatus(t, http.StatusOK)
			if outcome := processed(t, a, "mercadopago", newer.eventID()); outcome != "applied" {
				t.Errorf("newer outcome = %q", outcome)
			}
			if s := subscription(t, owner.Client); s.status() != "paused" || s.Plan != "pro" {
				t.Fatalf("after the newer notification = %s", show(s))
			}
			fetches := fake.fetched(subID)
			older := mpDelivery{id: 104166812407, typ: "subscription_preapproval", dataID: subID,
				requestID: "0b1c2d3e-0007-4ec2-aaaa-9e8b1d2f3c4d", at: sent.Add(-30 * time.Second), secret: mpSecret}
			older.send(hooks).RequireStatus(t, http.StatusOK)
			outcome := processed(t, a, "mercadopago", older.eventID())
			if outcome != "applied" && outcome != "stale" {
				t.Errorf("older outcome = %q", outcome)
			}
			if fake.fetched(subID) == fetches {
				t.Error("the older notification's job did not fetch the preapproval from Mercado Pago")
			}
			if s := subscription(t, owner.Client); s.status() != "paused" || s.Plan != "pro" {
				t.Errorf("the older notification undid the newer state: %s", show(s))
			}
		})

		// 6. A type billing does not handle (a one-off payment) is
		// acknowledged and recorded as ignored, without a fetch.
		t.Run("unknown notification type", func(t *testing.T) {
			before := subscription(t, owner.Client)
			unknown := mpDelivery{id: 104166812409, typ: "payment", dataID: "3950169512",
				requestID: "0b1c2d3e-0009-4ec2-aaaa-9e8b1d2f3c4d", at: a.Clock.Now(), secret: mpSecret}
			var ans webhookAnswer
			unknown.send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Received || ans.Duplicate {
				t.Errorf("answer = %+v", ans)
			}
			if outcome := processed(t, a, "mercadopago", unknown.eventID()); outcome != "ignored" {
				t.Errorf("outcome = %q, want ignored", outcome)
			}
			if after := subscription(t, owner.Client); !reflect.DeepEqual(after, before) {
				t.Errorf("subscription %s → %s", show(before), show(after))
			}
		})

		// 7. Foreign objects: authorized preapprovals of our plan whose
		// external_reference names no organization of ours are acknowledged
		// and processed without a subscription; the outcome is "foreign",
		// and our organization's subscription is untouched.
		foreign := func(t *testing.T, n int, externalReference string) {
			t.Helper()
			at := a.Clock.Now()
			sid := fmt.Sprintf("f0e1d2c3a4b5c6d7e8f90000%08x", n)
			next := mpTime(at.Add(30 * 24 * time.Hour))
			fake.put(&mpPreapproval{
				ID: sid, PayerID: 555000111, PayerEmail: "someone@elsewhere.test", BackURL: "https://elsewhere.test/done",
				CollectorID: 987654321, ApplicationID: 1234567890, Status: "authorized", Reason: "pro",
				ExternalReference: externalReference, DateCreated: mpTime(at.Add(-time.Hour)), LastModified: mpTime(at),
				InitPoint: mpInitPoint(sid), PreapprovalPlanID: mpPlanID, AutoRecurring: mpMonthly(mpTime(at.Add(-time.Hour))),
				NextPaymentDate: &next,
			})
			before := subscription(t, owner.Client)
			d := mpDelivery{id: 104166812500 + int64(n), typ: "subscription_preapproval", dataID: sid,
				requestID: fmt.Sprintf("0b1c2d3e-%04d-4ec2-bbbb-9e8b1d2f3c4d", n), at: at, secret: mpSecret}
			var ans webhookAnswer
			d.send(hooks).RequireStatus(t, http.StatusOK).JSON(t, &ans)
			if !ans.Received || ans.Duplicate {
				t.Errorf("answer = %+v", ans)
			}
			if outcome := processed(t, a, "mercadopago", d.eventID()); outcome != "foreign" {
				t.Errorf("external_reference %q: outcome = %q, want foreign", externalReference, outcome)
			}
			if fake.fetched(sid) == 0 {
				t.Errorf("external_reference %q: the job never fetched the preapproval", externalReference)
			}
			var subs int
			ctx := t.Context()
			if err := a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM billing_subscriptions WHERE provider_ref = $1 OR organization_id <> $2`,
				sid, org.String()).Scan(&subs); err != nil {
				t.Fatal(err)
			}
			if subs != 0 {
				t.Errorf("external_reference %q: %d subscriptions stored outside our organization", externalReference, subs)
			}
			if after := subscription(t, owner.Client); !reflect.DeepEqual(after, before) {
				t.Errorf("our subscription %s → %s", show(before), show(after))
			}
		}
		// Another application's preapproval on the same Mercado Pago
		// account: its external_reference is no organization ID at all.
		t.Run("foreign object", func(t *testing.T) { foreign(t, 1, "acct_another_app_42") })
		// Another Groundwork deployment's preapproval on the same account
		// (staging and production sharing one): a well-formed organization
		// ID, of no organization here.
		t.Run("foreign object, organization ID of none here", func(t *testing.T) {
			foreign(t, 2, kernel.NewID[kernel.OrganizationKind]().String())
		})
	})
}
