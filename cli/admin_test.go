package cli

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func TestAdmin_CreateListRevoke(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		e := envFor(t, dialect)
		e["EMAIL_PROVIDER"] = "file"
		ctx := context.Background()

		for _, args := range [][]string{{"admin"}, {"admin", "create"}, {"admin", "revoke"}, {"admin", "promote"}, {"admin", "list", "extra"}} {
			if code, _, stderr := runCmd(t, ctx, e, args...); code != exitUsage || !strings.Contains(stderr, "groundwork help") {
				t.Errorf("%v: exit %d, %q", args, code, stderr)
			}
		}
		if code, _, stderr := runCmd(t, ctx, e, "admin", "create", "--email", "not an address"); code != exitFailed || strings.Count(stderr, "\n") != 1 {
			t.Errorf("bad email: exit %d, %q", code, stderr)
		}

		code, out, stderr := runCmd(t, ctx, e, "admin", "create", "--email", "Ops@Example.com", "--name", "Ops")
		if code != exitOK || !strings.Contains(out, "created ops@example.com") || !strings.Contains(out, "ops@example.com is a platform admin") {
			t.Fatalf("create: exit %d, %q %q", code, out, stderr)
		}
		// Again: the account exists; it stays an admin.
		if code, out, _ := runCmd(t, ctx, e, "admin", "create", "--email", "ops@example.com"); code != exitOK || strings.Contains(out, "created") {
			t.Errorf("create again: exit %d, %q", code, out)
		}
		if code, out, _ := runCmd(t, ctx, e, "admin", "list"); code != exitOK || !strings.Contains(out, "ops@example.com") || !strings.Contains(out, "never") {
			t.Errorf("list: exit %d, %q", code, out)
		}
		// The last one cannot go.
		if code, _, stderr := runCmd(t, ctx, e, "admin", "revoke", "--email", "ops@example.com"); code != exitFailed || !strings.Contains(stderr, "last platform admin") {
			t.Errorf("revoke the last: exit %d, %q", code, stderr)
		}
		if code, _, stderr := runCmd(t, ctx, e, "admin", "revoke", "--email", "nobody@example.com"); code != exitFailed || !strings.Contains(stderr, "not found") {
			t.Errorf("revoke nobody: exit %d, %q", code, stderr)
		}
		runCmd(t, ctx, e, "admin", "create", "--email", "second@example.com")
		if code, out, _ := runCmd(t, ctx, e, "admin", "revoke", "--email", "ops@example.com"); code != exitOK || !strings.Contains(out, "no longer") {
			t.Errorf("revoke: exit %d, %q", code, out)
		}
		if code, out, _ := runCmd(t, ctx, e, "admin", "list"); code != exitOK || strings.Contains(out, "ops@example.com") || !strings.Contains(out, "second@example.com") {
			t.Errorf("list after revoke: exit %d, %q", code, out)
		}
	})
}

// TestAdmin_FirstRunOnTheCommand: on a fresh database serve logs one setup
// link that opens the setup page; after admin create, the next start logs
// none and its workers send the new account's set-password email.
func TestAdmin_FirstRunOnTheCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		e := envFor(t, dialect)
		port := freePort(t)
		e["PORT"], e["EMAIL_PROVIDER"], e["LOG_LEVEL"] = strconv.Itoa(port), "file", "info"
		e["SERVER_URL"] = "http://127.0.0.1:" + strconv.Itoa(port)

		lines, stop := serveLogged(t, e, port)
		var link string
		for _, l := range lines() {
			if m := regexp.MustCompile(`url="?([^"\s]+/setup\?token=[^"\s]+)`).FindStringSubmatch(l); m != nil {
				if link != "" {
					t.Fatalf("two setup links: %v", lines())
				}
				link = m[1]
			}
		}
		if !strings.HasPrefix(link, e["SERVER_URL"]+"/setup?token=") {
			t.Fatalf("no setup link in the log: %v", lines())
		}
		resp, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("setup page: %d", resp.StatusCode)
		}
		stop()

		if code, out, stderr := runCmd(t, context.Background(), e, "admin", "create", "--email", "first@example.com"); code != exitOK {
			t.Fatalf("admin create: %d %q %q", code, out, stderr)
		}
		lines, stop = serveLogged(t, e, port)
		defer stop()
		testkit.Eventually(t, "the set-password email", func() bool {
			matches, _ := filepath.Glob(filepath.Join(e["DATA_DIR"], "mailbox", "*.eml"))
			for _, m := range matches {
				b, _ := os.ReadFile(m)
				if strings.Contains(string(b), "To: <first@example.com>") && strings.Contains(string(b), "reset-password") {
					return true
				}
			}
			return false
		})
		for _, l := range lines() {
			if strings.Contains(l, "setup?token=") {
				t.Errorf("a setup link with an admin: %s", l)
			}
		}
	})
}

// serveLogged starts serve as a child process and returns its log lines so
// far (once it is ready) and a stop that ends it with SIGTERM.
func serveLogged(t *testing.T, e env, port int) (lines func() []string, stop func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = []string{mainForTest + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range e {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []string
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			got = append(got, sc.Text())
			mu.Unlock()
		}
	}()
	done := make(chan int, 1)
	go func() { <-read; _ = cmd.Wait(); done <- 0 }()
	waitHealthy(t, port, done)
	var once sync.Once
	stop = func() {
		once.Do(func() {
			_ = cmd.Process.Signal(os.Interrupt)
			<-done
		})
	}
	t.Cleanup(stop)
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}, stop
}

func TestBillingSync(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		e := envFor(t, dialect)
		e["PAYMENT_PROVIDER"], e["BILLING_SANDBOX_WEBHOOK_SECRET"] = "sandbox", "s"
		ctx := context.Background()
		if code, out, stderr := runCmd(t, ctx, e, "billing", "sync"); code != exitOK || !strings.Contains(out, "checked 0 subscriptions") {
			t.Errorf("sync: exit %d, %q %q", code, out, stderr)
		}
		if code, out, _ := runCmd(t, ctx, e, "billing", "sync", "--organization", "org_01m9150v0ze6b8fnbpfahxcqkn"); code != exitOK || !strings.Contains(out, "checked 0") {
			t.Errorf("sync one: exit %d, %q", code, out)
		}
		for _, args := range [][]string{{"billing"}, {"billing", "pull"}, {"billing", "sync", "--organization", "acme"}} {
			if code, _, stderr := runCmd(t, ctx, e, args...); code != exitUsage {
				t.Errorf("%v: exit %d, %q", args, code, stderr)
			}
		}
	})
}
