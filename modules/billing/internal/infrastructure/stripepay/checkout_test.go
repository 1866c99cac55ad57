package stripepay_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

func TestCreateCustomer(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := kernel.NewID[kernel.OrganizationKind]()

	ref, err := b.provider.CreateCustomer(t.Context(), domain.Customer{OrganizationID: org, Name: "Acme Inc.", Email: "owner@acme.test"})
	if err != nil {
		t.Fatalf("CreateCustomer = %v", err)
	}
	c := b.proxy.Only(t, http.MethodPost, "/v1/customers")
	wantForm(t, c, map[string]string{
		"name":                      "Acme Inc.",
		"email":                     "owner@acme.test",
		"metadata[organization_id]": org.String(),
	})
	var cus struct {
		ID, Name, Email string
	}
	if err := json.Unmarshal(c.Response, &cus); err != nil {
		t.Fatal(err)
	}
	if ref == "" || ref != cus.ID {
		t.Errorf("ref = %q, want the customer's ID %q", ref, cus.ID)
	}
	// stripe-mock echoes what it was given.
	if cus.Name != "Acme Inc." || cus.Email != "owner@acme.test" {
		t.Errorf("customer = %+v, want Acme Inc. <owner@acme.test>", cus)
	}
}

func TestCheckout(t *testing.T) {
	t.Parallel()
	org := kernel.NewID[kernel.OrganizationKind]()
	request := func(seats, trialDays int) domain.CheckoutRequest {
		return domain.CheckoutRequest{
			OrganizationID: org,
			CustomerRef:    "cus_acme",
			Price:          domain.Price{Plan: "pro", Interval: domain.Month, ProviderID: "price_pro_month", Amount: 2000, Currency: "usd"},
			Seats:          seats,
			TrialDays:      trialDays,
			PayerEmail:     "owner@acme.test",
			SuccessURL:     "https://app.test/billing?checkout=success",
			CancelURL:      "https://app.test/billing?checkout=canceled",
		}
	}
	tests := []struct {
		name string
		req  domain.CheckoutRequest
		want map[string]string
	}{
		{"per seat with a trial", request(3, 14), map[string]string{
			"line_items[0][quantity]":              "3",
			"subscription_data[trial_period_days]": "14",
		}},
		{"flat, no trial", request(0, 0), map[string]string{
			"line_items[0][quantity]":              "1",
			"subscription_data[trial_period_days]": "",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			u, err := b.provider.Checkout(t.Context(), tt.req)
			if err != nil {
				t.Fatalf("Checkout = %v", err)
			}
			c := b.proxy.Only(t, http.MethodPost, "/v1/checkout/sessions")
			wantForm(t, c, map[string]string{
				"mode":                 "subscription",
				"customer":             "cus_acme",
				"client_reference_id":  org.String(),
				"line_items[0][price]": "price_pro_month",
				"subscription_data[metadata][organization_id]": org.String(),
				"success_url": "https://app.test/billing?checkout=success",
				"cancel_url":  "https://app.test/billing?checkout=canceled",
			})
			wantForm(t, c, tt.want)
			var s struct{ URL string }
			if err := json.Unmarshal(c.Response, &s); err != nil {
				t.Fatal(err)
			}
			if u == "" || u != s.URL {
				t.Errorf("url = %q, want the session's %q", u, s.URL)
			}
		})
	}
}

func TestPortal(t *testing.T) {
	t.Parallel()
	b := setup(t)

	u, err := b.provider.Portal(t.Context(), "cus_acme", "https://app.test/billing")
	if err != nil {
		t.Fatalf("Portal = %v", err)
	}
	c := b.proxy.Only(t, http.MethodPost, "/v1/billing_portal/sessions")
	wantForm(t, c, map[string]string{"customer": "cus_acme", "return_url": "https://app.test/billing"})
	var s struct{ URL string }
	if err := json.Unmarshal(c.Response, &s); err != nil {
		t.Fatal(err)
	}
	if u == "" || u != s.URL {
		t.Errorf("url = %q, want the session's %q", u, s.URL)
	}
}
