package web_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/web"
)

// rawRequest sends raw bytes to addr and returns the response.
func rawRequest(t *testing.T, addr, raw string) *http.Response {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("read response to %q: %v", raw, err)
	}
	t.Cleanup(func() { r.Body.Close() })
	return r
}

// TestListener_UnreadableRequestsAreProblems: what net/http answers itself,
// before any handler, is problem+json; a handler's own plain-text 400 and
// every other answer pass through untouched, on a kept-alive connection
// too.
func TestListener_UnreadableRequestsAreProblems(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/plain" {
				http.Error(w, "handler says no", http.StatusBadRequest)
				return
			}
			_, _ = io.WriteString(w, "ok "+r.URL.Path)
		}),
		MaxHeaderBytes: 4096,
	}
	go func() { _ = srv.Serve(web.Listener(ln)) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().String()

	for _, tt := range []struct {
		name, raw string
		status    int
		code      string
	}{
		{"invalid escape in the path", "GET /api/users/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, "http.malformed_request"},
		{"invalid escape in the query", "GET /?%zz=1 HTTP/1.1\r\nHost: x\r\n\r\n", 0, ""},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400, "http.malformed_request"},
		{"malformed request line", "GARBAGE\r\n\r\n", 400, "http.malformed_request"},
		{"malformed header", "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", 400, "http.malformed_request"},
		{"headers too large", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8192) + "\r\n\r\n", 431, "http.headers_too_large"},
		{"unknown transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: rot13\r\n\r\n", 501, "http.unsupported_transfer_encoding"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := rawRequest(t, addr, tt.raw)
			if tt.status == 0 { // the query is the handler's to read
				if r.StatusCode != http.StatusOK {
					t.Fatalf("status %d", r.StatusCode)
				}
				return
			}
			var p struct {
				Status    int    `json:"status"`
				Code      string `json:"code"`
				Detail    string `json:"detail"`
				RequestID string `json:"requestId"`
			}
			body, _ := io.ReadAll(r.Body)
			if r.StatusCode != tt.status || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("got %d %q: %s", r.StatusCode, r.Header.Get("Content-Type"), body)
			}
			if err := json.Unmarshal(body, &p); err != nil || p.Status != tt.status || p.Code != tt.code || p.Detail == "" || p.RequestID == "" {
				t.Errorf("problem = %+v (%v): %s", p, err, body)
			}
		})
	}

	// A handler's own plain-text error, and a second request on the same
	// connection after a good one, are left alone / still rewritten.
	r := rawRequest(t, addr, "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
	if body, _ := io.ReadAll(r.Body); r.StatusCode != 400 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || !strings.Contains(string(body), "handler says no") {
		t.Errorf("a handler's answer was changed: %d %q %s", r.StatusCode, r.Header.Get("Content-Type"), body)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	_, _ = io.WriteString(c, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
	first, err := http.ReadResponse(br, nil)
	if err != nil || first.StatusCode != 200 {
		t.Fatalf("first: %v %v", first, err)
	}
	_, _ = io.Copy(io.Discard, first.Body)
	_, _ = io.WriteString(c, "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n")
	second, err := http.ReadResponse(br, nil)
	if err != nil || second.StatusCode != 400 || second.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("second on the kept-alive connection: %+v %v", second, err)
	}
}
