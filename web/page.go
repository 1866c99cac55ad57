package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
)

// PageCSP is the Content Security Policy of the server's own pages: the
// shell's inline style and forms posting to the page's origin, nothing
// else — no script, no remote asset, no framing.
const PageCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pageShell is the one look of the server's own pages (where email links
// lead when there is no front end): a card on a grey page. Their URLs carry
// secrets, so the referrer never leaves the origin (same-origin, which
// still lets the page's form posts carry their real Origin).
const pageShell = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>{{template "title" .}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f6f8;color:#1f2328;margin:0;padding:48px 16px}
main{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:32px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 16px}
label{display:block;margin:16px 0 4px;font-weight:600}
input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #c9ccd1;border-radius:6px;font-size:1rem}
form.inline{display:inline}
button{margin:16px 8px 0 0;padding:10px 18px;border:0;border-radius:6px;background:#1f6feb;color:#fff;font-size:1rem;cursor:pointer}
button.wide{width:100%;margin:24px 0 0}
button.secondary{background:#eaeef2;color:#1f2328}
.error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:10px;margin:0 0 8px}
.done{background:#dafbe1;border:1px solid #4ac26b;border-radius:6px;padding:10px}
.muted{color:#59636e}
</style>
</head>
<body>
<main>
{{template "content" .}}
</main>
</body>
</html>
`

var shell = template.Must(template.New("page").Parse(pageShell))

// Page is a server-rendered page in the shell every such page shares.
type Page struct{ t *template.Template }

// NewPage returns the page whose content defines the templates "title"
// and "content" (html/template: data is escaped). It panics on a bad
// template, as template.Must does: pages are fixed at build time.
func NewPage(content string) *Page {
	return &Page{t: template.Must(template.Must(shell.Clone()).Parse(content))}
}

// Write renders data into the page and writes it with status and the
// page headers (WriteHTMLPage).
func (p *Page) Write(w http.ResponseWriter, status int, data any) {
	var b bytes.Buffer
	if err := p.t.Execute(&b, data); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError) // fixed templates: cannot happen
		return
	}
	WriteHTMLPage(w, status, PageCSP, b.Bytes())
}

// PageError is what a page says of err, the way a problem would: the
// status of its kind (429, 503 and 413 included), Retry-After set on w
// when the error carries one, and the sentence to show — the error's own
// detail, or a generic one for an internal error, whose cause is logged.
func PageError(w http.ResponseWriter, r *http.Request, err error) (status int, message string) {
	p := ProblemFrom(r.Context(), err)
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	if p.Status >= 500 && p.Code == codeInternal {
		return p.Status, "Something went wrong on our side. Please try again in a moment."
	}
	return p.Status, p.Detail
}
