package archtest

import (
	"fmt"
	"strings"
)

// Module is the Go module path of this repository.
const Module = "github.com/groundworkhq/groundwork"

// forbiddenInApplication are import path prefixes an application or domain
// package may not use: storage and transport belong to the outer layers.
var forbiddenInApplication = []string{
	"net/http",
	"database/sql",
	"github.com/jackc/",
	"modernc.org/sqlite",
	"github.com/lib/pq",
	"github.com/riverqueue/",
	"github.com/danielgtaylor/huma",
	"github.com/pressly/goose",
	Module + "/db",
	Module + "/web",
	Module + "/jobs",
}

// isStdlib reports whether path is a standard library package: its first
// element has no dot.
func isStdlib(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

func hasPrefixPath(path, prefix string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(path, prefix)
	}
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// layerOf returns the layer of a package path inside the module ("kernel",
// "domain", "application", or "" for the rest) and the module it belongs to.
func layerOf(pkg string) (layer, module string) {
	rel, ok := strings.CutPrefix(pkg, Module+"/")
	if !ok {
		return "", ""
	}
	if rel == "kernel" || strings.HasPrefix(rel, "kernel/") {
		return "kernel", ""
	}
	parts := strings.Split(rel, "/")
	if len(parts) >= 4 && parts[0] == "modules" && parts[2] == "internal" {
		switch parts[3] {
		case "domain", "application":
			return parts[3], parts[1]
		}
		return "", parts[1]
	}
	if len(parts) >= 2 && parts[0] == "modules" {
		return "", parts[1]
	}
	return "", ""
}

// Check returns the rule violations of package pkg importing imports.
func Check(pkg string, imports []string) []string {
	layer, module := layerOf(pkg)
	var out []string
	for _, imp := range imports {
		if msg := checkImport(layer, module, imp); msg != "" {
			out = append(out, fmt.Sprintf("%s imports %s: %s", pkg, imp, msg))
		}
	}
	return out
}

func checkImport(layer, module, imp string) string {
	// Another module's internals.
	if rel, ok := strings.CutPrefix(imp, Module+"/modules/"); ok {
		other, rest, _ := strings.Cut(rel, "/")
		if other != module && (rest == "internal" || strings.HasPrefix(rest, "internal/")) {
			return "a module's internals are its own; use its public API or an event"
		}
	}
	switch layer {
	case "kernel":
		if !isStdlib(imp) && !hasPrefixPath(imp, Module+"/kernel") {
			return "kernel imports only the standard library"
		}
	case "domain":
		if !isStdlib(imp) && !hasPrefixPath(imp, Module+"/kernel") {
			return "a domain package imports only the standard library and kernel"
		}
		fallthrough
	case "application":
		for _, f := range forbiddenInApplication {
			if hasPrefixPath(imp, f) {
				return "domain and application packages stay free of transport, storage and job plumbing"
			}
		}
		if strings.Contains(imp, "/internal/infrastructure") || strings.Contains(imp, "/internal/interfaces") {
			return "domain and application packages do not import the outer layers"
		}
	}
	return ""
}
