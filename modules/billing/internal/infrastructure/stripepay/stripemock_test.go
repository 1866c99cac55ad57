package stripepay_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/infrastructure/stripepay"
)

// installStripeMock is how a machine gets the stripe-mock these tests run
// against (.ci/run does it).
const installStripeMock = "go install github.com/stripe/stripe-mock@v0.203.0"

// testKey is a key stripe-mock accepts: any that looks like a test-mode
// secret key.
const testKey = "sk_test_stripepay"

// stripeMockURL is the base URL of the stripe-mock TestMain started; ""
// when it is not installed (and CI is not set).
var stripeMockURL string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	bin, err := findStripeMock()
	switch {
	case err != nil && inCI():
		fmt.Fprintf(os.Stderr, "stripepay: stripe-mock is required under CI and %v; install it with `%s`\n", err, installStripeMock)
		return 1
	case err != nil:
		fmt.Fprintf(os.Stderr, "stripepay: skipping the tests against the Stripe API: %v; install it with `%s`\n", err, installStripeMock)
		return m.Run()
	}
	base, stop, err := startStripeMock(bin)
	if err != nil {
		fmt.Fprintf(os.Stderr, "stripepay: %v\n", err)
		return 1
	}
	defer stop()
	stripeMockURL = base
	return m.Run()
}

func inCI() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv("CI")))
	return v != "" && v != "false" && v != "0"
}

// findStripeMock looks for the binary on PATH, then where go install puts
// it (GOBIN, else each GOPATH entry's bin).
func findStripeMock() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if len(lines) > 0 && lines[0] != "" {
			dirs = append(dirs, lines[0])
		}
		if len(lines) > 1 {
			for _, gp := range filepath.SplitList(lines[1]) {
				dirs = append(dirs, filepath.Join(gp, "bin"))
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "stripe-mock")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("stripe-mock is neither on PATH nor in %s", strings.Join(dirs, ", "))
}

var listeningHTTP = regexp.MustCompile(`Listening for HTTP at address: (\S+)`)

// startStripeMock runs bin on ports the system picks, on the loopback
// interface only, reads the HTTP address it prints, and waits until it
// answers an authenticated request. stop kills it and waits for it.
func startStripeMock(bin string) (base string, stop func(), err error) {
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	cmd.SysProcAttr = childAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("start %s: %w", bin, err)
	}
	stop = func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}

	addr := make(chan string, 1)
	var (
		mu   sync.Mutex
		seen []string
	)
	go func() {
		// Read to the end: stripe-mock logs every request, and a full pipe
		// would block it.
		sc := bufio.NewScanner(out)
		found := false
		for sc.Scan() {
			line := sc.Text()
			if !found {
				mu.Lock()
				seen = append(seen, line)
				mu.Unlock()
				if m := listeningHTTP.FindStringSubmatch(line); m != nil {
					found = true
					addr <- m[1]
				}
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()

	failed := func(format string, args ...any) (string, func(), error) {
		stop()
		mu.Lock()
		defer mu.Unlock()
		return "", nil, fmt.Errorf("stripe-mock (%s): %s; its output:\n%s", bin, fmt.Sprintf(format, args...), strings.Join(seen, "\n"))
	}
	var hostPort string
	select {
	case hostPort = <-addr:
	case <-time.After(30 * time.Second):
		return failed("printed no HTTP address within 30 s")
	}
	base = "http://" + hostPort

	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/balance", nil)
		req.SetBasicAuth(testKey, "")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, stop, nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return failed("does not answer at %s: %v", base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// needStripeMock skips a test that talks to stripe-mock when it is not
// installed (TestMain has already failed the run under CI).
func needStripeMock(t *testing.T) {
	t.Helper()
	if stripeMockURL == "" {
		t.Skipf("stripe-mock is not installed; install it with `%s`", installStripeMock)
	}
}

// call is one request the SDK made, as it went over the wire, with the
// answer it got.
type call struct {
	Method, Path string
	Form         url.Values
	Status       int
	Response     []byte
}

// canned is a response served instead of stripe-mock's.
type canned struct {
	Status int
	Body   string
	Header http.Header
}

// proxy stands between the SDK and stripe-mock: it records each request
// (stripe-mock validates them but echoes little of them back) and, when a
// test asks, answers in Stripe's place (a 404 or a 5xx, which stripe-mock
// never gives), edits stripe-mock's JSON (to give an object a status or
// metadata its fixtures lack) or adds a parameter to a request.
type proxy struct {
	srv *httptest.Server

	mu       sync.Mutex
	calls    []call
	answer   map[string]canned                   // by "METHOD /path"
	edit     map[string]func(obj map[string]any) // by "METHOD /path"
	addParam string                              // appended to every POST body
}

// bundle is what a test of the adapter works with.
type bundle struct {
	provider *stripepay.Provider
	proxy    *proxy
	now      time.Time // what the provider's clock says
}

// setup returns a provider talking to stripe-mock through a proxy of the
// test's own.
func setup(t *testing.T) *bundle {
	t.Helper()
	needStripeMock(t)
	px := &proxy{answer: map[string]canned{}, edit: map[string]func(map[string]any){}}
	px.srv = httptest.NewServer(http.HandlerFunc(px.serve))
	t.Cleanup(px.srv.Close)
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	p, err := stripepay.New(stripepay.Config{
		SecretKey:      testKey,
		WebhookSecrets: []string{"whsec_test"},
		APIBase:        px.srv.URL,
		Clock:          kernel.ClockFunc(func() time.Time { return now }),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &bundle{provider: p, proxy: px, now: now}
}

func (px *proxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key := r.Method + " " + r.URL.Path
	px.mu.Lock()
	answer, answered := px.answer[key]
	edit := px.edit[key]
	if px.addParam != "" && r.Method == http.MethodPost {
		if len(body) > 0 {
			body = append(body, '&')
		}
		body = append(body, px.addParam...)
	}
	px.mu.Unlock()
	form, _ := url.ParseQuery(string(body))
	if r.Method == http.MethodGet || r.Method == http.MethodDelete {
		form = r.URL.Query()
	}

	status, respBody, header := 0, []byte(nil), http.Header{}
	if answered {
		status, respBody = answer.Status, []byte(answer.Body)
		for k, v := range answer.Header {
			header[k] = v
		}
	} else {
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, stripeMockURL+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		req.Header.Del("Accept-Encoding") // a body this proxy can edit
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		respBody, _ = io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		status = resp.StatusCode
		header.Set("Content-Type", resp.Header.Get("Content-Type"))
		header.Set("Request-Id", resp.Header.Get("Request-Id"))
		if edit != nil && status == http.StatusOK {
			var obj map[string]any
			if err := json.Unmarshal(respBody, &obj); err == nil {
				edit(obj)
				respBody, _ = json.Marshal(obj)
			}
		}
	}

	px.mu.Lock()
	px.calls = append(px.calls, call{Method: r.Method, Path: r.URL.Path, Form: form, Status: status, Response: respBody})
	px.mu.Unlock()
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(respBody)
}

// Answer makes the proxy answer method path itself.
func (px *proxy) Answer(method, path string, c canned) {
	px.mu.Lock()
	defer px.mu.Unlock()
	px.answer[method+" "+path] = c
}

// Edit makes the proxy pass stripe-mock's answer to method path through f.
func (px *proxy) Edit(method, path string, f func(obj map[string]any)) {
	px.mu.Lock()
	defer px.mu.Unlock()
	px.edit[method+" "+path] = f
}

// AddParam makes the proxy append param (k=v) to every POST body.
func (px *proxy) AddParam(param string) {
	px.mu.Lock()
	defer px.mu.Unlock()
	px.addParam = param
}

// Calls returns the requests made so far.
func (px *proxy) Calls() []call {
	px.mu.Lock()
	defer px.mu.Unlock()
	return append([]call(nil), px.calls...)
}

// Only returns the one request made, failing the test unless there was
// exactly one, it was method path and it got status (200 when not given).
func (px *proxy) Only(t *testing.T, method, path string, status ...int) call {
	t.Helper()
	calls := px.Calls()
	if len(calls) != 1 {
		t.Fatalf("requests = %s, want only %s %s", describeCalls(calls), method, path)
	}
	return px.check(t, calls[0], method, path, status...)
}

// Nth returns request i (from 0), failing the test unless it is method path
// and got 200.
func (px *proxy) Nth(t *testing.T, i int, method, path string) call {
	t.Helper()
	calls := px.Calls()
	if len(calls) <= i {
		t.Fatalf("requests = %s, want a %s %s at %d", describeCalls(calls), method, path, i)
	}
	return px.check(t, calls[i], method, path)
}

func (px *proxy) check(t *testing.T, c call, method, path string, status ...int) call {
	t.Helper()
	want := http.StatusOK
	if len(status) > 0 {
		want = status[0]
	}
	if c.Method != method || c.Path != path {
		t.Fatalf("request = %s %s, want %s %s", c.Method, c.Path, method, path)
	}
	if c.Status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", c.Method, c.Path, c.Status, want, c.Response)
	}
	return c
}

func describeCalls(calls []call) string {
	s := make([]string, len(calls))
	for i, c := range calls {
		s[i] = c.Method + " " + c.Path
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// wantForm fails the test unless each key of want has exactly that value in
// the request (a "" value: the key is absent).
func wantForm(t *testing.T, c call, want map[string]string) {
	t.Helper()
	for k, v := range want {
		got, present := c.Form[k]
		switch {
		case v == "" && present:
			t.Errorf("%s %s: %s = %q, want it absent", c.Method, c.Path, k, got)
		case v != "" && (len(got) != 1 || got[0] != v):
			t.Errorf("%s %s: %s = %q, want %q", c.Method, c.Path, k, got, v)
		}
	}
}

// closedURL returns the URL of a port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return u
}

// stripeError is a body in Stripe's error format.
func stripeError(typ, code, message, param string) string {
	e := map[string]string{"type": typ, "message": message}
	if code != "" {
		e["code"] = code
	}
	if param != "" {
		e["param"] = param
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return string(b)
}

// kernelErr returns the *kernel.Error in err, failing the test when there
// is none.
func kernelErr(t *testing.T, err error) *kernel.Error {
	t.Helper()
	var ke *kernel.Error
	if !errors.As(err, &ke) {
		t.Fatalf("error %v (%T) is no *kernel.Error", err, err)
	}
	return ke
}
