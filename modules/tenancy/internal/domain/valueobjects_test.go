package domain_test

import (
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

func TestParseSlug(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"acme", "acme", true},
		{"  Acme-Corp ", "acme-corp", true},
		{"abc", "abc", true},
		{"ab", "", false},
		{strings.Repeat("a", 48), strings.Repeat("a", 48), true},
		{strings.Repeat("a", 49), "", false},
		{"a1-b2-c3", "a1-b2-c3", true},
		{"-acme", "", false},
		{"acme-", "", false},
		{"ac--me", "", false},
		{"ac_me", "", false},
		{"ac me", "", false},
		{"acmé", "", false},
		{"\u212aelvin", "", false}, // Kelvin sign must not pass as "k"
		{"api", "", false},
		{"ADMIN", "", false},
		{"www", "", false},
		{"new", "", false},
		{"settings", "", false},
		{"news", "news", true},
		{"", "", false},
		{"123", "123", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			s, err := domain.ParseSlug(tt.in)
			if !tt.ok {
				wantErr(t, err, kernel.KindInvalid, "tenancy.invalid_slug")
				wantField(t, err, "slug")
				return
			}
			wantErr(t, err, 0, "")
			if s.String() != tt.want {
				t.Errorf("ParseSlug(%q) = %q, want %q", tt.in, s, tt.want)
			}
		})
	}
}

func TestParseOrgName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"plain", "Acme", "Acme", true},
		{"trimmed", "  Acme Corp \n", "Acme Corp", true},
		{"one rune", "A", "A", true},
		{"100 runes", strings.Repeat("é", 100), strings.Repeat("é", 100), true},
		{"101 runes", strings.Repeat("é", 101), "", false},
		{"empty", "", "", false},
		{"blank", "   ", "", false},
		{"control inside", "Ac\x00me", "", false},
		{"bidi override", "Acme\u202eoC", "", false},
		{"zero-width space", "Ac\u200bme", "", false},
		{"line separator", "Ac\u2028me", "", false},
		{"tab inside", "Ac\tme", "", false},
		{"invalid utf8", "Ac\xffme", "", false},
		{"emoji", "Acme 🚀", "Acme 🚀", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, err := domain.ParseOrgName(tt.in)
			if !tt.ok {
				wantErr(t, err, kernel.KindInvalid, "tenancy.invalid_name")
				wantField(t, err, "name")
				return
			}
			wantErr(t, err, 0, "")
			if n.String() != tt.want {
				t.Errorf("got %q, want %q", n, tt.want)
			}
		})
	}
}

// long254 is a 254-character address of labels within 63 characters.
var long254 = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 62) + "." + strings.Repeat("c", 62) + "." + strings.Repeat("d", 60) + ".io"

func TestParseEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{" Ana@Example.COM ", "ana@example.com", true},
		{"a.b+c@x.io", "a.b+c@x.io", true},
		{"", "", false},
		{"ana", "", false},
		{"@x.io", "", false},
		{"ana@", "", false},
		{"ana@localhost", "ana@localhost", true}, // accounts may have it, so invitations may
		{"ana@[127.0.0.1]", "", false},           // accounts may not, so invitations may not
		{"ana@@x.io", "", false},
		{"ana@x..io", "", false},
		{"Ana <ana@x.io>", "", false},
		{"anä@x.io", "", false},
		{long254, long254, true},
		{long254[:64] + "x" + long254[64:], "", false}, // 255
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			e, err := domain.ParseEmail(tt.in)
			if !tt.ok {
				wantErr(t, err, kernel.KindInvalid, "tenancy.invalid_email")
				wantField(t, err, "email")
				return
			}
			wantErr(t, err, 0, "")
			if e.String() != tt.want {
				t.Errorf("got %q, want %q", e, tt.want)
			}
		})
	}
}

func TestSlugFrom(t *testing.T) {
	for name, want := range map[string]string{
		"Acme Inc.":               "acme-inc",
		"  Über   Co  ":           "ber-co",
		"ÅÄÖ":                     "",
		"a--b__c":                 "a-b-c",
		strings.Repeat("ab ", 40): strings.TrimRight(strings.Repeat("ab-", 16), "-"),
	} {
		if got := domain.SlugFrom(name); got != want {
			t.Errorf("SlugFrom(%q) = %q, want %q", name, got, want)
		}
		if got := domain.SlugFrom(name); len(got) > domain.MaxSlugLength {
			t.Errorf("SlugFrom(%q) is %d long", name, len(got))
		}
	}
}
