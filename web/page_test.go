package web_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

// TestPageError: a page answers every error with the status a problem
// would have — never a 500 for the caller's errors, Retry-After kept —
// and hides an internal error's cause.
func TestPageError(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err        error
		status     int
		retryAfter string
		message    string
	}{
		{kernel.RateLimited("x.slow", "Slow down.", 30), http.StatusTooManyRequests, "30", "Slow down."},
		{kernel.Unavailable("x.down", "Resting."), http.StatusServiceUnavailable, "", "Resting."},
		{kernel.TooLarge("x.big", "Too big."), http.StatusRequestEntityTooLarge, "", "Too big."},
		{kernel.UnsupportedType("x.svg", "Not that."), http.StatusUnsupportedMediaType, "", "Not that."},
		{kernel.Gone("x.gone", "Gone."), http.StatusGone, "", "Gone."},
		{kernel.Invalid("x.bad", "Bad."), http.StatusUnprocessableEntity, "", "Bad."},
		{errors.New("disk on fire: " + secret), http.StatusInternalServerError, "", "Something went wrong on our side. Please try again in a moment."},
	} {
		rec := httptest.NewRecorder()
		status, msg := web.PageError(rec, httptest.NewRequest(http.MethodGet, "/", nil), tt.err)
		if status != tt.status || msg != tt.message || rec.Header().Get("Retry-After") != tt.retryAfter {
			t.Errorf("%v: %d %q (Retry-After %q); want %d %q %q", tt.err, status, msg, rec.Header().Get("Retry-After"), tt.status, tt.message, tt.retryAfter)
		}
	}
}

// TestPage: the shell escapes data and sends the page headers.
func TestPage(t *testing.T) {
	t.Parallel()
	p := web.NewPage(`{{define "title"}}Hello{{end}}{{define "content"}}<p>{{.}}</p>{{end}}`)
	rec := httptest.NewRecorder()
	p.Write(rec, http.StatusTeapot, "<script>alert(1)</script>")
	body := rec.Body.String()
	if rec.Code != http.StatusTeapot || strings.Contains(body, "<script>") || !strings.Contains(body, "&lt;script&gt;") ||
		!strings.Contains(body, "<title>Hello</title>") || rec.Header().Get("Content-Security-Policy") != web.PageCSP ||
		rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("%d %v\n%s", rec.Code, rec.Header(), body)
	}
}
