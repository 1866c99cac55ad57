package iam_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/web"
)

// work is what one request did: the statements it ran (sorted; each the
// text sent, arguments aside) and the jobs it enqueued, by kind.
type work struct {
	statements []string
	jobs       []string
}

// workOf runs one request as a fresh client and records its work.
func workOf(t *testing.T, a *testkit.App, path string, body map[string]any) work {
	t.Helper()
	ctx := context.Background()
	before := jobIDs(t, a)
	var (
		mu  sync.Mutex
		got work
	)
	stop := a.DB().Observe(func(ctx context.Context, statement string) {
		if web.RequestID(ctx) == "" {
			return // not a request's
		}
		mu.Lock()
		got.statements = append(got.statements, statement)
		mu.Unlock()
	})
	a.Client().Post(path, body).RequireStatus(t, http.StatusOK)
	stop()
	rows, err := a.Jobs().List(ctx, jobs.ListParams{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !before[r.ID] {
			got.jobs = append(got.jobs, r.Kind)
		}
	}
	slices.Sort(got.statements)
	slices.Sort(got.jobs)
	return got
}

func jobIDs(t *testing.T, a *testkit.App) map[int64]bool {
	t.Helper()
	rows, err := a.Jobs().List(context.Background(), jobs.ListParams{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for _, r := range rows {
		ids[r.ID] = true
	}
	return ids
}

// TestLinkRequests_DoTheSameWorkWhetherTheAccountExists: a request for a
// reset or verification link runs the same statements and enqueues the
// same jobs for an address with an account (verified or not, active or
// not) as for an address nobody has, so no timing can tell them apart:
// the lookup, the token and the email happen in the job. Work is compared,
// not time.
func TestLinkRequests_DoTheSameWorkWhetherTheAccountExists(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		// Workers are off (the jobs stay to be counted): verify and
		// deactivate in the database.
		verified := a.SignUp(t, newEmail("verified"), "Vera", false)
		unverified := a.SignUp(t, newEmail("unverified"), "Una", false)
		inactive := a.SignUp(t, newEmail("inactive"), "Ian", false)
		ctx := context.Background()
		if _, err := a.DB().QW(ctx).Exec(ctx, `UPDATE users SET email_verified = $1 WHERE id = $2`, true, verified.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.DB().QW(ctx).Exec(ctx, `UPDATE users SET active = $1 WHERE id = $2`, false, inactive.ID); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/api/auth/request-password-reset", "/api/auth/send-verification-email"} {
			t.Run(path, func(t *testing.T) {
				var base work
				for i, email := range []string{newEmail("nobody"), verified.Email, unverified.Email, inactive.Email, newEmail("nobody")} {
					w := workOf(t, a, path, map[string]any{"email": email})
					if len(w.jobs) != 1 || w.jobs[0] != "iam.account_mail" {
						t.Fatalf("%s: enqueued %v, want one iam.account_mail", email, w.jobs)
					}
					if len(w.statements) == 0 {
						t.Fatalf("%s: no statement observed", email)
					}
					if i == 0 {
						base = w
						continue
					}
					if !slices.Equal(w.statements, base.statements) {
						t.Errorf("%s: statements differ from an unknown address's\n got %q\nwant %q", email, w.statements, base.statements)
					}
				}
			})
		}
	}, testkit.WithoutWorkers(), testkit.WithEnv("AUTH_RATE_LIMIT", "true"))
}

// TestLinkRequests_TheJobSendsTheMail: the queued request does send the
// link to an address with an account, promptly, and to nobody else.
func TestLinkRequests_TheJobSendsTheMail(t *testing.T) {
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		unverified := a.SignUp(t, newEmail("unverified"), "Una", false)
		ghost := newEmail("ghost")
		start := time.Now()
		a.Client().Post("/api/auth/request-password-reset", map[string]any{"email": unverified.Email}).RequireStatus(t, http.StatusOK)
		a.Client().Post("/api/auth/request-password-reset", map[string]any{"email": ghost}).RequireStatus(t, http.StatusOK)
		a.Client().Post("/api/auth/send-verification-email", map[string]any{"email": ghost}).RequireStatus(t, http.StatusOK)
		a.Client().Post("/api/auth/send-verification-email", map[string]any{"email": unverified.Email}).RequireStatus(t, http.StatusOK)
		waitEmail(t, a, unverified.Email, "password_reset")
		waitEmails(t, a, unverified.Email, "verify_email", 2) // sign-up's and the one asked for
		if d := time.Since(start); d > 20*time.Second {
			t.Errorf("the links took %v", d)
		}
		for _, m := range readMailbox(t, a) {
			if m.To == ghost {
				t.Errorf("mail to an address with no account: %+v", m.Subject)
			}
		}
	})
}
