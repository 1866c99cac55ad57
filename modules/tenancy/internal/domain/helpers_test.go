package domain_test

import (
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// wantErr checks err against the expected kind and code; code "" means no
// error is expected.
func wantErr(t *testing.T, err error, kind kernel.ErrorKind, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("got nil error, want %v %q", kind, code)
	}
	e := kernel.AsError(err)
	if e == nil || e.Kind != kind || e.Code != code {
		t.Fatalf("got %v, want %v %q", err, kind, code)
	}
}

// wantField checks that err carries a field error on field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	e := kernel.AsError(err)
	if e == nil {
		t.Fatalf("got %v, want a kernel error", err)
	}
	for _, f := range e.Fields {
		if f.Field == field && f.Message != "" {
			return
		}
	}
	t.Fatalf("fields %+v lack %q", e.Fields, field)
}

// catalog returns a Catalog with iam's and tenancy's permissions.
func catalog(t *testing.T) *domain.Catalog {
	t.Helper()
	c := domain.NewCatalog()
	if err := domain.DeclarePermissions(c); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"users:read", "users:create", "users:update", "users:delete"} {
		if err := c.Declare(p, "Users: "+p); err != nil {
			t.Fatal(err)
		}
	}
	return c
}
