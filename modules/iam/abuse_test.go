package iam_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/groundworkhq/groundwork/testkit"
)

// rateLimited turns the abuse limits on, which the test kit turns off.
var rateLimited = testkit.WithEnv("AUTH_RATE_LIMIT", "true")

func TestRateLimit_SignInPerEmail(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		email := newEmail("limited")
		signUp(t, a.Client(), email, "Lim")
		c := a.Client()
		// Successes do not count against the address.
		for range 12 {
			signIn(t, c, email, password)
		}
		// The default: 10 failures per email and client network per 15
		// minutes.
		for i := range 10 {
			r := c.Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": "wrong password " + strconv.Itoa(i)})
			r.RequireProblem(t, http.StatusUnauthorized, "INVALID_EMAIL_OR_PASSWORD")
		}
		r := c.Post("/api/auth/sign-in/email", map[string]any{"email": strings.ToUpper(email), "password": password})
		p := r.RequireProblem(t, http.StatusTooManyRequests, "TOO_MANY_REQUESTS")
		secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if err != nil || secs < 1 || secs > 15*60 {
			t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
		}
		if p.Message != "Too many requests. Please try again later." {
			t.Errorf("message = %q", p.Message)
		}
		// Another network is not locked out with the right password, nor is
		// another address; the window ends.
		c.From("127.0.0.2").Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password}).RequireStatus(t, http.StatusOK)
		c.Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": password}).
			RequireProblem(t, http.StatusTooManyRequests, "TOO_MANY_REQUESTS")
		signIn(t, a.Client(), newEmailSignedUp(t, a), password)
		a.Clock.Advance(15*time.Minute + time.Second)
		signIn(t, a.Client(), email, password)
	}, rateLimited)
}

func newEmailSignedUp(t *testing.T, a *testkit.App) string {
	t.Helper()
	e := newEmail("free")
	signUp(t, a.Client(), e, "Free")
	return e
}

// TestSignInFlood checks that a flood of sign-ins — each a memory-hard
// password hash — leaves other requests answering: hashing is bounded to
// one per core and runs outside any transaction. It counts get-session
// requests completed during the flood; it asserts no time.
func TestSignInFlood(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		reader := a.Client()
		signUp(t, reader, newEmail("reader"), "Reader")

		const attempts = 40
		var (
			flooding  atomic.Bool
			completed atomic.Int64
			failures  atomic.Int64
			statuses  sync.Map
			start     = make(chan struct{})
			stop      = make(chan struct{})
			readerEnd = make(chan struct{})
		)
		go func() {
			defer close(readerEnd)
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := reader.Get("/api/auth/get-session")
				if !flooding.Load() {
					continue
				}
				if r.StatusCode != http.StatusOK || strings.TrimSpace(string(r.Body)) == "null" {
					failures.Add(1)
				}
				completed.Add(1)
			}
		}()

		var wg sync.WaitGroup
		for i := range attempts {
			wg.Go(func() {
				<-start
				// Distinct unknown addresses: each costs a full (dummy) hash
				// until the per-IP limit turns the rest away.
				r := a.Client().Post("/api/auth/sign-in/email", map[string]any{"email": newEmail("flood"), "password": "guess " + strconv.Itoa(i)})
				n, _ := statuses.LoadOrStore(r.StatusCode, new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
			})
		}
		flooding.Store(true)
		close(start)
		wg.Wait()
		flooding.Store(false)
		close(stop)
		<-readerEnd

		statuses.Range(func(k, v any) bool {
			if s := k.(int); s != http.StatusUnauthorized && s != http.StatusTooManyRequests {
				t.Errorf("%d sign-ins answered %d", v.(*atomic.Int64).Load(), s)
			}
			return true
		})
		if completed.Load() == 0 {
			t.Error("no get-session request completed during the sign-in flood")
		}
		if failures.Load() != 0 {
			t.Errorf("%d of %d get-session requests failed during the flood", failures.Load(), completed.Load())
		}
		t.Logf("get-session requests completed during %d sign-ins: %d", attempts, completed.Load())
	}, rateLimited)
}

// purgeJob has the kind of iam's periodic purge job, so the test can run
// it now instead of waiting an hour for River's scheduler.
type purgeJob struct{}

func (purgeJob) Kind() string { return "iam.purge_expired" }

func TestPurgeJob_RemovesExpiredSessionsTokensAndLimits(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		ctx := context.Background()
		email := newEmail("purge")
		signUp(t, a.Client(), email, "Purge") // a session, a verification token, a rate-limit row
		count := func(table string) int {
			t.Helper()
			var n int
			if err := a.DB().Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if count("sessions") != 1 || count("verification_tokens") != 1 || count("rate_limits") == 0 {
			t.Fatalf("before: sessions %d, tokens %d, limits %d", count("sessions"), count("verification_tokens"), count("rate_limits"))
		}
		a.Clock.Advance(8 * 24 * time.Hour)
		live := a.Client()
		signIn(t, live, email, password) // a live session and a fresh rate-limit window survive

		row, err := a.Jobs().Insert(ctx, purgeJob{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "the purge job completes", func() bool {
			j, err := a.Jobs().Job(ctx, row.ID)
			if err != nil || j.State == rivertype.JobStateDiscarded {
				t.Fatalf("purge job: %v %v", err, j)
			}
			return j.State == rivertype.JobStateCompleted
		})
		// Left: the sign-in's counters (per IP, per email and network, per
		// email); every older one is gone.
		if count("sessions") != 1 || count("verification_tokens") != 0 || count("rate_limits") != 3 {
			t.Errorf("after: sessions %d, tokens %d, limits %d", count("sessions"), count("verification_tokens"), count("rate_limits"))
		}
		if getSession(t, live) == nil {
			t.Error("the purge ended a live session")
		}
	}, rateLimited)
}
