package domain_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

func TestCatalogDeclare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		perm, desc string
		kind       kernel.ErrorKind
		code       string
	}{
		{"widgets:read", "Read widgets.", 0, ""},
		{"widget_parts:bulk_edit", "Edit in bulk.", 0, ""},
		{"widgets", "x", kernel.KindInvalid, "tenancy.invalid_permission"},
		{"Widgets:read", "x", kernel.KindInvalid, "tenancy.invalid_permission"},
		{"widgets:*", "x", kernel.KindInvalid, "tenancy.invalid_permission"},
		{"*", "x", kernel.KindInvalid, "tenancy.invalid_permission"},
		{"widgets:read:all", "x", kernel.KindInvalid, "tenancy.invalid_permission"},
		{":read", "x", kernel.KindInvalid, "tenancy.invalid_permission"},
		{"widgets:", "x", kernel.KindInvalid, "tenancy.invalid_permission"},
		{"widgets2:read", "x", kernel.KindInvalid, "tenancy.invalid_permission"},
		{"widgets:write", "  ", kernel.KindInvalid, "tenancy.invalid_permission"},
	}
	for _, tt := range tests {
		t.Run(tt.perm, func(t *testing.T) {
			t.Parallel()
			c := domain.NewCatalog()
			wantErr(t, c.Declare(tt.perm, tt.desc), tt.kind, tt.code)
			if got := c.Has(tt.perm); got != (tt.code == "") {
				t.Errorf("Has = %v", got)
			}
		})
	}
	t.Run("duplicate", func(t *testing.T) {
		t.Parallel()
		c := domain.NewCatalog()
		wantErr(t, c.Declare("a:b", "x"), 0, "")
		wantErr(t, c.Declare("a:b", "y"), kernel.KindConflict, "tenancy.duplicate_permission")
	})
	t.Run("zero value catalog", func(t *testing.T) {
		t.Parallel()
		var c domain.Catalog
		wantErr(t, c.Declare("a:b", "x"), 0, "")
		if !c.Has("a:b") {
			t.Error("not declared")
		}
	})
}

func TestCatalogListSorted(t *testing.T) {
	t.Parallel()
	c := catalog(t)
	l := c.List()
	if len(l) != len(domain.Permissions)+4 {
		t.Fatalf("List has %d entries", len(l))
	}
	if !slices.IsSortedFunc(l, func(a, b domain.PermissionInfo) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	}) {
		t.Errorf("List not sorted: %v", l)
	}
	if l[0].Name != "members:invite" || l[0].Description == "" {
		t.Errorf("first = %+v", l[0])
	}
	l[0].Name = "mutated"
	if c.List()[0].Name != "members:invite" {
		t.Error("List aliases the catalog")
	}
}

func TestCatalogValidate(t *testing.T) {
	t.Parallel()
	c := catalog(t)
	tests := []struct {
		name    string
		perms   []string
		unknown int
	}{
		{"none", nil, 0},
		{"declared", []string{"members:read", "users:delete"}, 0},
		{"star", []string{"*"}, 0},
		{"resource wildcard", []string{"members:*", "users:*"}, 0},
		{"undeclared", []string{"members:read", "members:fly"}, 1},
		{"wildcard of unknown resource", []string{"widgets:*"}, 1},
		{"empty string", []string{""}, 1},
		{"bare resource", []string{"members"}, 1},
		{"double wildcard", []string{"*:*"}, 1},
		{"action wildcard", []string{"*:read"}, 1},
		{"upper case", []string{"Members:read"}, 1},
		{"several unknown", []string{"a:b", "members:read", "c:*", "**"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := c.Validate(tt.perms)
			if tt.unknown == 0 {
				wantErr(t, err, 0, "")
				return
			}
			wantErr(t, err, kernel.KindInvalid, "tenancy.unknown_permission")
			e := kernel.AsError(err)
			if len(e.Fields) != tt.unknown {
				t.Errorf("fields = %+v, want %d", e.Fields, tt.unknown)
			}
			for _, f := range e.Fields {
				if f.Field != "permissions" {
					t.Errorf("field %q", f.Field)
				}
			}
		})
	}
}

func TestCatalogConcurrent(t *testing.T) {
	t.Parallel()
	c := domain.NewCatalog()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			_ = c.Declare("r:"+string(rune('a'+i)), "x")
			_ = c.Validate([]string{"r:*"})
			_ = c.List()
		})
	}
	wg.Wait()
	if len(c.List()) != 8 {
		t.Errorf("List = %v", c.List())
	}
}

func TestCanGrant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		actor kernel.Grants
		perms []string
		ok    bool
	}{
		{"nothing to grant", nil, nil, true},
		{"held exactly", kernel.Grants{"members:read"}, []string{"members:read"}, true},
		{"not held", kernel.Grants{"members:read"}, []string{"members:invite"}, false},
		{"one of two not held", kernel.Grants{"members:read"}, []string{"members:read", "roles:read"}, false},
		{"resource wildcard covers specific", kernel.Grants{"members:*"}, []string{"members:invite", "members:remove"}, true},
		{"resource wildcard does not cover other resource", kernel.Grants{"members:*"}, []string{"roles:read"}, false},
		{"star covers specific", kernel.Grants{"*"}, []string{"users:delete"}, true},
		{"star covers resource wildcard", kernel.Grants{"*"}, []string{"users:*"}, true},
		{"star covers star", kernel.Grants{"*"}, []string{"*"}, true},
		{"resource wildcard grants itself", kernel.Grants{"members:*"}, []string{"members:*"}, true},
		{"all specifics do not grant wildcard", kernel.Grants{"members:read", "members:invite", "members:update", "members:remove"}, []string{"members:*"}, false},
		{"other wildcard does not grant wildcard", kernel.Grants{"roles:*"}, []string{"members:*"}, false},
		{"resource wildcards do not grant star", kernel.Grants{"members:*", "roles:*", "users:*", "organization:*"}, []string{"*"}, false},
		{"specific does not grant star", kernel.Grants{"members:read"}, []string{"*"}, false},
		{"empty actor", kernel.Grants{}, []string{"members:read"}, false},
		{"malformed never held", kernel.Grants{"*"}, []string{"members"}, false},
		{"empty string never held", kernel.Grants{"*"}, []string{""}, false},
		{"odd wildcard never held", kernel.Grants{"*"}, []string{"*:*"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := domain.CanGrant(tt.actor, tt.perms)
			if tt.ok {
				wantErr(t, err, 0, "")
			} else {
				wantErr(t, err, kernel.KindForbidden, "tenancy.escalation")
			}
		})
	}
}
