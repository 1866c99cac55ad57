package stripepay_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// rawSubscription is what a test reads of the subscription JSON the SDK got.
type rawSubscription struct {
	ID                string `json:"id"`
	Customer          string `json:"customer"`
	Status            string `json:"status"`
	CancelAtPeriodEnd bool   `json:"cancel_at_period_end"`
	TrialEnd          int64  `json:"trial_end"`
	Items             struct {
		Data []struct {
			ID                 string `json:"id"`
			Quantity           int    `json:"quantity"`
			CurrentPeriodStart int64  `json:"current_period_start"`
			CurrentPeriodEnd   int64  `json:"current_period_end"`
			Price              struct {
				ID string `json:"id"`
			} `json:"price"`
		} `json:"data"`
	} `json:"items"`
}

func decodeSubscription(t *testing.T, c call) rawSubscription {
	t.Helper()
	var s rawSubscription
	if err := json.Unmarshal(c.Response, &s); err != nil {
		t.Fatalf("%s %s: %v", c.Method, c.Path, err)
	}
	if len(s.Items.Data) == 0 || s.Items.Data[0].ID == "" || s.Items.Data[0].Price.ID == "" {
		t.Fatalf("%s %s answered a subscription without an item: %s", c.Method, c.Path, c.Response)
	}
	return s
}

// wantSnapshot fails the test unless got maps raw, the subscription Stripe
// answered, dated by the provider's clock.
func wantSnapshot(t *testing.T, b *bundle, got domain.ProviderSubscription, raw rawSubscription, status domain.Status) {
	t.Helper()
	item := raw.Items.Data[0]
	want := domain.ProviderSubscription{
		Ref:                raw.ID,
		CustomerRef:        raw.Customer,
		PriceID:            item.Price.ID,
		Status:             status,
		CurrentPeriodStart: time.Unix(item.CurrentPeriodStart, 0).UTC(),
		CurrentPeriodEnd:   time.Unix(item.CurrentPeriodEnd, 0).UTC(),
		CancelAtPeriodEnd:  raw.CancelAtPeriodEnd,
		Seats:              item.Quantity,
		ChangedAt:          b.now,
	}
	if raw.TrialEnd != 0 {
		te := time.Unix(raw.TrialEnd, 0).UTC()
		want.TrialEnd = &te
	}
	if got.Ref != want.Ref || got.CustomerRef != want.CustomerRef || got.PriceID != want.PriceID ||
		got.Status != want.Status || !got.CurrentPeriodStart.Equal(want.CurrentPeriodStart) ||
		!got.CurrentPeriodEnd.Equal(want.CurrentPeriodEnd) || got.CancelAtPeriodEnd != want.CancelAtPeriodEnd ||
		got.Seats != want.Seats || !got.ChangedAt.Equal(want.ChangedAt) || !sameTime(got.TrialEnd, want.TrialEnd) {
		t.Errorf("snapshot =\n%+v\nwant\n%+v", got, want)
	}
	if want.Ref == "" || want.CustomerRef == "" || want.CurrentPeriodStart.IsZero() || want.Seats == 0 {
		t.Fatalf("stripe-mock's subscription lacks what the test compares: %+v", raw)
	}
}

// setQuantity sets the quantity of a subscription's first item in its JSON.
func setQuantity(obj map[string]any, n int) {
	items, _ := obj["items"].(map[string]any)
	data, _ := items["data"].([]any)
	if len(data) > 0 {
		if item, ok := data[0].(map[string]any); ok {
			item["quantity"] = n
		}
	}
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func TestSubscription(t *testing.T) {
	t.Parallel()
	b := setup(t)
	// stripe-mock's fixture has one seat, which a mapping that ignored the
	// quantity would also give.
	b.proxy.Edit(http.MethodGet, "/v1/subscriptions/sub_acme", func(obj map[string]any) { setQuantity(obj, 4) })

	got, err := b.provider.Subscription(t.Context(), "sub_acme")
	if err != nil {
		t.Fatalf("Subscription = %v", err)
	}
	raw := decodeSubscription(t, b.proxy.Only(t, http.MethodGet, "/v1/subscriptions/sub_acme"))
	if got.Seats != 4 {
		t.Errorf("Seats = %d, want 4", got.Seats)
	}
	wantSnapshot(t, b, got, raw, domain.StatusActive)
	if !got.OrganizationID.IsZero() {
		t.Errorf("OrganizationID = %v, want zero: stripe-mock's subscription has no metadata", got.OrganizationID)
	}
}

func TestSubscription_organizationFromMetadata(t *testing.T) {
	t.Parallel()
	org := kernel.NewID[kernel.OrganizationKind]()
	tests := []struct {
		name     string
		metadata map[string]any
		want     kernel.OrganizationID
	}{
		{"ours", map[string]any{"organization_id": org.String()}, org},
		{"not an organization's ID", map[string]any{"organization_id": kernel.NewID[kernel.UserKind]().String()}, kernel.OrganizationID{}},
		{"garbage", map[string]any{"organization_id": "acme"}, kernel.OrganizationID{}},
		{"absent", map[string]any{"plan": "pro"}, kernel.OrganizationID{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.proxy.Edit(http.MethodGet, "/v1/subscriptions/sub_acme", func(obj map[string]any) { obj["metadata"] = tt.metadata })
			got, err := b.provider.Subscription(t.Context(), "sub_acme")
			if err != nil {
				t.Fatalf("Subscription = %v", err)
			}
			if got.OrganizationID != tt.want {
				t.Errorf("OrganizationID = %v, want %v", got.OrganizationID, tt.want)
			}
		})
	}
}

func TestSubscription_statuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		stripe string
		want   domain.Status
	}{
		{"trialing", domain.StatusTrialing},
		{"active", domain.StatusActive},
		{"past_due", domain.StatusPastDue},
		{"canceled", domain.StatusCanceled},
		{"incomplete", domain.StatusIncomplete},
		{"incomplete_expired", domain.StatusCanceled},
		{"paused", domain.StatusPaused},
		{"unpaid", domain.StatusUnpaid},
	}
	for _, tt := range tests {
		t.Run(tt.stripe, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.proxy.Edit(http.MethodGet, "/v1/subscriptions/sub_acme", func(obj map[string]any) { obj["status"] = tt.stripe })
			got, err := b.provider.Subscription(t.Context(), "sub_acme")
			if err != nil {
				t.Fatalf("Subscription = %v", err)
			}
			if got.Status != tt.want {
				t.Errorf("Status = %q, want %q", got.Status, tt.want)
			}
		})
	}

	t.Run("unknown", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.proxy.Edit(http.MethodGet, "/v1/subscriptions/sub_acme", func(obj map[string]any) { obj["status"] = "hibernating" })
		if got, err := b.provider.Subscription(t.Context(), "sub_acme"); err == nil {
			t.Fatalf("Subscription = %+v, want an error for an unknown status", got)
		}
	})
}

func TestSubscription_noTrial(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.proxy.Edit(http.MethodGet, "/v1/subscriptions/sub_acme", func(obj map[string]any) { obj["trial_end"] = nil })
	got, err := b.provider.Subscription(t.Context(), "sub_acme")
	if err != nil {
		t.Fatalf("Subscription = %v", err)
	}
	if got.TrialEnd != nil {
		t.Errorf("TrialEnd = %v, want nil", got.TrialEnd)
	}
}

func TestSubscription_unknown(t *testing.T) {
	t.Parallel()

	t.Run("404 resource_missing", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// stripe-mock answers any ID; Stripe answers this.
		b.proxy.Answer(http.MethodGet, "/v1/subscriptions/sub_gone", canned{
			Status: http.StatusNotFound,
			Body:   stripeError("invalid_request_error", "resource_missing", "No such subscription: 'sub_gone'", "id"),
		})
		_, err := b.provider.Subscription(t.Context(), "sub_gone")
		if !errors.Is(err, domain.ErrUnknownSubscription) {
			t.Fatalf("Subscription = %v, want ErrUnknownSubscription", err)
		}
	})

	t.Run("empty reference", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.provider.Subscription(t.Context(), "")
		if !errors.Is(err, domain.ErrUnknownSubscription) {
			t.Fatalf("Subscription(\"\") = %v, want ErrUnknownSubscription", err)
		}
		if calls := b.proxy.Calls(); len(calls) != 0 {
			t.Errorf("requests = %s, want none", describeCalls(calls))
		}
	})
}

func TestCancel(t *testing.T) {
	t.Parallel()

	t.Run("at period end", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		got, err := b.provider.Cancel(t.Context(), "sub_acme", true)
		if err != nil {
			t.Fatalf("Cancel = %v", err)
		}
		c := b.proxy.Only(t, http.MethodPost, "/v1/subscriptions/sub_acme")
		wantForm(t, c, map[string]string{"cancel_at_period_end": "true"})
		wantSnapshot(t, b, got, decodeSubscription(t, c), domain.StatusActive)
		if !got.CancelAtPeriodEnd {
			t.Error("CancelAtPeriodEnd = false, want true")
		}
	})

	t.Run("now", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.proxy.Edit(http.MethodDelete, "/v1/subscriptions/sub_acme", func(obj map[string]any) { obj["status"] = "canceled" })
		got, err := b.provider.Cancel(t.Context(), "sub_acme", false)
		if err != nil {
			t.Fatalf("Cancel = %v", err)
		}
		c := b.proxy.Only(t, http.MethodDelete, "/v1/subscriptions/sub_acme")
		wantSnapshot(t, b, got, decodeSubscription(t, c), domain.StatusCanceled)
	})

	t.Run("unknown", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.proxy.Answer(http.MethodDelete, "/v1/subscriptions/sub_gone", canned{
			Status: http.StatusNotFound,
			Body:   stripeError("invalid_request_error", "resource_missing", "No such subscription: 'sub_gone'", "id"),
		})
		if _, err := b.provider.Cancel(t.Context(), "sub_gone", false); !errors.Is(err, domain.ErrUnknownSubscription) {
			t.Fatalf("Cancel = %v, want ErrUnknownSubscription", err)
		}
	})
}

func TestResume(t *testing.T) {
	t.Parallel()
	b := setup(t)

	got, err := b.provider.Resume(t.Context(), "sub_acme")
	if err != nil {
		t.Fatalf("Resume = %v", err)
	}
	c := b.proxy.Only(t, http.MethodPost, "/v1/subscriptions/sub_acme")
	wantForm(t, c, map[string]string{"cancel_at_period_end": "false"})
	wantSnapshot(t, b, got, decodeSubscription(t, c), domain.StatusActive)
	// stripe-mock echoes the parameter: its fixture says true.
	if got.CancelAtPeriodEnd {
		t.Error("CancelAtPeriodEnd = true, want false")
	}
}

func TestChangePrice(t *testing.T) {
	t.Parallel()
	price := domain.Price{Plan: "team", Interval: domain.Year, ProviderID: "price_team_year", Amount: 20000, Currency: "usd"}
	tests := []struct {
		name      string
		seats     int
		now       bool
		quantity  string
		proration string
	}{
		{"now, per seat", 5, true, "5", "create_prorations"},
		{"now, flat", 0, true, "1", "create_prorations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			got, err := b.provider.ChangePrice(t.Context(), "sub_acme", price, tt.seats, tt.now)
			if err != nil {
				t.Fatalf("ChangePrice = %v", err)
			}
			if n := len(b.proxy.Calls()); n != 2 {
				t.Fatalf("requests = %s, want a GET then a POST", describeCalls(b.proxy.Calls()))
			}
			current := decodeSubscription(t, b.proxy.Nth(t, 0, http.MethodGet, "/v1/subscriptions/sub_acme"))
			c := b.proxy.Nth(t, 1, http.MethodPost, "/v1/subscriptions/sub_acme")
			wantForm(t, c, map[string]string{
				"items[0][id]":       current.Items.Data[0].ID,
				"items[0][price]":    "price_team_year",
				"items[0][quantity]": tt.quantity,
				"proration_behavior": tt.proration,
			})
			wantSnapshot(t, b, got, decodeSubscription(t, c), domain.StatusActive)
		})
	}
}

// TestChangePriceAtPeriodEnd: a change from the next period goes through a
// subscription schedule made from the subscription: today's price and
// seats until the period ends, the new ones after, then released.
func TestChangePriceAtPeriodEnd(t *testing.T) {
	t.Parallel()
	b := setup(t)
	price := domain.Price{Plan: "team", Interval: domain.Year, ProviderID: "price_team_year", Amount: 20000, Currency: "usd"}
	got, err := b.provider.ChangePrice(t.Context(), "sub_acme", price, 2, false)
	if err != nil {
		t.Fatalf("ChangePrice = %v (requests %s)", err, describeCalls(b.proxy.Calls()))
	}
	calls := b.proxy.Calls()
	current := decodeSubscription(t, b.proxy.Nth(t, 0, http.MethodGet, "/v1/subscriptions/sub_acme"))
	last := calls[len(calls)-1]
	if last.Method != http.MethodPost || !strings.HasPrefix(last.Path, "/v1/subscription_schedules/") {
		t.Fatalf("requests = %s, want the schedule updated last", describeCalls(calls))
	}
	if len(calls) == 3 { // no schedule yet: one made from the subscription
		wantForm(t, b.proxy.Nth(t, 1, http.MethodPost, "/v1/subscription_schedules"), map[string]string{"from_subscription": "sub_acme"})
	}
	item := current.Items.Data[0]
	wantForm(t, last, map[string]string{
		"end_behavior":                        "release",
		"proration_behavior":                  "none",
		"phases[0][items][0][price]":          item.Price.ID,
		"phases[0][end_date]":                 strconv.FormatInt(item.CurrentPeriodEnd, 10),
		"phases[1][items][0][price]":          "price_team_year",
		"phases[1][items][0][quantity]":       "2",
		"phases[1][duration][interval]":       "year",
		"phases[1][duration][interval_count]": "1",
	})
	if got.PriceID != item.Price.ID {
		t.Errorf("the price changed before the period end: %s, want %s", got.PriceID, item.Price.ID)
	}
}

func TestSetSeats(t *testing.T) {
	t.Parallel()

	t.Run("seven", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		// As Stripe would answer; stripe-mock's fixture keeps one seat.
		b.proxy.Edit(http.MethodPost, "/v1/subscriptions/sub_acme", func(obj map[string]any) { setQuantity(obj, 7) })
		got, err := b.provider.SetSeats(t.Context(), "sub_acme", 7)
		if err != nil {
			t.Fatalf("SetSeats = %v", err)
		}
		if n := len(b.proxy.Calls()); n != 2 {
			t.Fatalf("requests = %s, want a GET then a POST", describeCalls(b.proxy.Calls()))
		}
		current := decodeSubscription(t, b.proxy.Nth(t, 0, http.MethodGet, "/v1/subscriptions/sub_acme"))
		c := b.proxy.Nth(t, 1, http.MethodPost, "/v1/subscriptions/sub_acme")
		wantForm(t, c, map[string]string{
			"items[0][id]":       current.Items.Data[0].ID,
			"items[0][quantity]": "7",
			"items[0][price]":    "",
			"proration_behavior": "create_prorations",
		})
		wantSnapshot(t, b, got, decodeSubscription(t, c), domain.StatusActive)
		if got.Seats != 7 {
			t.Errorf("Seats = %d, want 7", got.Seats)
		}
	})

	t.Run("none", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		_, err := b.provider.SetSeats(t.Context(), "sub_acme", 0)
		if kernel.KindOf(err) != kernel.KindInvalid {
			t.Fatalf("SetSeats(0) = %v, want an Invalid error", err)
		}
		if calls := b.proxy.Calls(); len(calls) != 0 {
			t.Errorf("requests = %s, want none", describeCalls(calls))
		}
	})

	t.Run("unknown subscription", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.proxy.Answer(http.MethodGet, "/v1/subscriptions/sub_gone", canned{
			Status: http.StatusNotFound,
			Body:   stripeError("invalid_request_error", "resource_missing", "No such subscription: 'sub_gone'", "id"),
		})
		if _, err := b.provider.SetSeats(t.Context(), "sub_gone", 3); !errors.Is(err, domain.ErrUnknownSubscription) {
			t.Fatalf("SetSeats = %v, want ErrUnknownSubscription", err)
		}
	})
}
