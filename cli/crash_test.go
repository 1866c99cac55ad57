package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// mainForTest makes the test binary act as the groundwork command when a
// test starts it as a child process, so a test can kill -9 a real server.
const mainForTest = "GROUNDWORK_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainForTest) == "1" {
		Main()
		return
	}
	os.Exit(m.Run())
}

// startChild runs the groundwork command in a child process with e.
func startChild(t *testing.T, e env, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{mainForTest + "=1", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range e {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if testing.Verbose() {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// smtpSink is a line-level SMTP server. While stalled it greets and then
// never answers, as a hung mail server does; otherwise it accepts every
// message and records its recipients.
type smtpSink struct {
	ln      net.Listener
	stalled bool

	mu       sync.Mutex
	open     int            // connections held open now, while stalled
	received map[string]int // recipient → messages
}

func newSMTPSink(t *testing.T, stalled bool) *smtpSink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpSink{ln: ln, stalled: stalled, received: map[string]int{}}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpSink) port() string { return strconv.Itoa(s.ln.Addr().(*net.TCPAddr).Port) }

func (s *smtpSink) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Minute))
	w := bufio.NewWriter(c)
	reply := func(line string) { _, _ = w.WriteString(line + "\r\n"); _ = w.Flush() }
	reply("220 sink.test ESMTP")
	r := bufio.NewReader(c)
	if s.stalled {
		s.mu.Lock()
		s.open++
		s.mu.Unlock()
		_, _ = io.Copy(io.Discard, r) // until the client is killed
		s.mu.Lock()
		s.open--
		s.mu.Unlock()
		return
	}
	var rcpts []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			reply("250 sink.test")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			rcpts = nil
			reply("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			addr := strings.Trim(strings.TrimSpace(line[len("RCPT TO:"):]), "<>")
			rcpts = append(rcpts, strings.ToLower(addr))
			reply("250 ok")
		case cmd == "DATA":
			reply("354 go on")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
			}
			s.mu.Lock()
			for _, to := range rcpts {
				s.received[to]++
			}
			s.mu.Unlock()
			reply("250 queued")
		case cmd == "QUIT":
			reply("221 bye")
			return
		default:
			reply("250 ok")
		}
	}
}

func (s *smtpSink) held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

func (s *smtpSink) count(to string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received[to]
}

// runningJobs counts the email jobs left running, read with the server
// process gone.
func runningJobs(t *testing.T, e env, dialect db.Dialect) int {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: e["DATABASE_URL"], SQLitePath: e["DATA_DIR"] + "/groundwork.db"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.Q(ctx).QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'running' AND queue = 'emails'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCrash_MailOutSoonAfterAWorkerIsKilled: a server killed with SIGKILL
// while it delivers mail leaves its email jobs running; the next process
// runs them again once JOB_RESCUE_AFTER has passed, and every email goes
// out exactly once.
func TestCrash_MailOutSoonAfterAWorkerIsKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		e := envFor(t, dialect)
		port := freePort(t)
		hung := newSMTPSink(t, true)
		for k, v := range map[string]string{
			"PORT": strconv.Itoa(port), "EMAIL_PROVIDER": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": hung.port(),
			"SMTP_TLS": "none", "AUTH_RATE_LIMIT": "false",
			// Long enough that no attempt times out before the kill.
			"JOB_TIMEOUT": "1m", "JOB_RESCUE_AFTER": "3m",
		} {
			e[k] = v
		}
		first := startChild(t, e, "serve")
		done := make(chan int, 1)
		go func() { _ = first.Wait(); done <- 0 }()
		waitHealthy(t, port, done)

		const accounts = 4
		var emails []string
		for i := range accounts {
			email := fmt.Sprintf("crash%d@example.com", i)
			emails = append(emails, email)
			body := fmt.Sprintf(`{"email":%q,"password":"correct horse battery","name":"C"}`, email)
			req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:"+strconv.Itoa(port)+"/api/auth/sign-up/email", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("sign-up: %d", resp.StatusCode)
			}
		}
		// Every verification email is mid-delivery: kill the server.
		testkit.Eventually(t, fmt.Sprintf("all %d deliveries to start", accounts), func() bool { return hung.held() >= accounts })
		if err := first.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-done
		if n := runningJobs(t, e, dialect); n != accounts {
			t.Fatalf("%d email jobs left running after the kill, want %d", n, accounts)
		}

		// A new worker, with the mail server back: every email goes out,
		// once, within the rescue delay and River's 30-second rescue round.
		sink := newSMTPSink(t, false)
		e["SMTP_PORT"] = sink.port()
		// The leftovers are seconds old: a short rescue delay takes them.
		e["JOB_TIMEOUT"], e["JOB_RESCUE_AFTER"] = "2s", "4s"
		restarted := time.Now()
		startChild(t, e, "worker")
		for _, to := range emails {
			testkit.EventuallyWithin(t, "the email to "+to+" after the restart", 90*time.Second-time.Since(restarted),
				func() bool { return sink.count(to) > 0 })
		}
		took := time.Since(restarted)
		time.Sleep(2 * time.Second) // a duplicate would arrive now
		for _, to := range emails {
			if n := sink.count(to); n != 1 {
				t.Errorf("%d emails to %s, want 1", n, to)
			}
		}
		t.Logf("%s: every email out %s after the restart", dialect, took.Round(100*time.Millisecond))
	})
}
