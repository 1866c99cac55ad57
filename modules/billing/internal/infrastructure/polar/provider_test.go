package polar_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/polar"
)

const (
	subID      = "5ab1c2d3-1111-4e5f-8a9b-000000000001"
	customerID = "c0a1b2c3-2222-4e5f-8a9b-000000000002"
	productPro = "9f0e1d2c-3333-4e5f-8a9b-000000000003"
	productMax = "9f0e1d2c-4444-4e5f-8a9b-000000000004"
)

var (
	periodStart = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	periodEnd   = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	createdAt   = time.Date(2026, 10, 15, 8, 0, 0, 0, time.UTC)
)

func ptr[T any](v T) *T { return &v }

// activeSub is a seat-based subscription of org, as Checkout leaves it.
func activeSub(org kernel.OrganizationID) *fakeSub {
	return &fakeSub{
		id: subID, status: "active", customerID: customerID, productID: productPro,
		externalID: ptr(org.String()), metadata: map[string]any{"organization_id": org.String()},
		periodStart: periodStart, periodEnd: ptr(periodEnd), seats: ptr(3),
		createdAt: createdAt, modifiedAt: ptr(time.Date(2026, 11, 1, 0, 0, 5, 250000000, time.UTC)),
	}
}

func newOrg() kernel.OrganizationID { return kernel.NewID[kernel.OrganizationKind]() }

// onlyRequest returns the one request the fake saw, checking its auth.
func onlyRequest(t *testing.T, f *fakePolar) seen {
	t.Helper()
	reqs := f.seen()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d, want 1: %+v", len(reqs), reqs)
	}
	checkAuth(t, reqs[0])
	return reqs[0]
}

func checkAuth(t *testing.T, r seen) {
	t.Helper()
	if r.auth != "Bearer "+testToken {
		t.Errorf("%s %s: Authorization = %q", r.method, r.path, r.auth)
	}
	if r.body != nil && r.contentType != "application/json" {
		t.Errorf("%s %s: Content-Type = %q", r.method, r.path, r.contentType)
	}
}

func checkRequest(t *testing.T, got seen, method, path string, body map[string]any) {
	t.Helper()
	if got.method != method || got.path != path {
		t.Errorf("request = %s %s, want %s %s", got.method, got.path, method, path)
	}
	if !reflect.DeepEqual(got.body, body) {
		t.Errorf("%s %s body =\n  %#v\nwant\n  %#v", method, path, got.body, body)
	}
}

func checkKernel(t *testing.T, err error, kind kernel.ErrorKind, code string) *kernel.Error {
	t.Helper()
	ke := kernel.AsError(err)
	if ke == nil {
		t.Fatalf("err = %v (%T), want a kernel error %s", err, err, code)
	}
	if ke.Kind != kind || ke.Code != code {
		t.Fatalf("err = %s/%s (%v), want %s/%s", ke.Kind, ke.Code, err, kind, code)
	}
	return ke
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  polar.Config
		want string // "" for success; else a part of the error
	}{
		{"defaults", polar.Config{AccessToken: "t", WebhookSecrets: []string{"s"}}, ""},
		{"two secrets and sandbox", polar.Config{AccessToken: "t", WebhookSecrets: []string{"s1", "s2"}, APIBase: polar.SandboxAPIBase}, ""},
		{"no token", polar.Config{WebhookSecrets: []string{"s"}}, "POLAR_ACCESS_TOKEN"},
		{"blank token", polar.Config{AccessToken: "  ", WebhookSecrets: []string{"s"}}, "POLAR_ACCESS_TOKEN"},
		{"no secret", polar.Config{AccessToken: "t"}, "POLAR_WEBHOOK_SECRET"},
		{"blank second secret", polar.Config{AccessToken: "t", WebhookSecrets: []string{"s", ""}}, "POLAR_WEBHOOK_SECRET"},
		{"relative base", polar.Config{AccessToken: "t", WebhookSecrets: []string{"s"}, APIBase: "api.polar.sh"}, "POLAR_API_BASE"},
		{"ftp base", polar.Config{AccessToken: "t", WebhookSecrets: []string{"s"}, APIBase: "ftp://api.polar.sh"}, "POLAR_API_BASE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := polar.New(tc.cfg)
			if tc.want == "" {
				if err != nil || p == nil {
					t.Fatalf("New = %v, %v", p, err)
				}
				if p.Name() != "polar" || !p.SupportsSeats() {
					t.Errorf("Name, SupportsSeats = %q, %v", p.Name(), p.SupportsSeats())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	t.Run("ok", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakePolar(t)
		if err := newProvider(t, srv).Check(context.Background()); err != nil {
			t.Fatalf("Check: %v", err)
		}
		checkRequest(t, onlyRequest(t, f), http.MethodGet, "/v1/subscriptions/?limit=1", nil)
	})
	t.Run("401 names the token", func(t *testing.T) {
		t.Parallel()
		_, srv := newFakePolar(t)
		p, err := polar.New(polar.Config{AccessToken: "polar_oat_revoked", WebhookSecrets: []string{"s"}, APIBase: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		err = p.Check(context.Background())
		if err == nil || !strings.Contains(err.Error(), "POLAR_ACCESS_TOKEN") || !strings.Contains(err.Error(), "401") {
			t.Fatalf("Check = %v, want an error naming POLAR_ACCESS_TOKEN and 401", err)
		}
		if errors.Is(err, domain.ErrProviderUnavailable) {
			t.Errorf("Check = %v: a bad token is not an outage", err)
		}
		if strings.Contains(err.Error(), "polar_oat_revoked") {
			t.Errorf("Check error shows the token: %v", err)
		}
	})
	t.Run("403 names the token", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakePolar(t)
		f.fail = func(w http.ResponseWriter, r *http.Request) bool {
			polarError(w, http.StatusForbidden, "insufficient_scope", "The access token does not have the required scope.")
			return true
		}
		err := newProvider(t, srv).Check(context.Background())
		if err == nil || !strings.Contains(err.Error(), "POLAR_ACCESS_TOKEN") || !strings.Contains(err.Error(), "403") {
			t.Fatalf("Check = %v, want an error naming POLAR_ACCESS_TOKEN and 403", err)
		}
	})
	t.Run("500", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakePolar(t)
		f.fail = func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "upstream connect error", http.StatusBadGateway)
			return true
		}
		if err := newProvider(t, srv).Check(context.Background()); !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("Check = %v, want ErrProviderUnavailable", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		p, err := polar.New(polar.Config{AccessToken: testToken, WebhookSecrets: []string{"s"}, APIBase: closedURL(t)})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(context.Background()); !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("Check = %v, want ErrProviderUnavailable", err)
		}
	})
}

// closedURL is the URL of a port nothing listens on any more.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

func TestCreateCustomer(t *testing.T) {
	t.Parallel()
	f, srv := newFakePolar(t)
	org := newOrg()
	ref, err := newProvider(t, srv).CreateCustomer(context.Background(), domain.Customer{OrganizationID: org, Name: "Acme", Email: "owner@acme.test"})
	if err != nil {
		t.Fatalf("CreateCustomer: %v", err)
	}
	if ref == "" || !strings.HasPrefix(ref, "c0a1b2c3-") {
		t.Errorf("ref = %q, want the customer's id", ref)
	}
	checkRequest(t, onlyRequest(t, f), http.MethodPost, "/v1/customers/", map[string]any{
		"email": "owner@acme.test", "name": "Acme", "external_id": org.String(),
		"metadata": map[string]any{"organization_id": org.String()},
	})
}

func TestCreateCustomerRefused(t *testing.T) {
	t.Parallel()
	_, srv := newFakePolar(t)
	_, err := newProvider(t, srv).CreateCustomer(context.Background(), domain.Customer{OrganizationID: newOrg(), Name: "Acme", Email: "nobody"})
	ke := checkKernel(t, err, kernel.KindInvalid, "billing.provider_refused")
	if want := "The payment provider refused the request: body.email: value is not a valid email address"; ke.Detail != want {
		t.Errorf("detail = %q, want %q", ke.Detail, want)
	}
}

func TestCheckout(t *testing.T) {
	t.Parallel()
	org := newOrg()
	price := domain.Price{Plan: "pro", Interval: domain.Month, ProviderID: productPro, Amount: 2900, Currency: "usd"}
	for _, tc := range []struct {
		name string
		req  domain.CheckoutRequest
		want map[string]any
	}{
		{
			name: "new customer, seats and trial",
			req: domain.CheckoutRequest{
				OrganizationID: org, Price: price, Seats: 5, TrialDays: 14, PayerEmail: "owner@acme.test",
				SuccessURL: "https://app.test/billing?ok=1", CancelURL: "https://app.test/billing",
			},
			want: map[string]any{
				"products": []any{productPro}, "external_customer_id": org.String(),
				"customer_email": "owner@acme.test", "success_url": "https://app.test/billing?ok=1",
				"return_url": "https://app.test/billing", "seats": float64(5),
				"trial_interval": "day", "trial_interval_count": float64(14),
				"metadata": map[string]any{"organization_id": org.String()},
			},
		},
		{
			name: "known customer, flat price",
			req:  domain.CheckoutRequest{OrganizationID: org, CustomerRef: customerID, Price: price, SuccessURL: "https://app.test/ok"},
			want: map[string]any{
				"products": []any{productPro}, "customer_id": customerID, "success_url": "https://app.test/ok",
				"metadata": map[string]any{"organization_id": org.String()},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, srv := newFakePolar(t)
			u, err := newProvider(t, srv).Checkout(context.Background(), tc.req)
			if err != nil {
				t.Fatalf("Checkout: %v", err)
			}
			if u != "https://sandbox.polar.sh/checkout/polar_c_secret" {
				t.Errorf("url = %q", u)
			}
			checkRequest(t, onlyRequest(t, f), http.MethodPost, "/v1/checkouts/", tc.want)
		})
	}
}

func TestCheckoutRefused(t *testing.T) {
	t.Parallel()
	_, srv := newFakePolar(t)
	_, err := newProvider(t, srv).Checkout(context.Background(), domain.CheckoutRequest{OrganizationID: newOrg(), SuccessURL: "https://app.test/ok"})
	ke := checkKernel(t, err, kernel.KindInvalid, "billing.provider_refused")
	if want := "The payment provider refused the request: body.products.0: Input should be a valid UUID"; ke.Detail != want {
		t.Errorf("detail = %q, want %q", ke.Detail, want)
	}
}

func TestPortal(t *testing.T) {
	t.Parallel()
	f, srv := newFakePolar(t)
	u, err := newProvider(t, srv).Portal(context.Background(), customerID, "https://app.test/billing")
	if err != nil {
		t.Fatalf("Portal: %v", err)
	}
	if u != "https://sandbox.polar.sh/acme/portal?customer_session_token=polar_cst_x" {
		t.Errorf("url = %q", u)
	}
	checkRequest(t, onlyRequest(t, f), http.MethodPost, "/v1/customer-sessions/", map[string]any{
		"customer_id": customerID, "return_url": "https://app.test/billing",
	})
}

func TestSubscription(t *testing.T) {
	t.Parallel()
	f, srv := newFakePolar(t)
	org := newOrg()
	s := activeSub(org)
	s.status = "trialing"
	s.trialEnd = ptr(time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC))
	s.cancelAtPeriodEnd = true
	f.add(s)

	got, err := newProvider(t, srv).Subscription(context.Background(), subID)
	if err != nil {
		t.Fatalf("Subscription: %v", err)
	}
	want := domain.ProviderSubscription{
		Ref: subID, CustomerRef: customerID, OrganizationID: org, PriceID: productPro,
		Status: domain.StatusTrialing, CurrentPeriodStart: periodStart, CurrentPeriodEnd: periodEnd,
		TrialEnd: ptr(time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)), CancelAtPeriodEnd: true, Seats: 3,
		ChangedAt: time.Date(2026, 11, 1, 0, 0, 5, 250000000, time.UTC),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Subscription =\n  %+v\nwant\n  %+v", got, want)
	}
	checkRequest(t, onlyRequest(t, f), http.MethodGet, "/v1/subscriptions/"+subID, nil)
}

func TestSubscriptionStatuses(t *testing.T) {
	t.Parallel()
	for polarStatus, want := range map[string]domain.Status{
		"incomplete":         domain.StatusIncomplete,
		"incomplete_expired": domain.StatusCanceled,
		"trialing":           domain.StatusTrialing,
		"active":             domain.StatusActive,
		"past_due":           domain.StatusPastDue,
		"canceled":           domain.StatusCanceled,
		"unpaid":             domain.StatusUnpaid,
		"paused":             domain.StatusPaused,
	} {
		t.Run(polarStatus, func(t *testing.T) {
			t.Parallel()
			f, srv := newFakePolar(t)
			s := activeSub(newOrg())
			s.status = polarStatus
			f.add(s)
			got, err := newProvider(t, srv).Subscription(context.Background(), subID)
			if err != nil {
				t.Fatalf("Subscription: %v", err)
			}
			if got.Status != want {
				t.Errorf("status %q → %q, want %q", polarStatus, got.Status, want)
			}
		})
	}
	t.Run("unknown", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakePolar(t)
		s := activeSub(newOrg())
		s.status = "hibernating"
		f.add(s)
		_, err := newProvider(t, srv).Subscription(context.Background(), subID)
		checkKernel(t, err, kernel.KindInternal, "internal")
	})
}

func TestSubscriptionOwnerAndClock(t *testing.T) {
	t.Parallel()
	org, other := newOrg(), newOrg()
	for _, tc := range []struct {
		name       string
		externalID *string
		metadata   map[string]any
		modifiedAt *time.Time
		wantOrg    kernel.OrganizationID
		wantAt     time.Time
	}{
		{"external id wins", ptr(org.String()), map[string]any{"organization_id": other.String()}, ptr(periodStart), org, periodStart},
		{"metadata when no external id", nil, map[string]any{"organization_id": org.String()}, nil, org, createdAt},
		{"metadata when external id is not ours", ptr("user_42"), map[string]any{"organization_id": org.String()}, nil, org, createdAt},
		{"neither", nil, map[string]any{"organization_id": 42}, nil, kernel.OrganizationID{}, createdAt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, srv := newFakePolar(t)
			s := activeSub(org)
			s.externalID, s.metadata, s.modifiedAt = tc.externalID, tc.metadata, tc.modifiedAt
			s.seats, s.periodEnd = nil, nil
			f.add(s)
			got, err := newProvider(t, srv).Subscription(context.Background(), subID)
			if err != nil {
				t.Fatalf("Subscription: %v", err)
			}
			if got.OrganizationID != tc.wantOrg || !got.ChangedAt.Equal(tc.wantAt) {
				t.Errorf("org, changed = %v, %v; want %v, %v", got.OrganizationID, got.ChangedAt, tc.wantOrg, tc.wantAt)
			}
			if got.Seats != 0 || !got.CurrentPeriodEnd.IsZero() || got.TrialEnd != nil {
				t.Errorf("seats, period end, trial end = %d, %v, %v; want zero", got.Seats, got.CurrentPeriodEnd, got.TrialEnd)
			}
		})
	}
}

func TestSubscriptionChanges(t *testing.T) {
	t.Parallel()
	type step struct {
		method, path string
		body         map[string]any
	}
	patch := func(body map[string]any) step { return step{http.MethodPatch, "/v1/subscriptions/" + subID, body} }
	for _, tc := range []struct {
		name  string
		setup func(*fakeSub)
		do    func(*polar.Provider) (domain.ProviderSubscription, error)
		steps []step
		check func(*testing.T, domain.ProviderSubscription)
	}{
		{
			name: "cancel at period end",
			do: func(p *polar.Provider) (domain.ProviderSubscription, error) {
				return p.Cancel(context.Background(), subID, true)
			},
			steps: []step{patch(map[string]any{"cancel_at_period_end": true})},
			check: func(t *testing.T, s domain.ProviderSubscription) {
				if !s.CancelAtPeriodEnd || s.Status != domain.StatusActive {
					t.Errorf("got %+v, want active and canceling at period end", s)
				}
			},
		},
		{
			name: "cancel now revokes",
			do: func(p *polar.Provider) (domain.ProviderSubscription, error) {
				return p.Cancel(context.Background(), subID, false)
			},
			steps: []step{{http.MethodDelete, "/v1/subscriptions/" + subID, nil}},
			check: func(t *testing.T, s domain.ProviderSubscription) {
				if s.Status != domain.StatusCanceled {
					t.Errorf("status = %q, want canceled", s.Status)
				}
			},
		},
		{
			name:  "resume",
			setup: func(s *fakeSub) { s.cancelAtPeriodEnd = true },
			do: func(p *polar.Provider) (domain.ProviderSubscription, error) {
				return p.Resume(context.Background(), subID)
			},
			steps: []step{patch(map[string]any{"cancel_at_period_end": false})},
			check: func(t *testing.T, s domain.ProviderSubscription) {
				if s.CancelAtPeriodEnd {
					t.Errorf("still canceling at period end")
				}
			},
		},
		{
			name: "change price now, same seats",
			do: func(p *polar.Provider) (domain.ProviderSubscription, error) {
				return p.ChangePrice(context.Background(), subID, domain.Price{ProviderID: productMax}, 3, true)
			},
			steps: []step{patch(map[string]any{"product_id": productMax, "proration_behavior": "invoice"})},
			check: func(t *testing.T, s domain.ProviderSubscription) {
				if s.PriceID != productMax || s.Seats != 3 {
					t.Errorf("price, seats = %q, %d", s.PriceID, s.Seats)
				}
			},
		},
		{
			name: "change price now with new seats",
			do: func(p *polar.Provider) (domain.ProviderSubscription, error) {
				return p.ChangePrice(context.Background(), subID, domain.Price{ProviderID: productMax}, 8, true)
			},
			steps: []step{
				patch(map[string]any{"product_id": productMax, "proration_behavior": "invoice"}),
				patch(map[string]any{"seats": float64(8), "proration_behavior": "invoice"}),
			},
			check: func(t *testing.T, s domain.ProviderSubscription) {
				if s.PriceID != productMax || s.Seats != 8 {
					t.Errorf("price, seats = %q, %d", s.PriceID, s.Seats)
				}
			},
		},
		{
			name:  "change price from next period, not per seat",
			setup: func(s *fakeSub) { s.seats = nil },
			do: func(p *polar.Provider) (domain.ProviderSubscription, error) {
				return p.ChangePrice(context.Background(), subID, domain.Price{ProviderID: productMax}, 0, false)
			},
			steps: []step{patch(map[string]any{"product_id": productMax, "proration_behavior": "next_period"})},
			check: func(t *testing.T, s domain.ProviderSubscription) {
				if s.PriceID != productPro {
					t.Errorf("price = %q, want the current product until the period ends", s.PriceID)
				}
			},
		},
		{
			name: "set seats",
			do: func(p *polar.Provider) (domain.ProviderSubscription, error) {
				return p.SetSeats(context.Background(), subID, 12)
			},
			steps: []step{patch(map[string]any{"seats": float64(12)})},
			check: func(t *testing.T, s domain.ProviderSubscription) {
				if s.Seats != 12 {
					t.Errorf("seats = %d, want 12", s.Seats)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, srv := newFakePolar(t)
			s := activeSub(newOrg())
			if tc.setup != nil {
				tc.setup(s)
			}
			f.add(s)
			got, err := tc.do(newProvider(t, srv))
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			reqs := f.seen()
			if len(reqs) != len(tc.steps) {
				t.Fatalf("requests = %d, want %d: %+v", len(reqs), len(tc.steps), reqs)
			}
			for i, st := range tc.steps {
				checkAuth(t, reqs[i])
				checkRequest(t, reqs[i], st.method, st.path, st.body)
			}
			if !got.ChangedAt.Equal(f.now) {
				t.Errorf("ChangedAt = %v, want modified_at %v", got.ChangedAt, f.now)
			}
			tc.check(t, got)
		})
	}
}

func TestChangePriceSeatsRefusedAfterProduct(t *testing.T) {
	t.Parallel()
	f, srv := newFakePolar(t)
	f.add(activeSub(newOrg()))
	_, err := newProvider(t, srv).ChangePrice(context.Background(), subID, domain.Price{ProviderID: productMax}, 8, false)
	ke := checkKernel(t, err, kernel.KindConflict, "billing.provider_conflict")
	if !strings.Contains(err.Error(), "product changed, seats not") {
		t.Errorf("err = %v, want it to say the product changed", err)
	}
	if ke.Detail != "The payment provider refused the request: Subscription is pending an update." {
		t.Errorf("detail = %q", ke.Detail)
	}
	if n := len(f.seen()); n != 2 {
		t.Errorf("requests = %d, want 2", n)
	}
}

func TestSubscriptionErrors(t *testing.T) {
	t.Parallel()
	ops := map[string]func(*polar.Provider, string) error{
		"Subscription": func(p *polar.Provider, ref string) error {
			_, err := p.Subscription(context.Background(), ref)
			return err
		},
		"Cancel at period end": func(p *polar.Provider, ref string) error {
			_, err := p.Cancel(context.Background(), ref, true)
			return err
		},
		"Cancel now": func(p *polar.Provider, ref string) error {
			_, err := p.Cancel(context.Background(), ref, false)
			return err
		},
		"Resume": func(p *polar.Provider, ref string) error {
			_, err := p.Resume(context.Background(), ref)
			return err
		},
		"ChangePrice": func(p *polar.Provider, ref string) error {
			_, err := p.ChangePrice(context.Background(), ref, domain.Price{ProviderID: productMax}, 0, true)
			return err
		},
		"SetSeats": func(p *polar.Provider, ref string) error {
			_, err := p.SetSeats(context.Background(), ref, 2)
			return err
		},
	}
	for name, op := range ops {
		t.Run(name+"/404", func(t *testing.T) {
			t.Parallel()
			f, srv := newFakePolar(t)
			f.add(activeSub(newOrg()))
			if err := op(newProvider(t, srv), "00000000-dead-4e5f-8a9b-000000000000"); !errors.Is(err, domain.ErrUnknownSubscription) {
				t.Fatalf("err = %v, want ErrUnknownSubscription", err)
			}
		})
		t.Run(name+"/empty ref", func(t *testing.T) {
			t.Parallel()
			f, srv := newFakePolar(t)
			if err := op(newProvider(t, srv), ""); !errors.Is(err, domain.ErrUnknownSubscription) {
				t.Fatalf("err = %v, want ErrUnknownSubscription", err)
			}
			if n := len(f.seen()); n != 0 {
				t.Errorf("requests = %d, want none for an empty ref", n)
			}
		})
		t.Run(name+"/500", func(t *testing.T) {
			t.Parallel()
			f, srv := newFakePolar(t)
			f.fail = func(w http.ResponseWriter, r *http.Request) bool {
				http.Error(w, "Internal Server Error", http.StatusInternalServerError)
				return true
			}
			if err := op(newProvider(t, srv), subID); !errors.Is(err, domain.ErrProviderUnavailable) {
				t.Fatalf("err = %v, want ErrProviderUnavailable", err)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	t.Run("422 seats below one", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakePolar(t)
		f.add(activeSub(newOrg()))
		_, err := newProvider(t, srv).SetSeats(context.Background(), subID, 0)
		ke := checkKernel(t, err, kernel.KindInvalid, "billing.provider_refused")
		if want := "The payment provider refused the request: body.SubscriptionUpdateSeats.seats: Input should be greater than or equal to 1"; ke.Detail != want {
			t.Errorf("detail = %q, want %q", ke.Detail, want)
		}
	})
	t.Run("400 not seat-based", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakePolar(t)
		s := activeSub(newOrg())
		s.seats = nil
		f.add(s)
		_, err := newProvider(t, srv).SetSeats(context.Background(), subID, 4)
		ke := checkKernel(t, err, kernel.KindInvalid, "billing.provider_refused")
		if ke.Detail != "The payment provider refused the request: Subscription is not seat-based." {
			t.Errorf("detail = %q", ke.Detail)
		}
	})
	t.Run("403 already canceled", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakePolar(t)
		s := activeSub(newOrg())
		s.status = "canceled"
		f.add(s)
		_, err := newProvider(t, srv).Cancel(context.Background(), subID, false)
		checkKernel(t, err, kernel.KindInvalid, "billing.provider_refused")
	})
	t.Run("429 carries Retry-After", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakePolar(t)
		f.fail = func(w http.ResponseWriter, r *http.Request) bool {
			w.Header().Set("Retry-After", "7")
			polarError(w, http.StatusTooManyRequests, "TooManyRequests", "Rate limit exceeded")
			return true
		}
		_, err := newProvider(t, srv).Subscription(context.Background(), subID)
		ke := checkKernel(t, err, kernel.KindUnavailable, "billing.provider_unavailable")
		if ke.RetryAfterSeconds != 7 {
			t.Errorf("RetryAfterSeconds = %d, want 7", ke.RetryAfterSeconds)
		}
	})
	t.Run("401 on a call is an outage", func(t *testing.T) {
		t.Parallel()
		_, srv := newFakePolar(t)
		p, err := polar.New(polar.Config{AccessToken: "wrong", WebhookSecrets: []string{"s"}, APIBase: srv.URL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Portal(context.Background(), customerID, "")
		if !errors.Is(err, domain.ErrProviderUnavailable) || !strings.Contains(err.Error(), "POLAR_ACCESS_TOKEN") {
			t.Fatalf("err = %v, want ErrProviderUnavailable naming POLAR_ACCESS_TOKEN", err)
		}
	})
	t.Run("2xx that is not JSON", func(t *testing.T) {
		t.Parallel()
		f, srv := newFakePolar(t)
		f.fail = func(w http.ResponseWriter, r *http.Request) bool {
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte("<html>maintenance</html>"))
			return true
		}
		if _, err := newProvider(t, srv).Portal(context.Background(), customerID, ""); !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("err = %v, want ErrProviderUnavailable", err)
		}
	})
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	t.Run("closed port", func(t *testing.T) {
		t.Parallel()
		p, err := polar.New(polar.Config{AccessToken: testToken, WebhookSecrets: []string{"s"}, APIBase: closedURL(t)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Checkout(context.Background(), domain.CheckoutRequest{OrganizationID: newOrg(), Price: domain.Price{ProviderID: productPro}})
		if !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("err = %v, want ErrProviderUnavailable", err)
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error shows the token: %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select { // hold the answer until the client gives up
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(srv.Close)
		t.Cleanup(func() { close(release) })
		hc := srv.Client()
		hc.Timeout = 50 * time.Millisecond
		p, err := polar.New(polar.Config{AccessToken: testToken, WebhookSecrets: []string{"s"}, APIBase: srv.URL, HTTPClient: hc})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Subscription(context.Background(), subID); !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("err = %v, want ErrProviderUnavailable", err)
		}
	})
}
