package web

import "net/http"

// WriteHTMLPage writes a self-contained HTML page (a module's own page for
// a link in an email) with the headers such pages need: its Content
// Security Policy, no framing, no sniffing, and no caching, since the URL
// of such a page usually carries a secret.
func WriteHTMLPage(w http.ResponseWriter, status int, csp string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
