package web

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
)

// docsHTML is the API reference page: one file, no external scripts, fonts
// or styles, so it works offline and under a strict Content-Security-Policy.
//
//go:embed docs.html
var docsHTML []byte

// docsCSP allows exactly the page's inline script and style, by hash, and
// fetching the spec from the same origin.
var docsCSP = sync.OnceValue(func() string {
	page := string(docsHTML)
	return strings.Join([]string{
		"default-src 'none'",
		"script-src " + inlineHash(page, "script"),
		"style-src " + inlineHash(page, "style"),
		"connect-src 'self'",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'none'",
	}, "; ")
})

// inlineHash returns the CSP source ('sha256-…') of the first <tag> element.
func inlineHash(page, tag string) string {
	_, rest, ok := strings.Cut(page, "<"+tag+">")
	if !ok {
		return "'none'"
	}
	body, _, _ := strings.Cut(rest, "</"+tag+">")
	sum := sha256.Sum256([]byte(body))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

func serveDocs(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", docsCSP())
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(docsHTML)
}
