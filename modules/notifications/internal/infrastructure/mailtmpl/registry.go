package mailtmpl

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"unicode"
)

// ErrUnknownTemplate is wrapped by Render when no template has the name.
var ErrUnknownTemplate = errors.New("unknown email template")

// ErrMissingData is wrapped by Render when a key the template requires is
// absent, nil or an empty string; the error names the keys.
var ErrMissingData = errors.New("missing template data")

// Template is the source of one email in every locale it is written in.
// Every locale present in any part must be present in all three, and "en"
// must be present: it is the last fallback.
//
// Locale keys are BCP 47-style tags, matched case-insensitively ("pt_br"
// is "pt-BR"). Sources run with missingkey=error, so a misspelt key fails
// the render instead of printing "<no value>". Besides the caller's data,
// every template sees .Brand (Brand) and .Locale (the locale rendered).
type Template struct {
	// Subject holds text/template sources. The result is flattened to
	// one line.
	Subject map[string]string
	// HTML holds html/template sources of the body, rendered inside the
	// shared layout; data is escaped for its context.
	HTML map[string]string
	// Text holds text/template sources of the plain-text body; the
	// footer is appended.
	Text map[string]string
	// Required lists data keys Render refuses to go without
	// (ErrMissingData).
	Required []string
	// Optional lists data keys the template reads that the caller may
	// leave out; an absent or nil one is rendered as "".
	Optional []string
}

// Rendered is an email rendered for one recipient.
type Rendered struct {
	// Subject is one line of plain text.
	Subject string
	// HTML is a complete HTML document with inline styles and no remote
	// assets.
	HTML string
	// Text is the plain-text alternative.
	Text string
	// Locale is the locale actually used after fallback.
	Locale string
}

// Registry holds the email templates, parsed and ready to render. It is safe
// for concurrent use; Register is meant for boot, but may run alongside
// Render.
type Registry struct {
	brand      Brand
	textColor  string
	base       *url.URL
	layoutHTML string
	layoutText string
	components *htmltemplate.Template

	mu        sync.RWMutex
	templates map[string]*compiled
}

// compiled is a registered template, parsed per locale.
type compiled struct {
	required []string
	optional []string
	locales  []string // canonical, sorted
	byLocale map[string]localized
}

type localized struct {
	subject *texttemplate.Template
	html    *htmltemplate.Template
	text    *texttemplate.Template
}

// New returns a Registry branded with brand and holding the built-in
// templates. It returns an error naming the Brand field when the brand is
// invalid (empty ProductName, a Color that is not #rgb or #rrggbb, a
// ServerURL that is not an absolute http(s) URL). New does no I/O.
func New(brand Brand) (*Registry, error) {
	brand = brand.withDefaults()
	if err := brand.validate(); err != nil {
		return nil, fmt.Errorf("mailtmpl: %w", err)
	}
	base, _ := url.Parse(brand.ServerURL) // validated above
	// Resolve relative links under ServerURL's path, not beside it:
	// "verify?t=1" against https://x.test/app is https://x.test/app/verify?t=1.
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
		if base.RawPath != "" {
			base.RawPath += "/"
		}
	}
	r := &Registry{
		brand:     brand,
		textColor: contrastColor(brand.Color),
		base:      base,
		templates: make(map[string]*compiled),
	}
	var err error
	if r.layoutHTML, err = readEmbedded("templates/layout.html.tmpl"); err != nil {
		return nil, err
	}
	if r.layoutText, err = readEmbedded("templates/layout.text.tmpl"); err != nil {
		return nil, err
	}
	components, err := readEmbedded("templates/components.html.tmpl")
	if err != nil {
		return nil, err
	}
	if r.components, err = htmltemplate.New("components").Option("missingkey=error").Parse(components); err != nil {
		return nil, fmt.Errorf("mailtmpl: parse components: %w", err)
	}
	for _, name := range builtinNames {
		t, err := loadBuiltin(name)
		if err != nil {
			return nil, err
		}
		if err := r.Register(name, t); err != nil {
			return nil, fmt.Errorf("mailtmpl: built-in: %w", err)
		}
	}
	return r, nil
}

// Register adds the template name, replacing any template of that name (a
// built-in included: the replacement is used in every locale). Every part
// of every locale is parsed now; the error names the template, the locale
// and the part that does not parse or is missing. name is made of ASCII
// letters, digits, '_' and '-', since it labels the email at the provider.
func (r *Registry) Register(name string, t Template) error {
	c, err := r.compile(name, t)
	if err != nil {
		return fmt.Errorf("register template %q: %w", name, err)
	}
	r.mu.Lock()
	r.templates[name] = c
	r.mu.Unlock()
	return nil
}

// Part names, as they appear in errors.
const (
	partSubject = "subject"
	partHTML    = "html"
	partText    = "text"
)

func (r *Registry) compile(name string, t Template) (*compiled, error) {
	if name == "" || !isTagValue(name) {
		return nil, errors.New("name must be non-empty ASCII letters, digits, '_' or '-'")
	}
	required, err := dataKeys("Required", t.Required)
	if err != nil {
		return nil, err
	}
	optional, err := dataKeys("Optional", t.Optional)
	if err != nil {
		return nil, err
	}
	parts := []struct {
		name    string
		sources map[string]string
	}{{partSubject, t.Subject}, {partHTML, t.HTML}, {partText, t.Text}}

	// Canonicalize the locale keys of every part and check that each
	// locale has all three parts.
	sources := make(map[string]map[string]string) // locale → part → source
	for _, p := range parts {
		for key, src := range p.sources {
			loc, ok := canonicalLocale(key)
			if !ok {
				return nil, fmt.Errorf("locale %q, part %s: invalid locale", key, p.name)
			}
			if sources[loc] == nil {
				sources[loc] = make(map[string]string)
			}
			if _, dup := sources[loc][p.name]; dup {
				return nil, fmt.Errorf("locale %q, part %s: given twice (as %q and another spelling)", loc, p.name, key)
			}
			sources[loc][p.name] = src
		}
	}
	if _, ok := sources[fallbackLocale]; !ok {
		sources[fallbackLocale] = map[string]string{}
	}
	c := &compiled{
		required: required,
		optional: optional,
		locales:  slices.Sorted(maps.Keys(sources)),
		byLocale: make(map[string]localized, len(sources)),
	}
	for _, loc := range c.locales {
		for _, p := range parts {
			if _, ok := sources[loc][p.name]; !ok {
				hint := ""
				if loc == fallbackLocale {
					hint = " (en is required: it is the fallback)"
				}
				return nil, fmt.Errorf("locale %q, part %s: missing%s", loc, p.name, hint)
			}
		}
		l, err := r.parse(loc, sources[loc])
		if err != nil {
			return nil, err
		}
		c.byLocale[loc] = l
	}
	return c, nil
}

// parse parses the three parts of one locale, the bodies inside their
// layouts. The body is parsed first so that a {{define "layout"}} in it
// cannot replace the layout.
func (r *Registry) parse(loc string, src map[string]string) (localized, error) {
	var l localized
	fail := func(part string, err error) (localized, error) {
		return localized{}, fmt.Errorf("locale %q, part %s: %w", loc, part, err)
	}
	var err error
	tf := r.textFuncs(loc)
	l.subject, err = texttemplate.New("subject").Option("missingkey=error").Funcs(tf).Parse(src[partSubject])
	if err != nil {
		return fail(partSubject, err)
	}

	l.text, err = texttemplate.New("body").Option("missingkey=error").Funcs(tf).Parse(src[partText])
	if err != nil {
		return fail(partText, err)
	}
	if _, err := l.text.New("layout").Parse(r.layoutText); err != nil {
		return fail(partText, fmt.Errorf("layout: %w", err))
	}

	l.html, err = htmltemplate.New("body").Option("missingkey=error").Funcs(r.htmlFuncs(loc)).Parse(src[partHTML])
	if err != nil {
		return fail(partHTML, err)
	}
	if _, err := l.html.New("layout").Parse(r.layoutHTML); err != nil {
		return fail(partHTML, fmt.Errorf("layout: %w", err))
	}
	// html/template escapes on first execution; run it now on empty data so
	// an action in an ambiguous context ("<a href={{.URL}}" inside a
	// <script>, an unclosed attribute) fails Register, not a send. The
	// execution error that follows (no data) is expected and ignored.
	var escErr *htmltemplate.Error
	if err := l.html.ExecuteTemplate(io.Discard, "layout", map[string]any{}); errors.As(err, &escErr) {
		return fail(partHTML, err)
	}
	return l, nil
}

// dataKeys validates a Required or Optional list.
func dataKeys(field string, keys []string) ([]string, error) {
	for _, k := range keys {
		if k == "" || strings.ContainsFunc(k, unicode.IsSpace) {
			return nil, fmt.Errorf("%s: invalid data key %q", field, k)
		}
		if k == "Brand" || k == "Locale" {
			return nil, fmt.Errorf("%s: data key %q is set by the registry", field, k)
		}
	}
	return slices.Clone(keys), nil
}

// Render renders the template name in the locale that best matches locale
// (see the package doc) with data, which it does not modify. It returns an
// error wrapping ErrUnknownTemplate for an unregistered name, wrapping
// ErrMissingData when a required key is absent, nil or empty, and naming
// the locale and part when a template fails to execute (a key neither
// passed nor declared optional, a helper given the wrong type).
func (r *Registry) Render(name, locale string, data map[string]any) (Rendered, error) {
	r.mu.RLock()
	c := r.templates[name]
	r.mu.RUnlock()
	if c == nil {
		return Rendered{}, fmt.Errorf("render %q: %w", name, ErrUnknownTemplate)
	}
	var missing []string
	for _, k := range c.required {
		if isBlank(data[k]) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return Rendered{}, fmt.Errorf("render %q: %w: %s", name, ErrMissingData, strings.Join(missing, ", "))
	}

	loc := resolveLocale(locale, c.locales)
	l := c.byLocale[loc]
	d := make(map[string]any, len(data)+len(c.optional)+2)
	maps.Copy(d, data)
	for _, k := range c.optional {
		if d[k] == nil {
			d[k] = ""
		}
	}
	d["Brand"] = r.brand
	d["Locale"] = loc

	fail := func(part string, err error) (Rendered, error) {
		return Rendered{}, fmt.Errorf("render %q, locale %q, part %s: %w", name, loc, part, err)
	}
	var subject, html, text strings.Builder
	if err := l.subject.Execute(&subject, d); err != nil {
		return fail(partSubject, err)
	}
	out := Rendered{Subject: oneLine(subject.String()), Locale: loc}
	if out.Subject == "" {
		return fail(partSubject, errors.New("empty subject"))
	}
	if err := l.html.ExecuteTemplate(&html, "layout", d); err != nil {
		return fail(partHTML, err)
	}
	if err := l.text.ExecuteTemplate(&text, "layout", d); err != nil {
		return fail(partText, err)
	}
	out.HTML = html.String()
	out.Text = tidyText(text.String())
	return out, nil
}

// Names returns the names of the registered templates, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.templates))
}

// Locales returns the locales the template name is written in, sorted, or
// nil when there is no such template.
func (r *Registry) Locales(name string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if c := r.templates[name]; c != nil {
		return slices.Clone(c.locales)
	}
	return nil
}

// isBlank reports whether a required value counts as missing.
func isBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	}
	return false
}

// oneLine flattens a subject: whitespace runs (newlines included) become
// one space, and control and bidirectional-override characters go, so data
// can neither inject a header nor reorder the subject's text.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// tidyText normalizes a plain-text body: LF line ends, no trailing spaces,
// at most one blank line in a row (conditionals leave empty lines behind),
// and one final newline.
func tidyText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var b strings.Builder
	blank := 0
	for _, line := range lines {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			blank++
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
			if blank > 0 {
				b.WriteString("\n")
			}
		}
		blank = 0
		b.WriteString(line)
	}
	b.WriteString("\n")
	return b.String()
}

// isTagValue reports whether s holds only ASCII letters, digits, '_' and
// '-', the characters every email provider accepts in tags.
func isTagValue(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
