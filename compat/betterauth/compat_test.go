// Package betterauth_test runs the npm better-auth client's compatibility
// suite (auth.test.mjs) against a fresh Groundwork on every database under
// test. The suite needs Node and this folder's node_modules
// (npm ci --prefix compat/betterauth); .ci/run installs them.
package betterauth_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/testkit"
)

// suiteTimeout bounds one run of the node suite: it signs in a handful of
// times (argon2id, a few tens of milliseconds each), far below this.
const suiteTimeout = 2 * time.Minute

func TestBetterAuthClient(t *testing.T) {
	node := requireNode(t)
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		// Off the whole second, so timestamps carry the fractional digits a
		// real clock gives them (the client mis-parses more than three).
		a.Clock.Advance(123456 * time.Microsecond)
		// A second server as a team moving from Better Auth runs it: its
		// cookie names, and the rate limits on.
		ba := testkit.New(t, a.Dialect, testkit.WithEnv("AUTH_COOKIE_PREFIX", "better-auth", "AUTH_RATE_LIMIT", "true"))
		ctx, cancel := context.WithTimeout(t.Context(), suiteTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "auth.test.mjs")
		cmd.Env = append(os.Environ(), "GROUNDWORK_URL="+a.URL, "NO_COLOR=1",
			"GROUNDWORK_MAILBOX="+filepath.Join(a.Config.Database.DataDir, "mailbox"), "GROUNDWORK_BETTER_AUTH_URL="+ba.URL)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("node --test auth.test.mjs against %s: %v\n%s", a.URL, err, out)
		}
		t.Logf("node --test auth.test.mjs:\n%s", out)
	})
}

// requireNode is testkit.RequireNode for this suite's packages.
func requireNode(t *testing.T) string {
	t.Helper()
	return testkit.RequireNode(t, "compat/betterauth", "better-auth")
}

// TestBetterAuthAdminClient runs admin.test.mjs: Better Auth's adminClient
// against /api/auth/admin, signed in as a platform admin made here.
func TestBetterAuthAdminClient(t *testing.T) {
	node := requireNode(t)
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		a.Clock.Advance(123456 * time.Microsecond)
		admin := a.SignUpPlatformAdmin(t, testkit.NewEmail("compat-admin"), "Ada Admin")
		ctx, cancel := context.WithTimeout(t.Context(), suiteTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", "admin.test.mjs")
		cmd.Env = append(os.Environ(), "GROUNDWORK_URL="+a.URL, "NO_COLOR=1",
			"GROUNDWORK_ADMIN_EMAIL="+admin.Email, "GROUNDWORK_ADMIN_PASSWORD="+testkit.Password)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("node --test admin.test.mjs against %s: %v\n%s", a.URL, err, out)
		}
		t.Logf("node --test admin.test.mjs:\n%s", out)
	})
}
