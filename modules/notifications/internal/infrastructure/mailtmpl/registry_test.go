package mailtmpl_test

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/mailtmpl"
)

func TestLocaleFallback(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tc := builtinCases()[0]
	cases := []struct{ requested, want string }{
		{"en", "en"},
		{"es", "es"},
		{"pt-BR", "pt-BR"},
		{"es-MX", "es"},
		{"ES_mx", "es"},
		{"es-419", "es"},
		{"PT_br", "pt-BR"},
		{"pt-br", "pt-BR"},
		{"pt_BR.UTF-8", "pt-BR"},
		{"pt", "pt-BR"},
		{"pt-PT", "pt-BR"},
		{"en-GB", "en"},
		{"fr", "en"},
		{"fr-CA", "en"},
		{"zh-Hant-TW", "en"},
		{"", "en"},
		{"  ", "en"},
		{"!!", "en"},
		{"e", "en"},
		{"es--MX", "en"},
		{"español", "en"},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%q", c.requested), func(t *testing.T) {
			t.Parallel()
			out, err := r.Render(tc.name, c.requested, tc.data)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if out.Locale != c.want {
				t.Errorf("Locale = %q, want %q", out.Locale, c.want)
			}
			want, err := r.Render(tc.name, c.want, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if out != want {
				t.Errorf("rendering differs from the %s one", c.want)
			}
		})
	}
}

func TestLocaleFallbackPrefersTheClosestProductLocale(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tmpl := mailtmpl.Template{Subject: map[string]string{}, HTML: map[string]string{}, Text: map[string]string{}}
	for _, loc := range []string{"en", "pt", "pt-BR", "es-MX", "zh-Hant"} {
		tmpl.Subject[loc] = "subject " + loc
		tmpl.HTML[loc] = "<p>html " + loc + "</p>"
		tmpl.Text[loc] = "text " + loc
	}
	if err := r.Register("multi", tmpl); err != nil {
		t.Fatalf("Register: %v", err)
	}
	cases := []struct{ requested, want string }{
		{"pt-PT", "pt"},
		{"pt", "pt"},
		{"pt_br", "pt-BR"},
		{"es", "es-MX"},
		{"es-AR", "es-MX"},
		{"zh-hant-tw", "zh-Hant"},
		{"zh", "zh-Hant"},
		{"de", "en"},
	}
	for _, c := range cases {
		out, err := r.Render("multi", c.requested, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.requested, err)
		}
		if out.Locale != c.want || out.Subject != "subject "+c.want {
			t.Errorf("%s: got %q (%q), want %q", c.requested, out.Locale, out.Subject, c.want)
		}
	}
}

func TestUnknownTemplate(t *testing.T) {
	t.Parallel()
	r := setup(t)
	if _, err := r.Render("nope", "en", nil); !errors.Is(err, mailtmpl.ErrUnknownTemplate) {
		t.Errorf("Render: err = %v, want ErrUnknownTemplate", err)
	}
	if _, err := mailtmpl.Builtin("nope"); !errors.Is(err, mailtmpl.ErrUnknownTemplate) {
		t.Errorf("Builtin: err = %v, want ErrUnknownTemplate", err)
	}
	if got := r.Locales("nope"); got != nil {
		t.Errorf("Locales = %v, want nil", got)
	}
}

func TestRegisterProductTemplate(t *testing.T) {
	t.Parallel()
	r := setup(t)
	if err := r.Register("monthly_report", product()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if !slices.Contains(r.Names(), "monthly_report") {
		t.Errorf("Names() = %v lacks monthly_report", r.Names())
	}
	if got := r.Locales("monthly_report"); !slices.Equal(got, []string{"en", "es"}) {
		t.Errorf("Locales = %v", got)
	}
	data := map[string]any{"Month": "marzo", "URL": "/reports/2026-03"}
	out, err := r.Render("monthly_report", "es-AR", data)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if out.Locale != "es" || out.Subject != "Tu informe de marzo está listo" {
		t.Errorf("got %q in %s", out.Subject, out.Locale)
	}
	// A relative URL resolves against ServerURL.
	if !strings.Contains(out.Text, "\nhttps://acme.test/reports/2026-03\n") ||
		!strings.Contains(out.HTML, `href="https://acme.test/reports/2026-03"`) {
		t.Errorf("relative URL not resolved:\n%s", out.Text)
	}
	if !strings.Contains(out.HTML, "Abrir informe") || !strings.Contains(out.HTML, "Si el botón no funciona") {
		t.Errorf("HTML lacks the localized button")
	}
	out, err = r.Render("monthly_report", "pt-BR", data)
	if err != nil || out.Locale != "en" {
		t.Errorf("pt-BR: locale %q, err %v; want en", out.Locale, err)
	}
	if _, err := r.Render("monthly_report", "en", map[string]any{"Month": "March"}); !errors.Is(err, mailtmpl.ErrMissingData) || !strings.Contains(err.Error(), "URL") {
		t.Errorf("missing URL: err = %v", err)
	}
}

func TestRegisterOverridesBuiltin(t *testing.T) {
	t.Parallel()
	r := setup(t)
	src, err := mailtmpl.Builtin(mailtmpl.Welcome)
	if err != nil {
		t.Fatal(err)
	}
	src.Subject["en"] = "Howdy from {{.Brand.ProductName}}"
	src.Subject["fr"] = "Bienvenue sur {{.Brand.ProductName}}"
	src.HTML["fr"] = `<p>Bonjour{{with .Name}} {{.}}{{end}},</p>{{button .URL "Commencer"}}`
	src.Text["fr"] = "Bonjour{{with .Name}} {{.}}{{end}},\n\n{{url .URL}}"
	if err := r.Register(mailtmpl.Welcome, src); err != nil {
		t.Fatalf("Register: %v", err)
	}
	data := builtinCases()[1].data
	out, err := r.Render(mailtmpl.Welcome, "en", data)
	if err != nil || out.Subject != "Howdy from Acme" {
		t.Errorf("en: %q, %v", out.Subject, err)
	}
	out, err = r.Render(mailtmpl.Welcome, "fr-CA", data)
	if err != nil || out.Locale != "fr" || out.Subject != "Bienvenue sur Acme" {
		t.Errorf("fr: %q in %q, %v", out.Subject, out.Locale, err)
	}
	// A locale without a layout catalog gets the English layout strings.
	if !strings.Contains(out.HTML, "If the button does not work") {
		t.Errorf("fr layout is not the English one")
	}
	// Builtin hands out copies: the change above did not leak.
	again, _ := mailtmpl.Builtin(mailtmpl.Welcome)
	if _, ok := again.Subject["fr"]; ok {
		t.Errorf("Builtin returned shared maps")
	}
	// Other registries are unaffected.
	if out, err := setup(t).Render(mailtmpl.Welcome, "en", data); err != nil || out.Subject != "Welcome to Acme" {
		t.Errorf("fresh registry: %q, %v", out.Subject, err)
	}
}

func TestRegisterRejects(t *testing.T) {
	t.Parallel()
	edit := func(f func(*mailtmpl.Template)) mailtmpl.Template {
		t := product()
		f(&t)
		return t
	}
	cases := []struct {
		desc string
		name string
		tmpl mailtmpl.Template
		want []string // substrings of the error
	}{
		{"html parse error", "report", edit(func(t *mailtmpl.Template) { t.HTML["es"] = "<p>{{.Month</p>" }),
			[]string{`"report"`, `"es"`, "html"}},
		{"subject parse error", "report", edit(func(t *mailtmpl.Template) { t.Subject["en"] = "{{if .Month}}x" }),
			[]string{`"report"`, `"en"`, "subject"}},
		{"unknown func in text", "report", edit(func(t *mailtmpl.Template) { t.Text["es"] = "{{buton .URL}}" }),
			[]string{`"report"`, `"es"`, "text", "buton"}},
		{"unknown locale spelling is canonicalized", "report", edit(func(t *mailtmpl.Template) {
			t.Subject["pt_br"], t.HTML["pt-BR"], t.Text["PT-BR"] = "x", "<p>{{</p>", "x"
		}), []string{`"pt-BR"`, "html"}},
		{"html escaping error", "report", edit(func(t *mailtmpl.Template) { t.HTML["en"] = "<script>var m = {{.Month}}" }),
			[]string{`"report"`, `"en"`, "html"}},
		{"no en", "report", edit(func(t *mailtmpl.Template) {
			delete(t.Subject, "en")
			delete(t.HTML, "en")
			delete(t.Text, "en")
		}), []string{`"report"`, `"en"`, "required"}},
		{"en without text", "report", edit(func(t *mailtmpl.Template) { delete(t.Text, "en") }),
			[]string{`"en"`, "text", "missing"}},
		{"locale missing a part", "report", edit(func(t *mailtmpl.Template) { t.Subject["pt-BR"] = "Seu relatório" }),
			[]string{`"pt-BR"`, "html", "missing"}},
		{"invalid locale", "report", edit(func(t *mailtmpl.Template) { t.Subject["!!"] = "x" }),
			[]string{`"!!"`, "invalid locale"}},
		{"same locale twice", "report", edit(func(t *mailtmpl.Template) { t.Subject["EN"] = "x" }),
			[]string{`"en"`, "subject", "twice"}},
		{"empty name", "", product(), []string{"name"}},
		{"name with a space", "monthly report", product(), []string{"name"}},
		{"reserved data key", "report", edit(func(t *mailtmpl.Template) { t.Required = append(t.Required, "Brand") }),
			[]string{"Brand"}},
	}
	for _, c := range cases {
		t.Run(c.desc, func(t *testing.T) {
			t.Parallel()
			r := setup(t)
			err := r.Register(c.name, c.tmpl)
			if err == nil {
				t.Fatal("Register succeeded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
			if c.name != "" && slices.Contains(r.Names(), c.name) {
				t.Errorf("a rejected template was registered")
			}
		})
	}
}

func TestMisspeltKeyFailsLoudly(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tmpl := product()
	tmpl.HTML["en"] = "<p>{{.Mnoth}}</p>"
	if err := r.Register("typo", tmpl); err != nil {
		t.Fatalf("Register: %v", err)
	}
	_, err := r.Render("typo", "en", map[string]any{"Month": "March", "URL": "https://x.test"})
	if err == nil || errors.Is(err, mailtmpl.ErrMissingData) || !strings.Contains(err.Error(), "Mnoth") {
		t.Errorf("err = %v, want an execution error naming Mnoth", err)
	}
}

func TestSubjectIsOneLine(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tmpl := product()
	tmpl.Subject["en"] = "Report:\n  {{.Month}}\n"
	if err := r.Register("report", tmpl); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ month, want string }{
		{"March", "Report: March"},
		{"March\r\nBcc: victim@example.com", "Report: March Bcc: victim@example.com"},
		{"Mar\u202Ech\x00", "Report: March"},
	}
	for _, c := range cases {
		out, err := r.Render("report", "en", map[string]any{"Month": c.month, "URL": "https://x.test"})
		if err != nil {
			t.Fatal(err)
		}
		if out.Subject != c.want {
			t.Errorf("Subject = %q, want %q", out.Subject, c.want)
		}
	}
	tmpl.Subject["en"] = "{{if false}}x{{end}}\n"
	if err := r.Register("blank", tmpl); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Render("blank", "en", map[string]any{"Month": "March", "URL": "https://x.test"}); err == nil {
		t.Error("empty subject rendered, want error")
	}
}

func TestHTMLEscapesData(t *testing.T) {
	t.Parallel()
	r := setup(t)
	evil := `<script>alert("x")</script>`
	for _, tc := range builtinCases() {
		data := with(tc.data, "Name", evil, "InviterName", evil, "OrganizationName", `"><b>pwn</b>`,
			"Role", evil, "OldEmail", evil+"@x.test")
		for _, loc := range builtinLocales {
			out, err := r.Render(tc.name, loc, data)
			if err != nil {
				t.Fatalf("%s/%s: %v", tc.name, loc, err)
			}
			if strings.Contains(out.HTML, "<script") || strings.Contains(out.HTML, "<b>pwn") {
				t.Errorf("%s/%s: data not escaped in HTML", tc.name, loc)
			}
			if _, named := tc.data["Name"]; named && !strings.Contains(out.HTML, "&lt;script&gt;") {
				t.Errorf("%s/%s: escaped name missing", tc.name, loc)
			}
		}
	}
}

func TestUnsafeURLsAreNeutralized(t *testing.T) {
	t.Parallel()
	r := setup(t)
	// A product template that bypasses the helpers is still protected by
	// html/template's own URL filter.
	raw := product()
	raw.HTML["en"] = `<p><a href="{{.URL}}">{{.Month}}</a></p>`
	if err := r.Register("raw", raw); err != nil {
		t.Fatal(err)
	}
	tc := builtinCases()[0]
	for _, u := range []string{
		// html/template lets mailto: through a raw href; the helpers
		// allow http and https only.
		"mailto:someone@example.com",
		"ftp://files.example.com/x",
	} {
		out, err := r.Render(tc.name, "en", with(tc.data, "URL", u))
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		if strings.Contains(out.HTML, u) || !strings.Contains(out.HTML, `href="#ZgotmplZ"`) {
			t.Errorf("%s: button link not neutralized", u)
		}
	}
	for _, u := range []string{
		"javascript:alert(1)",
		"JaVaScRiPt:alert(document.cookie)",
		" javascript:alert(1)",
		"java\tscript:alert(1)",
		"vbscript:msgbox(1)",
		"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
	} {
		t.Run(u, func(t *testing.T) {
			t.Parallel()
			for _, render := range []func() (mailtmpl.Rendered, error){
				func() (mailtmpl.Rendered, error) { return r.Render(tc.name, "en", with(tc.data, "URL", u)) },
				func() (mailtmpl.Rendered, error) {
					return r.Render("raw", "en", map[string]any{"Month": "March", "URL": u})
				},
			} {
				out, err := render()
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				lower := strings.ToLower(out.HTML)
				for _, bad := range []string{"javascript:", "vbscript:", "data:text"} {
					if strings.Contains(lower, bad) {
						t.Errorf("HTML still holds %q", bad)
					}
				}
				if !strings.Contains(out.HTML, `href="#ZgotmplZ"`) {
					t.Errorf("link not neutralized")
				}
			}
		})
	}
}

func TestRelativeURLsResolveAgainstServerURL(t *testing.T) {
	t.Parallel()
	b := testBrand
	b.ServerURL = "https://acme.test/app"
	r, err := mailtmpl.New(b)
	if err != nil {
		t.Fatal(err)
	}
	tc := builtinCases()[1]
	cases := []struct {
		in   any
		want string
	}{
		{"start?step=1", "https://acme.test/app/start?step=1"},
		{"/start", "https://acme.test/start"},
		{"//cdn.acme.test/x", "https://cdn.acme.test/x"},
		{"http://other.test/y", "http://other.test/y"},
		{&url.URL{Scheme: "https", Host: "u.test", Path: "/p"}, "https://u.test/p"},
	}
	for _, c := range cases {
		out, err := r.Render(tc.name, "en", with(tc.data, "URL", c.in))
		if err != nil {
			t.Fatalf("%v: %v", c.in, err)
		}
		if !strings.Contains(out.Text, "\n"+c.want+"\n") {
			t.Errorf("%v: want %s in:\n%s", c.in, c.want, out.Text)
		}
	}
	if _, err := r.Render(tc.name, "en", with(tc.data, "URL", 42)); err == nil {
		t.Error("a number as URL rendered, want error")
	}
}

var buttonText = regexp.MustCompile(`line-height:22px;font-weight:700;color:(#[0-9a-f]{6})`)

func TestBrandColor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		color, want, text string
	}{
		{"", mailtmpl.DefaultColor, "#ffffff"},
		{"#000", "#000", "#ffffff"},
		{"#FFEE00", "#ffee00", "#18181b"},
		{"#0a7cff", "#0a7cff", "#ffffff"},
		{"#fff", "#fff", "#18181b"},
	}
	for _, c := range cases {
		b := testBrand
		b.Color = c.color
		r, err := mailtmpl.New(b)
		if err != nil {
			t.Fatalf("%q: %v", c.color, err)
		}
		out, err := r.Render(mailtmpl.Welcome, "en", builtinCases()[1].data)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.HTML, "color:"+c.want+";") || !strings.Contains(out.HTML, "background-color:"+c.want+";") {
			t.Errorf("%q: brand colour %s not used", c.color, c.want)
		}
		if m := buttonText.FindStringSubmatch(out.HTML); m == nil || m[1] != c.text {
			t.Errorf("%q: button text colour = %v, want %s", c.color, m, c.text)
		}
	}
}

func TestNewRejectsBadBrand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		desc  string
		edit  func(*mailtmpl.Brand)
		field string
	}{
		{"colour name", func(b *mailtmpl.Brand) { b.Color = "red" }, "Color"},
		{"colour without #", func(b *mailtmpl.Brand) { b.Color = "4f46e5" }, "Color"},
		{"colour too short", func(b *mailtmpl.Brand) { b.Color = "#12" }, "Color"},
		{"colour of 4 digits", func(b *mailtmpl.Brand) { b.Color = "#1234" }, "Color"},
		{"colour with alpha", func(b *mailtmpl.Brand) { b.Color = "#4f46e5ff" }, "Color"},
		{"colour not hex", func(b *mailtmpl.Brand) { b.Color = "#12345g" }, "Color"},
		{"colour injection", func(b *mailtmpl.Brand) { b.Color = "#fff;background:url(x)" }, "Color"},
		{"no product name", func(b *mailtmpl.Brand) { b.ProductName = " " }, "ProductName"},
		{"product name on two lines", func(b *mailtmpl.Brand) { b.ProductName = "A\nB" }, "ProductName"},
		{"no server URL", func(b *mailtmpl.Brand) { b.ServerURL = "" }, "ServerURL"},
		{"relative server URL", func(b *mailtmpl.Brand) { b.ServerURL = "/app" }, "ServerURL"},
		{"server URL without scheme", func(b *mailtmpl.Brand) { b.ServerURL = "acme.test" }, "ServerURL"},
		{"ftp server URL", func(b *mailtmpl.Brand) { b.ServerURL = "ftp://acme.test" }, "ServerURL"},
		{"javascript server URL", func(b *mailtmpl.Brand) { b.ServerURL = "javascript:alert(1)" }, "ServerURL"},
		{"address on two lines", func(b *mailtmpl.Brand) { b.Address = "1 Main St\nSpringfield" }, "Address"},
	}
	for _, c := range cases {
		t.Run(c.desc, func(t *testing.T) {
			t.Parallel()
			b := testBrand
			c.edit(&b)
			r, err := mailtmpl.New(b)
			if err == nil {
				t.Fatalf("New succeeded: %v", r)
			}
			if !strings.Contains(err.Error(), c.field) {
				t.Errorf("error %q does not name %s", err, c.field)
			}
		})
	}
}

func TestOptionalAddress(t *testing.T) {
	t.Parallel()
	b := testBrand
	b.Address = ""
	r, err := mailtmpl.New(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(mailtmpl.Welcome, "en", builtinCases()[1].data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.Text, "\n"+b.ServerURL+"\n") {
		t.Errorf("text does not end with the server URL:\n%q", out.Text)
	}
}

func TestConcurrentRegisterAndRender(t *testing.T) {
	t.Parallel()
	r := setup(t)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 8 {
		wg.Go(func() {
			if err := r.Register(fmt.Sprintf("report_%d", i), product()); err != nil {
				errs <- err
			}
		})
		wg.Go(func() {
			for _, tc := range builtinCases() {
				if _, err := r.Render(tc.name, builtinLocales[i%3], tc.data); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got, want := len(r.Names()), len(builtinCases())+8; got != want {
		t.Errorf("len(Names()) = %d, want %d", got, want)
	}
}

func TestLinkAndMsgHelpers(t *testing.T) {
	t.Parallel()
	r := setup(t)
	tmpl := product()
	tmpl.HTML["en"] = `<p>{{link .URL "Read the docs"}} or {{link .URL ""}}. {{msg "sentBy" "Bob <b>"}}</p>`
	tmpl.HTML["es"] = `<p>{{msg "noSuchKey"}}</p>`
	if err := r.Register("links", tmpl); err != nil {
		t.Fatal(err)
	}
	out, err := r.Render("links", "en", map[string]any{"Month": "March", "URL": "/docs?a=1&b=2"})
	if err != nil {
		t.Fatal(err)
	}
	const href = `href="https://acme.test/docs?a=1&amp;b=2"`
	for _, want := range []string{
		href + ` target="_blank" rel="noopener" style="color:#0a7cff;text-decoration:underline;">Read the docs</a>`,
		href + ` target="_blank" rel="noopener" style="color:#0a7cff;text-decoration:underline;">https://acme.test/docs?a=1&amp;b=2</a>`,
		"This email was sent by Bob &lt;b&gt;.",
	} {
		if !strings.Contains(out.HTML, want) {
			t.Errorf("HTML lacks %s", want)
		}
	}
	if _, err := r.Render("links", "es", map[string]any{"Month": "marzo", "URL": "/docs"}); err == nil || !strings.Contains(err.Error(), "noSuchKey") {
		t.Errorf("unknown msg key: err = %v", err)
	}
}
