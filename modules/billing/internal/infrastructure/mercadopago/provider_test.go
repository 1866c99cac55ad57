package mercadopago_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/mercadopago"
)

const (
	token   = "APP_USR-1234567890-030112-abcdef"
	secretA = "f1c9d3e0a7b24c58b6e9a1d2c3b4a5f6"
	secretB = "rotated-9e8d7c6b5a4f3e2d1c0b"
)

// bundle is what a test works with: the fake API and a provider pointed at
// it.
type bundle struct {
	api *fakeMP
	p   *mercadopago.Provider
}

func setup(t *testing.T) bundle {
	t.Helper()
	api := newFakeMP(t, token)
	return bundle{api: api, p: newProvider(t, token, api.srv.URL, api.srv.Client())}
}

func newProvider(t *testing.T, accessToken, base string, client *http.Client) *mercadopago.Provider {
	t.Helper()
	p, err := mercadopago.New(mercadopago.Config{
		AccessToken:    accessToken,
		WebhookSecrets: []string{secretA, secretB},
		APIBase:        base,
		HTTPClient:     client,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// closedBase is the URL of a server that no longer listens.
func closedBase(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	return base
}

func wantKind(t *testing.T, err error, kind kernel.ErrorKind, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s %s", kind, code)
	}
	if got := kernel.KindOf(err); got != kind {
		t.Fatalf("kind = %s, want %s (err: %v)", got, kind, err)
	}
	if got := kernel.CodeOf(err); got != code {
		t.Fatalf("code = %q, want %q (err: %v)", got, code, err)
	}
}

func mustEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  mercadopago.Config
		want string // the variable the error must name
	}{
		{"no token", mercadopago.Config{WebhookSecrets: []string{secretA}}, "MERCADOPAGO_ACCESS_TOKEN"},
		{"no secret", mercadopago.Config{AccessToken: token}, "MERCADOPAGO_WEBHOOK_SECRET"},
		{"three secrets", mercadopago.Config{AccessToken: token, WebhookSecrets: []string{"a", "b", "c"}}, "MERCADOPAGO_WEBHOOK_SECRET"},
		{"empty secret", mercadopago.Config{AccessToken: token, WebhookSecrets: []string{secretA, " "}}, "MERCADOPAGO_WEBHOOK_SECRET"},
		{"bad base", mercadopago.Config{AccessToken: token, WebhookSecrets: []string{secretA}, APIBase: "ftp://x"}, "API base"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := mercadopago.New(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want an error naming %s", err, tc.want)
			}
		})
	}
	if _, err := mercadopago.New(mercadopago.Config{AccessToken: token, WebhookSecrets: []string{secretA}}); err != nil {
		t.Fatalf("New with defaults: %v", err)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	t.Run("accepted token", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		if err := b.p.Check(context.Background()); err != nil {
			t.Fatalf("Check: %v", err)
		}
		reqs := b.api.received("GET /users/me")
		if len(reqs) != 1 {
			t.Fatalf("GET /users/me sent %d times, want 1", len(reqs))
		}
		mustEqual(t, "authorization", reqs[0].Header.Get("Authorization"), "Bearer "+token)
	})
	t.Run("refused token", func(t *testing.T) {
		t.Parallel()
		api := newFakeMP(t, token)
		err := newProvider(t, "APP_USR-wrong", api.srv.URL, nil).Check(context.Background())
		if err == nil || !strings.Contains(err.Error(), "MERCADOPAGO_ACCESS_TOKEN") {
			t.Fatalf("Check = %v, want an error naming MERCADOPAGO_ACCESS_TOKEN", err)
		}
		if errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("a refused token is not an outage: %v", err)
		}
	})
	t.Run("failing API", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.fail("GET /users/me", http.StatusInternalServerError)
		if err := b.p.Check(context.Background()); !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("Check = %v, want ErrProviderUnavailable", err)
		}
		// No retries: the SDK's default requester would have sent four.
		if n := len(b.api.received("GET /users/me")); n != 1 {
			t.Fatalf("GET /users/me sent %d times, want 1", n)
		}
	})
	t.Run("unreachable API", func(t *testing.T) {
		t.Parallel()
		err := newProvider(t, token, closedBase(t), nil).Check(context.Background())
		if !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("Check = %v, want ErrProviderUnavailable", err)
		}
	})
}

func TestWithoutAPI(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	mustEqual(t, "Name", b.p.Name(), "mercadopago")
	mustEqual(t, "SupportsSeats", b.p.SupportsSeats(), false)

	org := kernel.NewID[kernel.OrganizationKind]()
	ref, err := b.p.CreateCustomer(ctx, domain.Customer{OrganizationID: org, Name: "Acme", Email: "owner@acme.test"})
	if err != nil {
		t.Fatalf("CreateCustomer: %v", err)
	}
	mustEqual(t, "customer ref", ref, "org:"+org.String())
	_, err = b.p.CreateCustomer(ctx, domain.Customer{Name: "Acme"})
	wantKind(t, err, kernel.KindInvalid, "billing.organization_required")

	url, err := b.p.Portal(ctx, ref, "https://app.test/billing")
	if err != nil || url != "" {
		t.Fatalf("Portal = %q, %v; want \"\", nil", url, err)
	}
	_, err = b.p.SetSeats(ctx, "2c9380847e", 3)
	wantKind(t, err, kernel.KindInvalid, "billing.seats_unsupported")

	if reqs := b.api.received(""); len(reqs) != 0 {
		t.Fatalf("%d requests sent, want none", len(reqs))
	}
}

func TestCheckoutSendsPreapproval(t *testing.T) {
	t.Parallel()
	org := kernel.NewID[kernel.OrganizationKind]()
	base := domain.CheckoutRequest{
		OrganizationID: org,
		CustomerRef:    "org:" + org.String(),
		PayerEmail:     "owner@acme.test",
		SuccessURL:     "https://app.test/billing/done",
		CancelURL:      "https://app.test/billing",
	}
	common := map[string]any{
		"reason":             "pro",
		"external_reference": org.String(),
		"payer_email":        "owner@acme.test",
		"back_url":           "https://app.test/billing/done",
		"status":             "pending",
	}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range common {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		price     domain.Price
		trialDays int
		want      map[string]any
	}{
		{
			name:      "monthly with a trial",
			price:     domain.Price{Plan: "pro", Interval: domain.Month, Amount: 1999, Currency: "brl"},
			trialDays: 14,
			want: with(map[string]any{"auto_recurring": map[string]any{
				"frequency": 1.0, "frequency_type": "months", "transaction_amount": 19.99, "currency_id": "BRL",
				"free_trial": map[string]any{"frequency": 14.0, "frequency_type": "days"},
			}}),
		},
		{
			name:  "yearly",
			price: domain.Price{Plan: "pro", Interval: domain.Year, Amount: 12000050, Currency: "ars"},
			want: with(map[string]any{"auto_recurring": map[string]any{
				"frequency": 12.0, "frequency_type": "months", "transaction_amount": 120000.5, "currency_id": "ARS",
			}}),
		},
		{
			name:  "zero-decimal currency",
			price: domain.Price{Plan: "pro", Interval: domain.Month, Amount: 9990, Currency: "clp"},
			want: with(map[string]any{"auto_recurring": map[string]any{
				"frequency": 1.0, "frequency_type": "months", "transaction_amount": 9990.0, "currency_id": "CLP",
			}}),
		},
		{
			name:      "preapproval plan",
			price:     domain.Price{Plan: "pro", Interval: domain.Month, ProviderID: "2c938084plan01", Amount: 1999, Currency: "brl"},
			trialDays: 7, // the plan carries its own trial
			want:      with(map[string]any{"preapproval_plan_id": "2c938084plan01"}),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.api.plans["2c938084plan01"] = fakeAutoRecurring{Frequency: 1, FrequencyType: "months", TransactionAmount: 19.99, CurrencyID: "BRL"}
			r := base
			r.Price, r.TrialDays = tc.price, tc.trialDays
			got, err := b.p.Checkout(context.Background(), r)
			if err != nil {
				t.Fatalf("Checkout: %v", err)
			}
			reqs := b.api.received("POST /preapproval")
			if len(reqs) != 1 {
				t.Fatalf("POST /preapproval sent %d times, want 1", len(reqs))
			}
			mustEqual(t, "preapproval request", reqs[0].Body, tc.want)
			mustEqual(t, "authorization", reqs[0].Header.Get("Authorization"), "Bearer "+token)
			if reqs[0].Header.Get("X-Idempotency-Key") == "" {
				t.Fatal("no X-Idempotency-Key on the POST")
			}
			var created fakePreapproval
			for _, pa := range b.api.preapprovals {
				created = *pa
			}
			mustEqual(t, "checkout URL", got, created.InitPoint)
			if !strings.HasPrefix(got, "https://www.mercadopago.com.br/subscriptions/checkout?preapproval_id=") {
				t.Fatalf("checkout URL %q is not an init_point", got)
			}
		})
	}
}

func TestCheckoutRefusals(t *testing.T) {
	t.Parallel()
	org := kernel.NewID[kernel.OrganizationKind]()
	ok := domain.CheckoutRequest{
		OrganizationID: org,
		Price:          domain.Price{Plan: "pro", Interval: domain.Month, Amount: 1999, Currency: "brl"},
		PayerEmail:     "owner@acme.test",
		SuccessURL:     "https://app.test/billing/done",
	}
	for _, tc := range []struct {
		name   string
		edit   func(*domain.CheckoutRequest)
		kind   kernel.ErrorKind
		code   string
		detail string // "" = not checked
		sent   int    // POSTs expected
	}{
		{"seats", func(r *domain.CheckoutRequest) { r.Seats = 5 }, kernel.KindInvalid, "billing.seats_unsupported", "", 0},
		{"no payer email", func(r *domain.CheckoutRequest) { r.PayerEmail = "" }, kernel.KindInvalid, "billing.payer_email_required", "", 0},
		{"weekly", func(r *domain.CheckoutRequest) { r.Price.Interval = "week" }, kernel.KindInvalid, "billing.interval_unsupported", "", 0},
		{"refused by Mercado Pago (400)", func(r *domain.CheckoutRequest) { r.PayerEmail = "not-an-email" },
			kernel.KindInvalid, "billing.provider_refused", "Mercado Pago refused the request: Invalid payer_email", 1},
		{"unknown plan (404)", func(r *domain.CheckoutRequest) { r.Price.ProviderID = "2c938084nope" },
			kernel.KindInvalid, "billing.provider_refused", "Mercado Pago refused the request: preapproval_plan_id not found", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			r := ok
			tc.edit(&r)
			url, err := b.p.Checkout(context.Background(), r)
			wantKind(t, err, tc.kind, tc.code)
			if url != "" {
				t.Fatalf("url = %q on failure", url)
			}
			if tc.detail != "" {
				mustEqual(t, "detail", kernel.AsError(err).Detail, tc.detail)
			}
			if n := len(b.api.received("POST /preapproval")); n != tc.sent {
				t.Fatalf("POST /preapproval sent %d times, want %d", n, tc.sent)
			}
		})
	}
	t.Run("API failing", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.api.fail("POST /preapproval", http.StatusBadGateway)
		if _, err := b.p.Checkout(context.Background(), ok); !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("Checkout = %v, want ErrProviderUnavailable", err)
		}
	})
}

// charge is an authorized payment to seed: how long before the fake's clock
// it was created, its status, its payment's status and its retries.
type charge struct {
	ago             time.Duration
	status, payment string
	retries         int
}

func TestSubscriptionStatus(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	approved := charge{30 * day, "processed", "approved", 0}
	for _, tc := range []struct {
		name    string
		status  string
		trial   bool
		charges []charge
		want    domain.Status
	}{
		{"pending", "pending", false, nil, domain.StatusIncomplete},
		{"authorized, not charged yet", "authorized", false, nil, domain.StatusActive},
		{"authorized, paid", "authorized", false, []charge{approved}, domain.StatusActive},
		{"authorized, latest recycling", "authorized", false,
			[]charge{{60 * day, "processed", "approved", 0}, {1 * day, "recycling", "rejected", 1}}, domain.StatusPastDue},
		{"authorized, recycling on its last attempt", "authorized", false,
			[]charge{approved, {1 * day, "recycling", "rejected", 4}}, domain.StatusPastDue},
		{"authorized, latest rejected with attempts left", "authorized", false,
			[]charge{approved, {2 * day, "processed", "rejected", 2}}, domain.StatusPastDue},
		{"authorized, latest rejected without attempts left", "authorized", false,
			[]charge{approved, {2 * day, "processed", "rejected", 4}}, domain.StatusUnpaid},
		{"authorized, an older rejection was recovered", "authorized", false,
			[]charge{{40 * day, "recycling", "rejected", 3}, {10 * day, "processed", "approved", 0}}, domain.StatusActive},
		{"authorized, a scheduled installment is not a charge", "authorized", false,
			[]charge{{5 * day, "recycling", "rejected", 1}, {0, "scheduled", "", 0}}, domain.StatusPastDue},
		{"authorized, in its free trial", "authorized", true, []charge{{0, "scheduled", "", 0}}, domain.StatusTrialing},
		{"authorized, after its free trial", "authorized", true, []charge{approved}, domain.StatusActive},
		{"paused", "paused", false, []charge{approved}, domain.StatusPaused},
		{"cancelled", "cancelled", false, []charge{{1 * day, "recycling", "rejected", 1}}, domain.StatusCanceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			ar := fakeAutoRecurring{Frequency: 1, FrequencyType: "months", TransactionAmount: 19.99, CurrencyID: "BRL"}
			if tc.trial {
				ar.FreeTrial = &fakeFreeTrial{Frequency: 14, FrequencyType: "days"}
			}
			pa := b.api.addPreapproval(fakePreapproval{Status: tc.status, Reason: "pro", AutoRecurring: ar}, b.api.clock.Add(10*day))
			for _, c := range tc.charges {
				b.api.addPayment(pa.ID, b.api.clock.Add(-c.ago), c.status, c.payment, c.retries)
			}
			s, err := b.p.Subscription(context.Background(), pa.ID)
			if err != nil {
				t.Fatalf("Subscription: %v", err)
			}
			mustEqual(t, "status", s.Status, tc.want)
			searches := len(b.api.received("GET /authorized_payments/search"))
			if wantSearch := tc.status == "authorized"; (searches > 0) != wantSearch {
				t.Fatalf("authorized payments searched %d times; want a search only for an authorized preapproval", searches)
			}
		})
	}
}

func TestSubscriptionSnapshot(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := kernel.NewID[kernel.OrganizationKind]()
	next := time.Date(2025, 4, 5, 10, 0, 0, 0, mpZone)
	monthly := b.api.addPreapproval(fakePreapproval{
		Status: "authorized", Reason: "pro", ExternalReference: org.String(),
		AutoRecurring: fakeAutoRecurring{Frequency: 1, FrequencyType: "months", TransactionAmount: 19.99, CurrencyID: "BRL"},
	}, next)
	got, err := b.p.Subscription(context.Background(), monthly.ID)
	if err != nil {
		t.Fatalf("Subscription: %v", err)
	}
	changed, _ := time.Parse(time.RFC3339, monthly.LastModified)
	mustEqual(t, "snapshot", got, domain.ProviderSubscription{
		Ref:                monthly.ID,
		CustomerRef:        "org:" + org.String(),
		OrganizationID:     org,
		PriceID:            "",
		Status:             domain.StatusActive,
		CurrentPeriodStart: time.Date(2025, 3, 5, 14, 0, 0, 0, time.UTC),
		CurrentPeriodEnd:   time.Date(2025, 4, 5, 14, 0, 0, 0, time.UTC),
		Seats:              1,
		ChangedAt:          changed.UTC(),
	})
	search := b.api.received("GET /authorized_payments/search")
	if len(search) != 1 || search[0].Query.Get("preapproval_id") != monthly.ID {
		t.Fatalf("authorized payments search = %+v, want one for preapproval %s", search, monthly.ID)
	}

	yearly := b.api.addPreapproval(fakePreapproval{
		Status: "pending", Reason: "pro", ExternalReference: "not-an-org", PreapprovalPlanID: "2c938084plan01",
		DateCreated:   mpTime(time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)),
		AutoRecurring: fakeAutoRecurring{Frequency: 12, FrequencyType: "months", TransactionAmount: 199, CurrencyID: "BRL", FreeTrial: &fakeFreeTrial{Frequency: 7, FrequencyType: "days"}},
	}, next)
	got, err = b.p.Subscription(context.Background(), yearly.ID)
	if err != nil {
		t.Fatalf("Subscription: %v", err)
	}
	trialEnd := time.Date(2025, 2, 8, 0, 0, 0, 0, time.UTC)
	changed, _ = time.Parse(time.RFC3339, yearly.LastModified)
	mustEqual(t, "snapshot", got, domain.ProviderSubscription{
		Ref:                yearly.ID,
		PriceID:            "2c938084plan01",
		Status:             domain.StatusIncomplete,
		CurrentPeriodStart: time.Date(2024, 4, 5, 14, 0, 0, 0, time.UTC),
		CurrentPeriodEnd:   time.Date(2025, 4, 5, 14, 0, 0, 0, time.UTC),
		TrialEnd:           &trialEnd,
		Seats:              1,
		ChangedAt:          changed.UTC(),
	})
}

func TestSubscriptionFindsLatestChargeAcrossPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pa := b.api.addPreapproval(fakePreapproval{Status: "authorized", Reason: "pro",
		AutoRecurring: fakeAutoRecurring{Frequency: 1, FrequencyType: "months", TransactionAmount: 19.99, CurrencyID: "BRL"}}, b.api.clock)
	// The newest charge has the smallest ID, so the fake (newest ID first)
	// lists it last, on the second page.
	b.api.addPayment(pa.ID, b.api.clock.Add(-time.Hour), "recycling", "rejected", 1)
	for i := 1; i <= 60; i++ {
		b.api.addPayment(pa.ID, b.api.clock.AddDate(0, -i, 0), "processed", "approved", 0)
	}
	s, err := b.p.Subscription(context.Background(), pa.ID)
	if err != nil {
		t.Fatalf("Subscription: %v", err)
	}
	mustEqual(t, "status", s.Status, domain.StatusPastDue)
	if n := len(b.api.received("GET /authorized_payments/search")); n != 2 {
		t.Fatalf("%d search pages read, want 2", n)
	}
}

func TestSubscriptionByAuthorizedPayment(t *testing.T) {
	t.Parallel()
	b := setup(t)
	pa := b.api.addPreapproval(fakePreapproval{Status: "authorized", Reason: "pro",
		AutoRecurring: fakeAutoRecurring{Frequency: 1, FrequencyType: "months", TransactionAmount: 19.99, CurrencyID: "BRL"}}, b.api.clock)
	ap := b.api.addPayment(pa.ID, b.api.clock.Add(-time.Hour), "recycling", "rejected", 1)

	s, err := b.p.Subscription(context.Background(), "authorized_payment:"+itoa(ap.ID))
	if err != nil {
		t.Fatalf("Subscription: %v", err)
	}
	mustEqual(t, "ref", s.Ref, pa.ID)
	mustEqual(t, "status", s.Status, domain.StatusPastDue)
	if n := len(b.api.received("GET /authorized_payments/" + itoa(ap.ID))); n != 1 {
		t.Fatalf("authorized payment fetched %d times, want 1", n)
	}
}

func TestSubscriptionErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("unknown preapproval (404)", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.p.Subscription(ctx, "2c938084ffffffff")
		if !errors.Is(err, domain.ErrUnknownSubscription) {
			t.Fatalf("Subscription = %v, want ErrUnknownSubscription", err)
		}
	})
	t.Run("unknown authorized payment (404)", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.p.Subscription(ctx, "authorized_payment:123")
		if !errors.Is(err, domain.ErrUnknownSubscription) {
			t.Fatalf("Subscription = %v, want ErrUnknownSubscription", err)
		}
	})
	t.Run("ref that is no ID", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		for _, ref := range []string{"", "../users/me", "a/b", "authorized_payment:../../users/me"} {
			if _, err := b.p.Subscription(ctx, ref); !errors.Is(err, domain.ErrUnknownSubscription) {
				t.Fatalf("Subscription(%q) = %v, want ErrUnknownSubscription", ref, err)
			}
		}
		if n := len(b.api.received("")); n != 0 {
			t.Fatalf("%d requests sent for refs that are no IDs", n)
		}
	})
	t.Run("unknown status", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pa := b.api.addPreapproval(fakePreapproval{Status: "expired", Reason: "pro"}, time.Time{})
		if _, err := b.p.Subscription(ctx, pa.ID); err == nil {
			t.Fatal("Subscription of an unknown status succeeded")
		}
	})
	for _, path := range []string{"GET /preapproval/", "GET /authorized_payments/search"} {
		t.Run("500 on "+path, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			pa := b.api.addPreapproval(fakePreapproval{Status: "authorized", Reason: "pro"}, time.Time{})
			b.api.fail(path, http.StatusInternalServerError)
			_, err := b.p.Subscription(ctx, pa.ID)
			if !errors.Is(err, domain.ErrProviderUnavailable) || kernel.KindOf(err) != kernel.KindUnavailable {
				t.Fatalf("Subscription = %v, want ErrProviderUnavailable", err)
			}
		})
	}
	t.Run("refused token (401)", func(t *testing.T) {
		t.Parallel()
		api := newFakeMP(t, token)
		pa := api.addPreapproval(fakePreapproval{Status: "authorized", Reason: "pro"}, time.Time{})
		_, err := newProvider(t, "APP_USR-revoked", api.srv.URL, nil).Subscription(ctx, pa.ID)
		if !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("Subscription = %v, want ErrProviderUnavailable", err)
		}
	})
	t.Run("closed port", func(t *testing.T) {
		t.Parallel()
		_, err := newProvider(t, token, closedBase(t), nil).Subscription(ctx, "2c938084ffffffff")
		if !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("Subscription = %v, want ErrProviderUnavailable", err)
		}
	})
}

func TestCancelAndResume(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ar := fakeAutoRecurring{Frequency: 1, FrequencyType: "months", TransactionAmount: 19.99, CurrencyID: "BRL"}
	for _, atPeriodEnd := range []bool{false, true} {
		t.Run("cancel, atPeriodEnd="+strconv.FormatBool(atPeriodEnd), func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			pa := b.api.addPreapproval(fakePreapproval{Status: "authorized", Reason: "pro", AutoRecurring: ar}, b.api.clock)
			before, _ := time.Parse(time.RFC3339, pa.LastModified)
			s, err := b.p.Cancel(ctx, pa.ID, atPeriodEnd)
			if err != nil {
				t.Fatalf("Cancel: %v", err)
			}
			puts := b.api.received("PUT /preapproval/" + pa.ID)
			if len(puts) != 1 {
				t.Fatalf("PUT sent %d times, want 1", len(puts))
			}
			mustEqual(t, "update", puts[0].Body, map[string]any{"status": "cancelled"})
			mustEqual(t, "status", s.Status, domain.StatusCanceled)
			mustEqual(t, "CancelAtPeriodEnd", s.CancelAtPeriodEnd, false)
			mustEqual(t, "stored status", b.api.stored(pa.ID).Status, "cancelled")
			if !s.ChangedAt.After(before) {
				t.Fatalf("ChangedAt %v is not after %v", s.ChangedAt, before)
			}
		})
	}
	t.Run("resume a pause", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pa := b.api.addPreapproval(fakePreapproval{Status: "paused", Reason: "pro", AutoRecurring: ar}, b.api.clock)
		s, err := b.p.Resume(ctx, pa.ID)
		if err != nil {
			t.Fatalf("Resume: %v", err)
		}
		puts := b.api.received("PUT /preapproval/" + pa.ID)
		if len(puts) != 1 {
			t.Fatalf("PUT sent %d times, want 1", len(puts))
		}
		mustEqual(t, "update", puts[0].Body, map[string]any{"status": "authorized"})
		mustEqual(t, "status", s.Status, domain.StatusActive)
	})
	t.Run("resume a cancellation (400)", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pa := b.api.addPreapproval(fakePreapproval{Status: "cancelled", Reason: "pro", AutoRecurring: ar}, b.api.clock)
		_, err := b.p.Resume(ctx, pa.ID)
		wantKind(t, err, kernel.KindInvalid, "billing.provider_refused")
	})
	t.Run("cancel an unknown one (404)", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		if _, err := b.p.Cancel(ctx, "2c938084ffffffff", false); !errors.Is(err, domain.ErrUnknownSubscription) {
			t.Fatalf("Cancel = %v, want ErrUnknownSubscription", err)
		}
	})
}

func TestChangePrice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	monthly := fakeAutoRecurring{Frequency: 1, FrequencyType: "months", TransactionAmount: 19.99, CurrencyID: "BRL"}
	t.Run("amount", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		pa := b.api.addPreapproval(fakePreapproval{Status: "authorized", Reason: "pro", AutoRecurring: monthly}, b.api.clock)
		s, err := b.p.ChangePrice(ctx, pa.ID, domain.Price{Plan: "team", Interval: domain.Month, Amount: 4990, Currency: "brl"}, 0, true)
		if err != nil {
			t.Fatalf("ChangePrice: %v", err)
		}
		puts := b.api.received("PUT /preapproval/" + pa.ID)
		if len(puts) != 1 {
			t.Fatalf("PUT sent %d times, want 1", len(puts))
		}
		mustEqual(t, "update", puts[0].Body, map[string]any{
			"reason":         "team",
			"auto_recurring": map[string]any{"transaction_amount": 49.9},
		})
		mustEqual(t, "stored amount", b.api.stored(pa.ID).AutoRecurring.TransactionAmount, 49.9)
		mustEqual(t, "status", s.Status, domain.StatusActive)
	})
	for _, tc := range []struct {
		name  string
		pa    fakePreapproval
		price domain.Price
		seats int
		code  string
	}{
		{"preapproval tied to a plan",
			fakePreapproval{Status: "authorized", Reason: "pro", PreapprovalPlanID: "2c938084plan01", AutoRecurring: monthly},
			domain.Price{Plan: "team", Interval: domain.Month, Amount: 4990, Currency: "brl"}, 0, "billing.plan_change_unsupported"},
		{"target is a plan",
			fakePreapproval{Status: "authorized", Reason: "pro", AutoRecurring: monthly},
			domain.Price{Plan: "team", Interval: domain.Month, ProviderID: "2c938084plan02", Amount: 4990, Currency: "brl"}, 0, "billing.plan_change_unsupported"},
		{"another interval",
			fakePreapproval{Status: "authorized", Reason: "pro", AutoRecurring: monthly},
			domain.Price{Plan: "pro", Interval: domain.Year, Amount: 19900, Currency: "brl"}, 0, "billing.interval_change_unsupported"},
		{"another currency",
			fakePreapproval{Status: "authorized", Reason: "pro", AutoRecurring: monthly},
			domain.Price{Plan: "team", Interval: domain.Month, Amount: 4990, Currency: "ars"}, 0, "billing.currency_change_unsupported"},
		{"seats",
			fakePreapproval{Status: "authorized", Reason: "pro", AutoRecurring: monthly},
			domain.Price{Plan: "team", Interval: domain.Month, Amount: 4990, Currency: "brl"}, 3, "billing.seats_unsupported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			pa := b.api.addPreapproval(tc.pa, b.api.clock)
			_, err := b.p.ChangePrice(ctx, pa.ID, tc.price, tc.seats, false)
			wantKind(t, err, kernel.KindInvalid, tc.code)
			if n := len(b.api.received("PUT ")); n != 0 {
				t.Fatalf("PUT sent %d times for a refused change", n)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
