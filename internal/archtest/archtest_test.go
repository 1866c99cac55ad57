package archtest_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/internal/archtest"
)

// TestRepositoryFollowsTheRules parses every non-test Go file of the
// repository and checks its imports.
func TestRepositoryFollowsTheRules(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s", root)
	}
	imports := map[string]map[string]bool{} // package → imports
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := archtest.Module
		if rel != "." {
			pkg += "/" + filepath.ToSlash(rel)
		}
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			imports[pkg][p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 5 {
		t.Fatalf("found only %d packages; the walk is broken", len(imports))
	}
	for pkg, set := range imports {
		var list []string
		for p := range set {
			list = append(list, p)
		}
		sort.Strings(list)
		for _, v := range archtest.Check(pkg, list) {
			t.Error(v)
		}
	}
}

// TestCheck shows each rule catching what it must, and allowing the rest.
func TestCheck(t *testing.T) {
	t.Parallel()
	const m = archtest.Module
	tests := []struct {
		pkg, imp string
		bad      bool
	}{
		{m + "/kernel", "context", false},
		{m + "/kernel", "github.com/google/uuid", true},
		{m + "/kernel", m + "/db", true},
		{m + "/modules/iam/internal/domain", "strings", false},
		{m + "/modules/iam/internal/domain", m + "/kernel", false},
		{m + "/modules/iam/internal/domain", "golang.org/x/crypto/argon2", true},
		{m + "/modules/iam/internal/domain", "net/http", true},
		{m + "/modules/iam/internal/application", m + "/modules/iam/internal/domain", false},
		{m + "/modules/iam/internal/application", "golang.org/x/crypto/argon2", false},
		{m + "/modules/iam/internal/application", "net/http", true},
		{m + "/modules/iam/internal/application", "net/http/httptest", true},
		{m + "/modules/iam/internal/application", "database/sql", true},
		{m + "/modules/iam/internal/application", "github.com/jackc/pgx/v5", true},
		{m + "/modules/iam/internal/application", "modernc.org/sqlite", true},
		{m + "/modules/iam/internal/application", "github.com/riverqueue/river", true},
		{m + "/modules/iam/internal/application", m + "/db", true},
		{m + "/modules/iam/internal/application", m + "/modules/iam/internal/infrastructure/sqlstore", true},
		{m + "/modules/iam/internal/application", m + "/modules/iam/internal/interfaces/httpapi", true},
		{m + "/modules/iam/internal/application", m + "/internal/eventbus", false},
		{m + "/modules/iam/internal/infrastructure/sqlstore", m + "/db", false},
		{m + "/modules/iam/internal/infrastructure/sqlstore", m + "/modules/tenancy/internal/domain", true},
		{m + "/modules/iam", m + "/modules/tenancy", false},
		{m + "/app", m + "/modules/iam/internal/domain", true},
	}
	for _, tt := range tests {
		got := archtest.Check(tt.pkg, []string{tt.imp})
		if (len(got) > 0) != tt.bad {
			t.Errorf("Check(%s, %s) = %v, want violation: %v", tt.pkg, tt.imp, got, tt.bad)
		}
	}
}
