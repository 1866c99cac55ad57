package mailtmpl_test

import (
	"maps"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/mailtmpl"
)

var testBrand = mailtmpl.Brand{
	ProductName: "Acme",
	Color:       "#0a7cff",
	ServerURL:   "https://acme.test",
	Address:     "1 Market Street, San Francisco, CA 94105",
}

// builtinLocales are the locales every built-in must be written in.
var builtinLocales = []string{"en", "es", "pt-BR"}

// builtinCase is a built-in template with representative data.
type builtinCase struct {
	name     string
	data     map[string]any
	required []string
	optional []string
	urls     []string // data URLs that must appear in HTML and text
}

func builtinCases() []builtinCase {
	return []builtinCase{
		{
			name:     mailtmpl.VerifyEmail,
			data:     map[string]any{"Name": "Ana Souza", "URL": "https://app.acme.test/verify?token=v-123", "ExpiresInHours": 24},
			required: []string{"URL", "ExpiresInHours"},
			optional: []string{"Name"},
			urls:     []string{"https://app.acme.test/verify?token=v-123"},
		},
		{
			name:     mailtmpl.Welcome,
			data:     map[string]any{"Name": "Ana Souza", "URL": "https://app.acme.test/start"},
			required: []string{"URL"},
			optional: []string{"Name"},
			urls:     []string{"https://app.acme.test/start"},
		},
		{
			name:     mailtmpl.PasswordReset,
			data:     map[string]any{"Name": "Ana Souza", "URL": "https://app.acme.test/reset?token=r-456", "ExpiresInMinutes": 30},
			required: []string{"URL", "ExpiresInMinutes"},
			optional: []string{"Name"},
			urls:     []string{"https://app.acme.test/reset?token=r-456"},
		},
		{
			name: mailtmpl.PasswordChanged,
			data: map[string]any{
				"Name":       "Ana Souza",
				"Time":       time.Date(2026, time.March, 5, 14, 7, 0, 0, time.UTC),
				"SupportURL": "https://acme.test/support",
			},
			required: []string{"Time"},
			optional: []string{"Name", "SupportURL"},
			urls:     []string{"https://acme.test/support"},
		},
		{
			name:     mailtmpl.EmailChanged,
			data:     map[string]any{"Name": "Ana Souza", "OldEmail": "ana@old.example", "NewEmail": "ana@new.example"},
			required: []string{"OldEmail", "NewEmail"},
			optional: []string{"Name"},
		},
		{
			name: mailtmpl.OrganizationInvitation,
			data: map[string]any{
				"InviterName":      "Bruno Lima",
				"OrganizationName": "Acme Labs",
				"Role":             "admin",
				"URL":              "https://app.acme.test/invitations/inv-789",
				"ExpiresInDays":    7,
			},
			required: []string{"InviterName", "OrganizationName", "Role", "URL", "ExpiresInDays"},
			urls:     []string{"https://app.acme.test/invitations/inv-789"},
		},
		{
			name: mailtmpl.BillingPaymentFailed,
			data: map[string]any{
				"Name": "Ana Souza", "OrganizationName": "Acme Labs", "Plan": "pro",
				"URL": "https://app.acme.test/billing", "GraceDays": 7,
			},
			required: []string{"OrganizationName", "Plan", "URL", "GraceDays"},
			optional: []string{"Name"},
			urls:     []string{"https://app.acme.test/billing"},
		},
		{
			name: mailtmpl.BillingSubscriptionCanceled,
			data: map[string]any{
				"Name": "Ana Souza", "OrganizationName": "Acme Labs", "Plan": "business",
				"URL": "https://app.acme.test/billing",
			},
			required: []string{"OrganizationName", "Plan", "URL"},
			optional: []string{"Name"},
			urls:     []string{"https://app.acme.test/billing"},
		},
		{
			name: mailtmpl.BillingTrialEnding,
			data: map[string]any{
				"Name": "Ana Souza", "OrganizationName": "Acme Labs", "Plan": "pro",
				"TrialEnd": time.Date(2026, time.January, 29, 9, 30, 0, 0, time.UTC),
				"URL":      "https://app.acme.test/billing",
			},
			required: []string{"OrganizationName", "Plan", "TrialEnd", "URL"},
			optional: []string{"Name"},
			urls:     []string{"https://app.acme.test/billing"},
		},
		{
			name: mailtmpl.UsageThreshold,
			data: map[string]any{
				"Name": "Ana Souza", "OrganizationName": "Acme Labs", "Plan": "free", "Meter": "Tickets opened",
				"Unit": "tickets", "Percent": 80, "Used": 40, "Limit": 50,
				"ResetsAt": time.Date(2026, time.February, 1, 0, 0, 0, 0, time.UTC),
				"URL":      "https://app.acme.test/billing",
			},
			required: []string{"OrganizationName", "Plan", "Meter", "Unit", "Percent", "Used", "Limit", "URL"},
			optional: []string{"Name", "ResetsAt"},
			urls:     []string{"https://app.acme.test/billing"},
		},
	}
}

// builtinCaseOf returns the case of the built-in name.
func builtinCaseOf(t *testing.T, name string) builtinCase {
	t.Helper()
	for _, tc := range builtinCases() {
		if tc.name == name {
			return tc
		}
	}
	t.Fatalf("no builtin case %q", name)
	return builtinCase{}
}

// setup returns a registry branded with testBrand.
func setup(t *testing.T) *mailtmpl.Registry {
	t.Helper()
	r, err := mailtmpl.New(testBrand)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// with returns a copy of data with the given keys set (or deleted when the
// value is deleteKey).
func with(data map[string]any, kv ...any) map[string]any {
	out := maps.Clone(data)
	for i := 0; i < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == deleteKey {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

type deleteMarker struct{}

var deleteKey = deleteMarker{}

// product returns a valid product template.
func product() mailtmpl.Template {
	return mailtmpl.Template{
		Subject: map[string]string{
			"en": "Your report for {{.Month}} is ready",
			"es": "Tu informe de {{.Month}} está listo",
		},
		HTML: map[string]string{
			"en": `<p>Your report for {{.Month}} is ready.</p>{{button .URL "Open report"}}`,
			"es": `<p>Tu informe de {{.Month}} está listo.</p>{{button .URL "Abrir informe"}}`,
		},
		Text: map[string]string{
			"en": "Your report for {{.Month}} is ready:\n\n{{url .URL}}",
			"es": "Tu informe de {{.Month}} está listo:\n\n{{url .URL}}",
		},
		Required: []string{"Month", "URL"},
	}
}

var timeZero time.Time
