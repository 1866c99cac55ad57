// Package ofrep_test runs OpenFeature's own web SDK and OFREP web provider
// (provider.test.mjs) and plain fetch calls on the wire (wire.test.mjs)
// against a fresh Groundwork on every database under test, with flags
// declared in code and rules set through the admin routes. The suites need
// Node and this folder's node_modules (npm ci --prefix compat/ofrep);
// .ci/run installs them.
package ofrep_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/featureflags"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// suiteTimeout bounds one run of a node suite: the provider's polls come
// every 200ms and the suite waits on a few of them, far below this.
const suiteTimeout = 2 * time.Minute

// frontOrigin is a front end on another origin, trusted through
// WEB_ORIGINS, for the CORS checks of wire.test.mjs.
const frontOrigin = "http://app.example.test"

// flags are the flags declared in code, as a product declares them.
type flags struct {
	beta   *featureflags.Flag[bool]
	theme  *featureflags.Flag[string]
	limit  *featureflags.Flag[int64]
	banner *featureflags.Flag[map[string]any]
	secret *featureflags.Flag[bool]
}

// world is what the suites are run against: a signed-in user with an
// active organization, a platform admin, and the rules set for them.
type world struct {
	a     *testkit.App
	f     flags
	user  testkit.Account
	org   kernel.OrganizationID
	admin testkit.Account
}

// boot starts an app with the flags declared before it starts, then sets
// through the admin routes a global value on every flag and an override
// for the user's active organization on the client-visible ones.
func boot(t *testing.T, dialect db.Dialect) world {
	t.Helper()
	a := testkit.New(t, dialect, testkit.WithoutMigrations(), testkit.WithEnv("WEB_ORIGINS", frontOrigin))
	ff := a.FeatureFlags()
	var w world
	var err error
	must := func(e error) {
		t.Helper()
		if e != nil {
			t.Fatal(e)
		}
	}
	w.f.beta, err = featureflags.Bool(ff, "beta-dashboard", false, "The new dashboard.", featureflags.ClientVisible())
	must(err)
	w.f.theme, err = featureflags.String(ff, "theme", "light", "The default theme.", featureflags.ClientVisible())
	must(err)
	w.f.limit, err = featureflags.Int(ff, "export-limit", 100, "Rows per export.", featureflags.ClientVisible())
	must(err)
	w.f.banner, err = featureflags.JSON(ff, "banner", map[string]any{"text": "hello"}, "The banner.", featureflags.ClientVisible())
	must(err)
	w.f.secret, err = featureflags.Bool(ff, "internal-tool", false, "Never leaves the server.")
	must(err)
	must(a.Migrate(t.Context()))
	must(a.Start(context.Background()))

	w.a = a
	w.admin = a.SignUpPlatformAdmin(t, testkit.NewEmail("ofrep-admin"), "Ada")
	w.user = a.SignUp(t, testkit.NewEmail("ofrep-user"), "Olga", true)
	w.org = organization(t, w.user.Client, "ofrep-acme")

	base := "/api/v1/platform/feature-flags/"
	for key, global := range map[string]any{
		"beta-dashboard": true, "theme": "dark", "export-limit": 250,
		"banner": map[string]any{"text": "everyone"}, "internal-tool": true,
	} {
		w.admin.Do(http.MethodPut, base+key+"/global", map[string]any{"value": global}).RequireStatus(t, http.StatusOK)
	}
	for key, override := range map[string]any{
		"beta-dashboard": false, "theme": "solarized", "export-limit": 500,
		"banner": map[string]any{"text": "acme", "tone": "info"},
	} {
		w.admin.Do(http.MethodPut, base+key+"/organizations/"+w.org.String(), map[string]any{"value": override}).RequireStatus(t, http.StatusOK)
	}
	return w
}

// organization creates an organization of c's user and makes it active.
func organization(t *testing.T, c *testkit.Client, slug string) kernel.OrganizationID {
	t.Helper()
	var o struct {
		ID string `json:"id"`
	}
	c.Post("/api/organizations", map[string]any{"name": slug, "slug": slug}).RequireStatus(t, http.StatusCreated).JSON(t, &o)
	c.Post("/api/organizations/active", map[string]any{"organizationId": o.ID}).RequireStatus(t, http.StatusOK)
	return kernel.MustParseID[kernel.OrganizationKind](o.ID)
}

// cookie returns the Cookie header c's browser sends to the server.
func cookie(t *testing.T, c *testkit.Client, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for _, ck := range c.Jar().Cookies(u) {
		pairs = append(pairs, ck.Name+"="+ck.Value)
	}
	if len(pairs) == 0 {
		t.Fatal("the signed-in client holds no cookie")
	}
	return strings.Join(pairs, "; ")
}

// env is what the suites read: the server, the user's and the admin's
// cookies, whom they are, and the trusted front end.
func (w world) env(t *testing.T) []string {
	t.Helper()
	return []string{
		"GROUNDWORK_URL=" + w.a.URL,
		"GROUNDWORK_USER_COOKIE=" + cookie(t, w.user.Client, w.a.URL),
		"GROUNDWORK_USER_ID=" + w.user.ID.String(),
		"GROUNDWORK_ORG_ID=" + w.org.String(),
		"GROUNDWORK_ADMIN_COOKIE=" + cookie(t, w.admin.Client, w.a.URL),
		"GROUNDWORK_FRONT_ORIGIN=" + frontOrigin,
		"NO_COLOR=1",
	}
}

var passLine = regexp.MustCompile(`(?m)^ℹ pass (\d+)$`)

// runNode runs one suite file against w and fails with node's output when
// it fails or ran no test at all (a suite that did nothing passes too).
func runNode(t *testing.T, node, file string, w world) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), suiteTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "--test-reporter=spec", file)
	cmd.Env = append(os.Environ(), w.env(t)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %s against %s: %v\n%s", file, w.a.URL, err, out)
	}
	if m := passLine.FindSubmatch(out); m == nil || string(m[1]) == "0" {
		t.Fatalf("node --test %s ran no test:\n%s", file, out)
	}
	t.Logf("node --test %s:\n%s", file, out)
}

// TestOFREPWire runs wire.test.mjs: the endpoints' shapes, status codes
// and headers, with fetch.
func TestOFREPWire(t *testing.T) {
	node := requireNode(t)
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		runNode(t, node, "wire.test.mjs", boot(t, dialect))
	})
}

// TestOFREPWebProvider runs provider.test.mjs: OpenFeature's web SDK with
// the OFREP web provider, signed in and anonymous. The suite changes rules
// through the admin routes itself; they are checked here afterwards, so a
// suite that skipped them cannot pass.
func TestOFREPWebProvider(t *testing.T) {
	node := requireNode(t)
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		w := boot(t, dialect)
		runNode(t, node, "provider.test.mjs", w)

		signedIn := kernel.WithOrganization(kernel.WithPrincipal(context.Background(), kernel.Principal{UserID: w.user.ID}),
			kernel.OrganizationContext{OrganizationID: w.org})
		if !w.f.beta.Value(signedIn) {
			t.Error("beta-dashboard: the user override the suite set is not there")
		}
		if got := w.f.limit.Value(context.Background()); got != 300 {
			t.Errorf("export-limit for anyone = %d, want the suite's global 300", got)
		}
		if got := w.f.theme.Value(signedIn); got != "light" {
			t.Errorf("theme = %q, want the default under the suite's kill switch", got)
		}
	})
}

// requireNode is testkit.RequireNode for this suite's packages.
func requireNode(t *testing.T) string {
	t.Helper()
	return testkit.RequireNode(t, "compat/ofrep", "@openfeature/web-sdk", "@openfeature/ofrep-web-provider")
}
