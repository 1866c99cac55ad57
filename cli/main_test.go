package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

type env map[string]string

func (e env) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }

func runCmd(t *testing.T, ctx context.Context, e env, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, e.lookup, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// envFor returns a fresh environment on the dialect.
func envFor(t *testing.T, dialect db.Dialect) env {
	t.Helper()
	e := env{"DATA_DIR": t.TempDir(), "LOG_LEVEL": "warn"}
	if dialect == db.Postgres {
		e["DATABASE_URL"] = testdb.CreatePostgres(t)
	}
	return e
}

func TestRun_ConfigurationErrorsExit2WithOneLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  env
		want string
	}{
		{"port", env{"PORT": "abc"}, `PORT="abc"`},
		{"provider", env{"EMAIL_PROVIDER": "pigeon"}, `EMAIL_PROVIDER="pigeon"`},
		{"database url", env{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{"missing credential", env{"PAYMENT_PROVIDER": "stripe"}, "STRIPE_SECRET_KEY"},
		{"secret redacted", env{"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk live with spaces"}, "<redacted>"},
	}
	for _, tt := range tests {
		for _, cmd := range [][]string{nil, {"worker"}, {"migrate", "up"}} {
			t.Run(tt.name+"/"+strings.Join(cmd, " "), func(t *testing.T) {
				t.Parallel()
				code, _, stderr := runCmd(t, context.Background(), tt.env, cmd...)
				if code != exitUsage {
					t.Errorf("exit %d, want %d", code, exitUsage)
				}
				if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
					t.Errorf("stderr = %q, want one line containing %q", stderr, tt.want)
				}
				if strings.Contains(stderr, "sk live") {
					t.Errorf("stderr leaks the secret: %q", stderr)
				}
			})
		}
	}
}

func TestRun_UsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"bogus"}, {"serve", "--bogus"}, {"migrate"}, {"migrate", "sideways"}, {"version", "extra"}, {"worker", "extra"}} {
		code, _, stderr := runCmd(t, context.Background(), env{"DATA_DIR": t.TempDir()}, args...)
		if code != exitUsage || !strings.Contains(stderr, "groundwork help") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a usage hint", args, code, stderr)
		}
	}
}

func TestRun_VersionAndHelp(t *testing.T) {
	t.Parallel()
	code, out, _ := runCmd(t, context.Background(), env{}, "version")
	if code != exitOK || !strings.HasPrefix(out, "groundwork ") {
		t.Errorf("version: exit %d, out %q", code, out)
	}
	for _, arg := range []string{"help", "--help", "-h"} {
		code, out, _ = runCmd(t, context.Background(), env{}, arg)
		if code != exitOK || !strings.Contains(out, "migrate up") || !strings.Contains(out, "--no-workers") {
			t.Errorf("%s: exit %d, out %q", arg, code, out)
		}
	}
}

func TestRun_Migrate(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		e := envFor(t, dialect)
		ctx := context.Background()
		code, out, stderr := runCmd(t, ctx, e, "migrate", "status")
		if st := states(out); code != exitOK || st["applied"] != 0 || st["pending"] == 0 {
			t.Fatalf("status before up: exit %d, states %v\n%s%s", code, st, out, stderr)
		}
		if code, out, stderr = runCmd(t, ctx, e, "migrate", "up"); code != exitOK {
			t.Fatalf("up: exit %d\n%s%s", code, out, stderr)
		}
		code, out, _ = runCmd(t, ctx, e, "migrate", "status")
		if st := states(out); code != exitOK || st["pending"] != 0 || st["applied"] == 0 {
			t.Fatalf("status after up: exit %d, states %v\n%s", code, st, out)
		}
		code, out, _ = runCmd(t, ctx, e, "migrate", "down")
		if code != exitOK || !strings.Contains(out, "rolled back") {
			t.Fatalf("down: exit %d\n%s", code, out)
		}
		if _, out, _ = runCmd(t, ctx, e, "migrate", "status"); states(out)["pending"] != 1 {
			t.Fatalf("status after down: states %v, want 1 pending:\n%s", states(out), out)
		}
	})
}

// states counts the STATE column of migrate status output.
func states(out string) map[string]int {
	n := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		cols := regexp.MustCompile(`\s{2,}`).Split(strings.TrimSpace(line), -1)
		if len(cols) >= 4 {
			n[cols[3]]++
		}
	}
	return n
}

// TestRun_StopDuringStartIsClean: a stop signal that arrives while a
// process is still starting (opening the database, waiting for another
// process's migration lock) exits 0, as a stop after start does.
func TestRun_StopDuringStartIsClean(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		e := envFor(t, dialect)
		e["PORT"] = strconv.Itoa(freePort(t))
		for _, args := range [][]string{{"serve"}, {"worker"}} {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var stderr bytes.Buffer
			if code := run(ctx, args, e.lookup, &bytes.Buffer{}, &stderr); code != exitOK {
				t.Fatalf("%v stopped during start: exit %d\n%s", args, code, stderr.String())
			}
		}
	})
}

// TestRun_ServeAndWorkerStopOnSignal starts serve, serve --no-workers and
// worker, checks serve answers, then cancels the context as SIGTERM does:
// each exits 0.
func TestRun_ServeAndWorkerStopOnSignal(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		e := envFor(t, dialect)
		e["LOG_LEVEL"] = "info" // the worker's "running" line
		for _, args := range [][]string{{"serve"}, {"serve", "--no-workers"}, {"worker"}, nil} {
			port := freePort(t)
			e["PORT"] = strconv.Itoa(port)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan int, 1)
			stderr := &syncBuffer{}
			go func() { done <- run(ctx, args, e.lookup, &bytes.Buffer{}, stderr) }()

			if len(args) == 0 || args[0] == "serve" {
				waitHealthy(t, port, done)
				requireProblemForBadEscape(t, port)
			} else {
				// The worker has no endpoint: its log says when it runs.
				testkit.Eventually(t, "the worker runs", func() bool { return strings.Contains(stderr.String(), "worker is running") })
			}
			cancel()
			select {
			case code := <-done:
				if code != exitOK {
					t.Fatalf("%v: exit %d\n%s", args, code, stderr.String())
				}
			case <-time.After(30 * time.Second):
				t.Fatalf("%v did not stop after the signal", args)
			}
		}
	})
}

// syncBuffer is a bytes.Buffer safe for the command's goroutine to write
// while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// requireProblemForBadEscape sends a path net/http cannot parse: the
// answer is a problem, not Go's plain text.
func requireProblemForBadEscape(t *testing.T, port int) {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET /api/users/%zz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var p struct {
		Code string `json:"code"`
	}
	err = json.NewDecoder(r.Body).Decode(&p)
	if r.StatusCode != http.StatusBadRequest || r.Header.Get("Content-Type") != "application/problem+json" || err != nil ||
		p.Code != "http.malformed_request" {
		t.Errorf("bad escape: %d %q %+v %v", r.StatusCode, r.Header.Get("Content-Type"), p, err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitHealthy(t *testing.T, port int, done <-chan int) {
	t.Helper()
	testkit.Eventually(t, "the server to become ready", func() bool {
		select {
		case code := <-done:
			t.Fatalf("server exited early with %d", code)
		default:
		}
		resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(port) + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// run is Run with Groundwork's own modules only.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) int {
	return Run(ctx, args, lookup, stdout, stderr)
}
