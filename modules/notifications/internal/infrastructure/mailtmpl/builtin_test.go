package mailtmpl_test

import (
	"encoding/json"
	"errors"
	"html"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/mailtmpl"
)

func TestBuiltinsRenderInEveryLocale(t *testing.T) {
	t.Parallel()
	r := setup(t)
	for _, tc := range builtinCases() {
		for _, loc := range builtinLocales {
			t.Run(tc.name+"/"+loc, func(t *testing.T) {
				t.Parallel()
				out, err := r.Render(tc.name, loc, tc.data)
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				if out.Locale != loc {
					t.Errorf("Locale = %q, want %q", out.Locale, loc)
				}
				if out.Subject == "" || strings.ContainsAny(out.Subject, "\r\n") || strings.TrimSpace(out.Subject) != out.Subject {
					t.Errorf("Subject %q is not one trimmed, non-empty line", out.Subject)
				}
				parts := map[string]string{"subject": out.Subject, "html": out.HTML, "text": out.Text}
				for part, s := range parts {
					for _, bad := range []string{"<no value>", "{{", "}}", "%!", "ZgotmplZ"} {
						if strings.Contains(s, bad) {
							t.Errorf("%s contains %q:\n%s", part, bad, s)
						}
					}
				}
				for _, u := range tc.urls {
					if !strings.Contains(out.HTML, `href="`+html.EscapeString(u)+`"`) {
						t.Errorf("HTML has no link to %s", u)
					}
					if !slices.Contains(strings.Split(out.Text, "\n"), u) {
						t.Errorf("text has no line holding only %s:\n%s", u, out.Text)
					}
				}
				if !strings.Contains(out.HTML, `<html lang="`+loc+`"`) {
					t.Errorf("HTML does not declare lang %q", loc)
				}
				for _, s := range []string{testBrand.ProductName, testBrand.ServerURL, testBrand.Address} {
					if !strings.Contains(out.HTML, html.EscapeString(s)) || !strings.Contains(out.Text, s) {
						t.Errorf("footer lacks %q", s)
					}
				}
				if !strings.HasSuffix(out.Text, "\n") || strings.Contains(out.Text, "\n\n\n") {
					t.Errorf("text is not tidy:\n%q", out.Text)
				}
			})
		}
	}
}

func TestBuiltinsHaveTheSameLocalesAndParts(t *testing.T) {
	t.Parallel()
	r := setup(t)
	want := []string{
		mailtmpl.BillingPaymentFailed, mailtmpl.BillingSubscriptionCanceled, mailtmpl.BillingTrialEnding,
		mailtmpl.EmailChanged, mailtmpl.OrganizationInvitation, mailtmpl.PasswordChanged,
		mailtmpl.PasswordReset, mailtmpl.UsageThreshold, mailtmpl.VerifyEmail, mailtmpl.Welcome,
	}
	if got := r.Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
	for _, name := range want {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := r.Locales(name); !slices.Equal(got, builtinLocales) {
				t.Errorf("Locales = %v, want %v", got, builtinLocales)
			}
			src, err := mailtmpl.Builtin(name)
			if err != nil {
				t.Fatalf("Builtin: %v", err)
			}
			for part, m := range map[string]map[string]string{"subject": src.Subject, "html": src.HTML, "text": src.Text} {
				if got := slices.Sorted(maps.Keys(m)); !slices.Equal(got, builtinLocales) {
					t.Errorf("%s locales = %v, want %v", part, got, builtinLocales)
				}
			}
		})
	}
}

func TestBuiltinsAreTranslated(t *testing.T) {
	t.Parallel()
	r := setup(t)
	for _, tc := range builtinCases() {
		en, err := r.Render(tc.name, "en", tc.data)
		if err != nil {
			t.Fatalf("%s/en: %v", tc.name, err)
		}
		for _, loc := range []string{"es", "pt-BR"} {
			t.Run(tc.name+"/"+loc, func(t *testing.T) {
				t.Parallel()
				out, err := r.Render(tc.name, loc, tc.data)
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				if out.Subject == en.Subject || out.HTML == en.HTML || out.Text == en.Text {
					t.Fatalf("a part is identical to English")
				}
				// Catch a paragraph copied over untranslated: no prose
				// line of the English text may appear in the translation.
				for line := range strings.Lines(en.Text) {
					line = strings.TrimSpace(line)
					if len(line) < 20 || strings.HasPrefix(line, "http") || line == testBrand.Address {
						continue
					}
					if strings.Contains(out.Text, line) {
						t.Errorf("English line left untranslated: %q", line)
					}
				}
			})
		}
	}
}

func TestGreetingWithoutName(t *testing.T) {
	t.Parallel()
	r := setup(t)
	greetings := map[string][2]string{ // locale → {with name, without}
		"en":    {"Hi Ana Souza,", "Hi,"},
		"es":    {"Hola, Ana Souza:", "Hola:"},
		"pt-BR": {"Olá, Ana Souza,", "Olá,"},
	}
	for _, tc := range builtinCases() {
		if !slices.Contains(tc.optional, "Name") {
			continue
		}
		for loc, want := range greetings {
			t.Run(tc.name+"/"+loc, func(t *testing.T) {
				t.Parallel()
				for i, data := range []map[string]any{tc.data, with(tc.data, "Name", deleteKey), with(tc.data, "Name", "")} {
					out, err := r.Render(tc.name, loc, data)
					if err != nil {
						t.Fatalf("Render: %v", err)
					}
					g := want[min(i, 1)]
					if first, _, _ := strings.Cut(out.Text, "\n"); first != g {
						t.Errorf("text greeting = %q, want %q", first, g)
					}
					if !strings.Contains(out.HTML, "<p>"+g+"</p>") {
						t.Errorf("HTML lacks greeting <p>%s</p>", g)
					}
				}
			})
		}
	}
}

func TestOptionalSupportURL(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tc := builtinCases()[3]
	out, err := r.Render(mailtmpl.PasswordChanged, "en", with(tc.data, "SupportURL", deleteKey))
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if strings.Contains(out.HTML, "/support") || strings.Contains(out.Text, "/support") {
		t.Errorf("support link shown without SupportURL:\n%s", out.Text)
	}
}

func TestPasswordChangedTimeIsUTCAndLocalized(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tc := builtinCases()[3]
	want := map[string]string{
		"en":    "March 5, 2026 at 2:07 PM UTC",
		"es":    "5 de marzo de 2026 a las 14:07 UTC",
		"pt-BR": "5 de março de 2026 às 14:07 UTC",
	}
	// 16:07 in UTC+2 is 14:07 UTC; an RFC 3339 string is what the time
	// becomes after a JSON round trip.
	for _, tm := range []any{
		tc.data["Time"],
		"2026-03-05T16:07:00+02:00",
	} {
		for loc, w := range want {
			out, err := r.Render(mailtmpl.PasswordChanged, loc, with(tc.data, "Time", tm))
			if err != nil {
				t.Fatalf("%s %v: %v", loc, tm, err)
			}
			if !strings.Contains(out.Text, w) || !strings.Contains(out.HTML, w) {
				t.Errorf("%s %v: want %q in:\n%s", loc, tm, w, out.Text)
			}
		}
	}
	for _, bad := range []any{42, "yesterday", timeZero} {
		if _, err := r.Render(mailtmpl.PasswordChanged, "en", with(tc.data, "Time", bad)); err == nil {
			t.Errorf("Time %v rendered, want error", bad)
		}
	}
}

func TestPlural(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tc := builtinCases()[0]
	cases := []struct {
		loc  string
		n    any
		want string
	}{
		{"en", 1, "valid for 1 hour."},
		{"en", 48, "valid for 48 hours."},
		{"en", 1.0, "valid for 1 hour."},
		{"es", 1, "durante 1 hora."},
		{"es", 2, "durante 2 horas."},
		{"pt-BR", int64(1), "por 1 hora."},
		{"pt-BR", uint8(3), "por 3 horas."},
		{"pt-BR", json.Number("12"), "por 12 horas."},
	}
	for _, c := range cases {
		out, err := r.Render(mailtmpl.VerifyEmail, c.loc, with(tc.data, "ExpiresInHours", c.n))
		if err != nil {
			t.Fatalf("%s %v: %v", c.loc, c.n, err)
		}
		if !strings.Contains(out.Text, c.want) {
			t.Errorf("%s %v: want %q in:\n%s", c.loc, c.n, c.want, out.Text)
		}
	}
}

func TestInvitationRoleIsTranslated(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tc := builtinCases()[5]
	cases := []struct{ loc, role, want string }{
		{"en", "admin", "with the admin role"},
		{"es", "owner", "con el rol de propietario"},
		{"es", "member", "con el rol de miembro"},
		{"pt-BR", "admin", "com a função de administrador"},
		{"pt-BR", "Billing Manager", "com a função de Billing Manager"},
	}
	for _, c := range cases {
		out, err := r.Render(mailtmpl.OrganizationInvitation, c.loc, with(tc.data, "Role", c.role))
		if err != nil {
			t.Fatalf("%s: %v", c.loc, err)
		}
		if !strings.Contains(out.Text, c.want) {
			t.Errorf("%s %s: want %q in:\n%s", c.loc, c.role, c.want, out.Text)
		}
	}
}

func TestPaymentFailedGracePeriod(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tc := builtinCaseOf(t, mailtmpl.BillingPaymentFailed)
	// grace is the sentence announcing a grace period, absent without one.
	grace := map[string]string{"en": "keeps the plan for", "es": "conserva el plan durante", "pt-BR": "mantém o plano por"}
	cases := []struct {
		loc  string
		days any
		want string
	}{
		{"en", 7, "keeps the plan for 7 days."},
		{"en", 1, "keeps the plan for 1 day."},
		{"en", 0, "The plan's features are paused until the payment goes through."},
		{"es", 3.0, "conserva el plan durante 3 días."},
		{"es", 1, "conserva el plan durante 1 día."},
		{"es", 0, "Las funciones del plan quedan en pausa hasta que se complete el pago."},
		{"pt-BR", json.Number("14"), "mantém o plano por 14 dias."},
		{"pt-BR", 1, "mantém o plano por 1 dia."},
		{"pt-BR", 0, "Os recursos do plano ficam suspensos até que o pagamento seja concluído."},
	}
	for _, c := range cases {
		out, err := r.Render(mailtmpl.BillingPaymentFailed, c.loc, with(tc.data, "GraceDays", c.days))
		if err != nil {
			t.Fatalf("%s %v: %v", c.loc, c.days, err)
		}
		if !strings.Contains(out.Text, c.want) || !strings.Contains(html.UnescapeString(out.HTML), c.want) {
			t.Errorf("%s %v: want %q in:\n%s", c.loc, c.days, c.want, out.Text)
		}
		if c.days == 0 && (strings.Contains(out.Text, grace[c.loc]) || strings.Contains(out.HTML, grace[c.loc])) {
			t.Errorf("%s: no grace period, yet one is announced:\n%s", c.loc, out.Text)
		}
	}
}

func TestBillingEmailsNameThePlanAndOrganization(t *testing.T) {
	t.Parallel()
	r := setup(t)
	for _, name := range []string{mailtmpl.BillingPaymentFailed, mailtmpl.BillingSubscriptionCanceled, mailtmpl.BillingTrialEnding} {
		tc := builtinCaseOf(t, name)
		for _, loc := range builtinLocales {
			out, err := r.Render(name, loc, tc.data)
			if err != nil {
				t.Fatalf("%s/%s: %v", name, loc, err)
			}
			plan := tc.data["Plan"].(string)
			for part, s := range map[string]string{"subject": out.Subject, "html": out.HTML, "text": out.Text} {
				if !strings.Contains(s, "Acme Labs") {
					t.Errorf("%s/%s: %s does not name the organization", name, loc, part)
				}
				if part != "subject" && !strings.Contains(s, " "+plan+" ") && !strings.Contains(s, "<strong>"+plan+"</strong>") {
					t.Errorf("%s/%s: %s does not name the plan %q", name, loc, part, plan)
				}
			}
		}
	}
}

func TestTrialEndIsUTCAndLocalized(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tc := builtinCaseOf(t, mailtmpl.BillingTrialEnding)
	want := map[string][2]string{ // locale → {the words before, the date}
		"en":    {"ends on ", "January 29, 2026 at 9:30 AM UTC"},
		"es":    {"termina el ", "29 de enero de 2026 a las 09:30 UTC"},
		"pt-BR": {"termina em ", "29 de janeiro de 2026 às 09:30 UTC"},
	}
	// 06:30 in UTC-3 is 09:30 UTC; the string is the time after the job
	// queue's JSON round trip.
	for _, end := range []any{tc.data["TrialEnd"], "2026-01-29T06:30:00-03:00"} {
		for loc, w := range want {
			out, err := r.Render(mailtmpl.BillingTrialEnding, loc, with(tc.data, "TrialEnd", end))
			if err != nil {
				t.Fatalf("%s %v: %v", loc, end, err)
			}
			if !strings.Contains(out.Text, w[0]+w[1]+".") {
				t.Errorf("%s %v: want %q in:\n%s", loc, end, w[0]+w[1], out.Text)
			}
			if !strings.Contains(out.HTML, w[0]+"<strong>"+html.EscapeString(w[1])+"</strong>") {
				t.Errorf("%s %v: HTML lacks the date %q", loc, end, w[1])
			}
		}
	}
	for _, bad := range []any{42, "next week", timeZero} {
		if _, err := r.Render(mailtmpl.BillingTrialEnding, "en", with(tc.data, "TrialEnd", bad)); err == nil {
			t.Errorf("TrialEnd %v rendered, want error", bad)
		}
	}
}

// The data goes through the emails job queue as JSON: numbers come back
// as float64 and times as strings, and the email must not change.
func TestDataSurvivesJSONRoundTrip(t *testing.T) {
	t.Parallel()
	r := setup(t)
	for _, tc := range builtinCases() {
		b, err := json.Marshal(tc.data)
		if err != nil {
			t.Fatal(err)
		}
		var decoded map[string]any
		if err := json.Unmarshal(b, &decoded); err != nil {
			t.Fatal(err)
		}
		for _, loc := range builtinLocales {
			want, err1 := r.Render(tc.name, loc, tc.data)
			got, err2 := r.Render(tc.name, loc, decoded)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s/%s: %v, %v", tc.name, loc, err1, err2)
			}
			if got != want {
				t.Errorf("%s/%s: rendering differs after a JSON round trip", tc.name, loc)
			}
		}
	}
}

func TestMissingRequiredData(t *testing.T) {
	t.Parallel()
	r := setup(t)
	for _, tc := range builtinCases() {
		for _, key := range tc.required {
			for desc, data := range map[string]map[string]any{
				"absent": with(tc.data, key, deleteKey),
				"nil":    with(tc.data, key, nil),
				"empty":  with(tc.data, key, " "),
			} {
				t.Run(tc.name+"/"+key+"/"+desc, func(t *testing.T) {
					t.Parallel()
					_, err := r.Render(tc.name, "es", data)
					if !errors.Is(err, mailtmpl.ErrMissingData) {
						t.Fatalf("err = %v, want ErrMissingData", err)
					}
					if !strings.Contains(err.Error(), key) {
						t.Errorf("error %q does not name %s", err, key)
					}
				})
			}
		}
		for _, key := range tc.optional {
			if _, err := r.Render(tc.name, "es", with(tc.data, key, deleteKey)); err != nil {
				t.Errorf("%s without optional %s: %v", tc.name, key, err)
			}
			if _, err := r.Render(tc.name, "es", with(tc.data, key, nil)); err != nil {
				t.Errorf("%s with nil optional %s: %v", tc.name, key, err)
			}
		}
	}
}

func TestRenderDoesNotModifyData(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tc := builtinCases()[1]
	data := with(tc.data, "Name", deleteKey)
	before := maps.Clone(data)
	if _, err := r.Render(tc.name, "en", data); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(data, before) {
		t.Errorf("data changed: %v, was %v", data, before)
	}
}

var (
	srcAttr  = regexp.MustCompile(`(?i)\bsrc\s*=`)
	hrefAttr = regexp.MustCompile(`(?i)\bhref\s*=\s*"([^"]*)"`)
	remote   = regexp.MustCompile(`(?i)<img|<link|<script|<iframe|<object|<embed|@import|url\(|background\s*=`)
)

func TestNoRemoteAssets(t *testing.T) {
	t.Parallel()
	r := setup(t)
	for _, tc := range builtinCases() {
		for _, loc := range builtinLocales {
			out, err := r.Render(tc.name, loc, tc.data)
			if err != nil {
				t.Fatalf("%s/%s: %v", tc.name, loc, err)
			}
			if m := srcAttr.FindString(out.HTML); m != "" {
				t.Errorf("%s/%s: HTML has a src attribute", tc.name, loc)
			}
			if m := remote.FindString(out.HTML); m != "" {
				t.Errorf("%s/%s: HTML loads something: %q", tc.name, loc, m)
			}
			allowed := append([]string{testBrand.ServerURL}, tc.urls...)
			for _, m := range hrefAttr.FindAllStringSubmatch(out.HTML, -1) {
				if href := html.UnescapeString(m[1]); !slices.Contains(allowed, href) {
					t.Errorf("%s/%s: unexpected link %q", tc.name, loc, href)
				}
			}
			// Outside href, a URL may appear only as the visible copy of
			// an allowed link.
			rest := hrefAttr.ReplaceAllString(out.HTML, "")
			for _, u := range allowed {
				rest = strings.ReplaceAll(rest, html.EscapeString(u), "")
			}
			if strings.Contains(rest, "http://") || strings.Contains(rest, "https://") {
				t.Errorf("%s/%s: HTML holds a URL that is not data or ServerURL", tc.name, loc)
			}
		}
	}
}
