package stripepay_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/stripepay"
)

func TestErrors_refusedRequest(t *testing.T) {
	t.Parallel()

	t.Run("a parameter stripe-mock does not know", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// stripe-mock validates every request against Stripe's OpenAPI
		// document; this is its own answer to an unknown parameter.
		b.proxy.AddParam("no_such_parameter=1")
		_, err := b.provider.CreateCustomer(t.Context(), domain.Customer{OrganizationID: kernel.NewID[kernel.OrganizationKind](), Name: "Acme"})
		ke := kernelErr(t, err)
		if ke.Kind != kernel.KindInvalid || ke.Code != "billing.provider_refused" {
			t.Fatalf("CreateCustomer = %v, want Invalid billing.provider_refused", err)
		}
		c := b.proxy.Only(t, http.MethodPost, "/v1/customers", http.StatusBadRequest)
		if !strings.Contains(string(c.Response), ke.Detail) || ke.Detail == "" {
			t.Errorf("detail = %q, want stripe-mock's message in %s", ke.Detail, c.Response)
		}
	})

	t.Run("an unknown price", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// What Stripe answers for a price it does not have.
		b.proxy.Answer(http.MethodPost, "/v1/checkout/sessions", canned{
			Status: http.StatusBadRequest,
			Body:   stripeError("invalid_request_error", "resource_missing", "No such price: 'price_gone'", "line_items[0][price]"),
		})
		_, err := b.provider.Checkout(t.Context(), domain.CheckoutRequest{
			OrganizationID: kernel.NewID[kernel.OrganizationKind](),
			CustomerRef:    "cus_acme",
			Price:          domain.Price{ProviderID: "price_gone"},
			SuccessURL:     "https://app.test/ok",
			CancelURL:      "https://app.test/no",
		})
		ke := kernelErr(t, err)
		if ke.Kind != kernel.KindInvalid || ke.Code != "billing.provider_refused" || ke.Detail != "No such price: 'price_gone'" {
			t.Fatalf("Checkout = %v, want Invalid billing.provider_refused with Stripe's message", err)
		}
	})
}

func TestErrors_unavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer canned
	}{
		{"500 api_error", canned{
			Status: http.StatusInternalServerError,
			Body:   stripeError("api_error", "", "An unknown error occurred", ""),
			// What Stripe sends when a retry would not help; it keeps the
			// SDK from retrying here.
			Header: http.Header{"Stripe-Should-Retry": {"false"}},
		}},
		{"502 from a proxy, not JSON", canned{
			Status: http.StatusBadGateway,
			Body:   "<html><body>Bad Gateway</body></html>",
			Header: http.Header{"Content-Type": {"text/html"}, "Stripe-Should-Retry": {"false"}},
		}},
		{"429 rate limited", canned{
			Status: http.StatusTooManyRequests,
			Body:   stripeError("invalid_request_error", "rate_limit", "Too many requests", ""),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.proxy.Answer(http.MethodGet, "/v1/subscriptions/sub_acme", tt.answer)
			_, err := b.provider.Subscription(t.Context(), "sub_acme")
			if !errors.Is(err, domain.ErrProviderUnavailable) {
				t.Fatalf("Subscription = %v, want ErrProviderUnavailable", err)
			}
		})
	}

	t.Run("closed port", func(t *testing.T) {
		t.Parallel()
		p, err := stripepay.New(stripepay.Config{SecretKey: testKey, WebhookSecrets: []string{"whsec_1"}, APIBase: closedURL(t)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Subscription(t.Context(), "sub_acme")
		if !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("Subscription = %v, want ErrProviderUnavailable", err)
		}
		if errors.Unwrap(err) == nil {
			t.Error("the error wraps no cause")
		}
	})

	t.Run("key revoked after start-up", func(t *testing.T) {
		t.Parallel()
		needStripeMock(t)
		p, err := stripepay.New(stripepay.Config{SecretKey: "sk_live_revoked", WebhookSecrets: []string{"whsec_1"}, APIBase: stripeMockURL})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Portal(t.Context(), "cus_acme", "https://app.test/billing")
		if !errors.Is(err, domain.ErrProviderUnavailable) || !strings.Contains(err.Error(), "STRIPE_SECRET_KEY") {
			t.Fatalf("Portal = %v, want ErrProviderUnavailable naming STRIPE_SECRET_KEY", err)
		}
	})
}
