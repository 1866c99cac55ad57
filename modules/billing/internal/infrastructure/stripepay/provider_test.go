package stripepay_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/stripepay"
)

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     stripepay.Config
		wantErr string // a word the error names; "" for none
	}{
		{"key and secret", stripepay.Config{SecretKey: testKey, WebhookSecrets: []string{"whsec_1"}}, ""},
		{"two secrets", stripepay.Config{SecretKey: testKey, WebhookSecrets: []string{"whsec_1", "whsec_2"}}, ""},
		{"no key", stripepay.Config{WebhookSecrets: []string{"whsec_1"}}, "STRIPE_SECRET_KEY"},
		{"blank key", stripepay.Config{SecretKey: "  ", WebhookSecrets: []string{"whsec_1"}}, "STRIPE_SECRET_KEY"},
		{"no secret", stripepay.Config{SecretKey: testKey}, "STRIPE_WEBHOOK_SECRET"},
		{"blank secrets", stripepay.Config{SecretKey: testKey, WebhookSecrets: []string{"", " "}}, "STRIPE_WEBHOOK_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := stripepay.New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || p == nil {
					t.Fatalf("New = %v, %v; want a provider", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v, want one naming %s", err, tt.wantErr)
			}
		})
	}
}

func TestNameAndSeats(t *testing.T) {
	t.Parallel()
	p, err := stripepay.New(stripepay.Config{SecretKey: testKey, WebhookSecrets: []string{"whsec_1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Name(); got != "stripe" {
		t.Errorf("Name = %q, want stripe", got)
	}
	if !p.SupportsSeats() {
		t.Error("SupportsSeats = false, want true")
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()

	t.Run("accepted key", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		if err := b.provider.Check(t.Context()); err != nil {
			t.Fatalf("Check = %v", err)
		}
		b.proxy.Only(t, http.MethodGet, "/v1/balance")
	})

	t.Run("rejected key names STRIPE_SECRET_KEY", func(t *testing.T) {
		t.Parallel()
		needStripeMock(t)
		// stripe-mock answers 401 to a key that is not a test-mode secret key.
		const key = "sk_live_51NotAcceptedByStripeMock1234"
		p, err := stripepay.New(stripepay.Config{SecretKey: key, WebhookSecrets: []string{"whsec_1"}, APIBase: stripeMockURL})
		if err != nil {
			t.Fatal(err)
		}
		err = p.Check(t.Context())
		if err == nil {
			t.Fatal("Check = nil, want an error")
		}
		t.Logf("Check: %v", err)
		if !strings.Contains(err.Error(), "STRIPE_SECRET_KEY") || !strings.Contains(err.Error(), "401") {
			t.Errorf("Check error = %q, want it to name STRIPE_SECRET_KEY and the 401", err)
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("Check error = %q prints the whole key", err)
		}
		if errors.Is(err, domain.ErrProviderUnavailable) {
			t.Errorf("Check error = %v is ErrProviderUnavailable; a bad key is not an outage", err)
		}
	})

	t.Run("unreachable API", func(t *testing.T) {
		t.Parallel()
		p, err := stripepay.New(stripepay.Config{SecretKey: testKey, WebhookSecrets: []string{"whsec_1"}, APIBase: closedURL(t)})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(t.Context()); !errors.Is(err, domain.ErrProviderUnavailable) {
			t.Fatalf("Check = %v, want ErrProviderUnavailable", err)
		}
	})
}
