package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireNode returns the node binary for a suite that drives the server
// with npm packages installed in the test's folder (node_modules/pkg for
// each of packages). Without node or a package the test is skipped on a
// developer's machine but fails under CI (CI set), where .ci/run must
// have installed them; either way it says to run npm ci in dir.
func RequireNode(t testing.TB, dir string, packages ...string) string {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		hint := "; run: npm ci --prefix " + dir
		if os.Getenv("CI") != "" {
			t.Fatal(why + hint)
		}
		t.Skip(why + hint)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	for _, pkg := range packages {
		if _, err := os.Stat(filepath.Join("node_modules", pkg, "package.json")); err != nil {
			missing(dir + "/node_modules/" + pkg + " is absent")
		}
	}
	return node
}
