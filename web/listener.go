package web

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// Listener wraps ln so that the answers net/http writes itself, before any
// handler runs, to a request it cannot parse — an invalid %-escape in the
// path, a malformed request line or header, headers too large, an unknown
// transfer coding — are problem+json like every other error instead of Go's
// plain text. Everything else passes through untouched.
func Listener(ln net.Listener) net.Listener { return problemListener{ln} }

type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return problemConn{c}, nil
}

// problemConn rewrites net/http's own error answers on the way out.
type problemConn struct{ net.Conn }

func (c problemConn) Write(p []byte) (int, error) {
	if out, ok := rewriteParseError(p); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// parseErrorHeaders are the headers net/http writes, and only it, after the
// status line of its answer to a request it could not read (server.go's
// errorHeaders); a handler's response always carries a Date.
const parseErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// The codes of the problems that replace net/http's answers.
const (
	codeMalformedRequest      = "http.malformed_request"
	codeHeadersTooLarge       = "http.headers_too_large"
	codeUnsupportedTransferTE = "http.unsupported_transfer_encoding"
)

// rewriteParseError returns the problem+json answer replacing p when p is
// one whole answer net/http wrote to an unreadable request.
func rewriteParseError(p []byte) ([]byte, bool) {
	const proto = "HTTP/1.1 "
	if len(p) < len(proto)+3 || string(p[:len(proto)]) != proto || (p[len(proto)] != '4' && p[len(proto)] != '5') {
		return nil, false
	}
	i := bytes.Index(p, []byte(parseErrorHeaders))
	if i < 0 || bytes.Contains(p[:i], []byte("\r\n")) {
		return nil, false
	}
	status, err := strconv.Atoi(string(p[len(proto) : len(proto)+3]))
	if err != nil {
		return nil, false
	}
	code, detail := codeMalformedRequest, "The request could not be read: its request line, path or headers are malformed (an invalid %-escape, say)."
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		code, detail = codeHeadersTooLarge, "The request's headers are too large."
	case http.StatusNotImplemented:
		code, detail = codeUnsupportedTransferTE, "The request's transfer encoding is not supported."
	}
	body, err := json.Marshal(&Problem{
		Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Code: code, Message: detail,
		RequestID: rand.Text(),
	})
	if err != nil {
		return nil, false
	}
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), problemContentType, len(body), body), true
}
