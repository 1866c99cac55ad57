package testkit

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
)

// Client is a browser-like HTTP client: it keeps cookies and sends the
// server's own Origin on unsafe requests, as a same-origin front end does.
type Client struct {
	t      testing.TB
	base   string
	http   *http.Client
	header http.Header
}

// Client returns a new client with an empty cookie jar.
func (a *App) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{
		t:    a.testingT(),
		base: a.URL,
		http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // tests look at redirects themselves
		}},
		header: http.Header{},
	}
}

// Against returns a client that sends to a's server with c's cookies
// (cookies do not tell ports apart), as a browser behind a load balancer
// reaches another server process.
func (c *Client) Against(a *App) *Client {
	d := *c
	d.base, d.header = a.URL, c.header.Clone()
	return &d
}

// From returns a client with c's cookies whose connections leave from the
// local address ip (any of 127.0.0.0/8 on Linux), so the server sees
// another client network.
func (c *Client) From(ip string) *Client {
	d := *c
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	d.http = &http.Client{Jar: c.http.Jar, CheckRedirect: c.http.CheckRedirect, Transport: &http.Transport{DialContext: dialer.DialContext}}
	d.header = c.header.Clone()
	return &d
}

// SetHeader sets a header sent with every request of c.
func (c *Client) SetHeader(key, value string) { c.header.Set(key, value) }

// Jar returns c's cookie jar.
func (c *Client) Jar() http.CookieJar { return c.http.Jar }

// Response is a fully read HTTP response.
type Response struct {
	*http.Response
	Body []byte
}

// Do sends a request; body, when not nil, is sent as JSON (a string or
// []byte is sent as is, as JSON). Extra headers follow as pairs.
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("marshal body: %v", err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatalf("new request: %v", err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions {
		req.Header.Set("Origin", c.base) // a same-origin page's unsafe request
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return &Response{Response: resp, Body: data}
}

// Get is Do with GET.
func (c *Client) Get(path string, headers ...string) *Response {
	c.t.Helper()
	return c.Do(http.MethodGet, path, nil, headers...)
}

// Post is Do with POST.
func (c *Client) Post(path string, body any, headers ...string) *Response {
	c.t.Helper()
	return c.Do(http.MethodPost, path, body, headers...)
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s response (status %d): %v\nbody: %s", r.Request.URL.Path, r.StatusCode, err, r.Body)
	}
}

// RequireStatus fails the test unless the status is want.
func (r *Response) RequireStatus(t testing.TB, want int) *Response {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\nbody: %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.Body)
	}
	return r
}

// Problem is a decoded RFC 9457 problem response.
type Problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Detail    string         `json:"detail"`
	Code      string         `json:"code"`
	Message   string         `json:"message"`
	RequestID string         `json:"requestId"`
	Errors    []ProblemField `json:"errors"`
}

// ProblemField is one field error of a Problem.
type ProblemField struct {
	Location string `json:"location"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Value    any    `json:"value"`
}

// Field returns the field error at location and whether there is one.
func (p Problem) Field(location string) (ProblemField, bool) {
	for _, f := range p.Errors {
		if f.Location == location {
			return f, true
		}
	}
	return ProblemField{}, false
}

// RequireProblem fails the test unless r is an application/problem+json
// response with the status and code, consistent with itself (status field,
// message equal to detail, a request ID); it returns the problem.
func (r *Response) RequireProblem(t testing.TB, status int, code string) Problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%s %s: content type %q, want application/problem+json (status %d)\nbody: %s",
			r.Request.Method, r.Request.URL.Path, ct, r.StatusCode, r.Body)
	}
	var p Problem
	r.JSON(t, &p)
	if r.StatusCode != status || p.Status != status || p.Code != code {
		t.Fatalf("%s %s: got status %d (body %d) code %q, want %d %q\nbody: %s",
			r.Request.Method, r.Request.URL.Path, r.StatusCode, p.Status, p.Code, status, code, r.Body)
	}
	if p.Message != p.Detail || p.RequestID == "" || p.RequestID != r.Header.Get("X-Request-Id") {
		t.Fatalf("problem is inconsistent (message/detail/requestId): %s", r.Body)
	}
	return p
}
