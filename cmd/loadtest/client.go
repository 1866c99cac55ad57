package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"
)

// sessionCookie is the name of Groundwork's session cookie.
const sessionCookie = "groundwork.session_token"

// newHTTPClient returns a client that keeps up to conns connections to the
// server alive and open, so a run measures requests, not handshakes. It
// keeps no cookies: each scenario sends exactly the ones it means to.
func newHTTPClient(conns int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        2 * conns,
			MaxIdleConnsPerHost: 2 * conns,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       time.Minute,
	}
}

// call sends one request and reads the whole answer into buf (reset first),
// so the connection goes back to the pool. A status other than 200 is an
// error carrying the start of the body.
func call(c *http.Client, req *http.Request, buf *bytes.Buffer) (*http.Response, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("%s %s: read body: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body := buf.Bytes()
		if len(body) > 300 {
			body = body[:300]
		}
		return nil, fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, bytes.TrimSpace(body))
	}
	return resp, nil
}

// credentials are an email and password, the body of sign-up and sign-in.
type credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name,omitempty"`
}

// account is a signed-up user.
type account struct {
	credentials
	ID     string
	Cookie *http.Cookie // the session sign-up opened
	// signInBody is the JSON of its credentials, for sign-in.
	signInBody []byte
}

// signUp creates a user through POST /api/auth/sign-up/email and keeps the
// session cookie it sets.
func signUp(ctx context.Context, c *http.Client, base string, cr credentials) (account, error) {
	body, _ := json.Marshal(cr)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/auth/sign-up/email", bytes.NewReader(body))
	if err != nil {
		return account{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	var buf bytes.Buffer
	resp, err := call(c, req, &buf)
	if err != nil {
		return account{}, fmt.Errorf("sign up %s: %w", cr.Email, err)
	}
	var out struct {
		User struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"user"`
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil || out.User.ID == "" {
		return account{}, fmt.Errorf("sign up %s: unexpected answer %q", cr.Email, buf.Bytes())
	}
	a := account{credentials: cr, ID: out.User.ID}
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie && ck.Value != "" {
			a.Cookie = &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	if a.Cookie == nil {
		return account{}, fmt.Errorf("sign up %s: no %s cookie (is REQUIRE_EMAIL_VERIFICATION on?)", cr.Email, sessionCookie)
	}
	return a, nil
}
