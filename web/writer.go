package web

import (
	"net/http"
)

// recorder remembers the status and size of a response for the metrics, the
// access log and the panic handler (which must not write a second response).
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (w *recorder) WriteHeader(code int) {
	if !w.wroteHeader && (code < 100 || code > 199 || code == http.StatusSwitchingProtocols) {
		w.status = code
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.status = http.StatusOK
		w.wroteHeader = true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush lets server-sent events through; huma's sse package and
// http.ResponseController both find it.
func (w *recorder) Flush() {
	if !w.wroteHeader {
		w.status = http.StatusOK
		w.wroteHeader = true
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusOr returns the status written, or def when nothing was written yet.
func (w *recorder) statusOr(def int) int {
	if w.wroteHeader {
		return w.status
	}
	return def
}

// muxWriter sits between the ServeMux and the client. When the mux answers
// by itself — no pattern matched the path (404) or the method (405) — it
// swallows the mux's text/plain reply so that a problem can be written in its
// place, keeping the Allow header the mux computed. A registered handler that
// answers 404 is left alone: the mux has set r.Pattern before calling it.
type muxWriter struct {
	http.ResponseWriter
	r         *http.Request
	swallowed int
}

func (w *muxWriter) WriteHeader(code int) {
	if w.r.Pattern == "" && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		w.swallowed = code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *muxWriter) Write(b []byte) (int, error) {
	if w.swallowed != 0 {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *muxWriter) Flush() {
	if w.swallowed == 0 {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

func (w *muxWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
