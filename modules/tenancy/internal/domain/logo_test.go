package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

func TestParseLogoURL(t *testing.T) {
	t.Parallel()
	long := "https://cdn.example.com/" + strings.Repeat("a", domain.MaxLogoURLLength-len("https://cdn.example.com/"))
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"empty is none", "", "", true},
		{"blank is none", "  ", "", true},
		{"https", "https://cdn.example.com/logos/a.png", "https://cdn.example.com/logos/a.png", true},
		{"http with port and query", "http://localhost:8080/files/a.webp?v=2", "http://localhost:8080/files/a.webp?v=2", true},
		{"trimmed", " https://cdn.example.com/a.png\n", "https://cdn.example.com/a.png", true},
		{"kept as given", "https://CDN.example.com/a%20b.png", "https://CDN.example.com/a%20b.png", true},
		{"2048 bytes", long, long, true},
		{"2049 bytes", long + "a", "", false},
		{"javascript", "javascript:alert(1)", "", false},
		{"data", "data:image/png;base64,AAAA", "", false},
		{"relative", "/logos/a.png", "", false},
		{"no scheme", "cdn.example.com/a.png", "", false},
		{"ftp", "ftp://cdn.example.com/a.png", "", false},
		{"no host", "https:///a.png", "", false},
		{"port only", "https://:443/a.png", "", false},
		{"opaque", "https:cdn.example.com/a.png", "", false},
		{"credentials", "https://user:pass@cdn.example.com/a.png", "", false},
		{"space inside", "https://cdn.example.com/a b.png", "", false},
		{"control inside", "https://cdn.example.com/a\x00.png", "", false},
		{"invalid utf8", "https://cdn.example.com/\xff.png", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, err := domain.ParseLogoURL(tt.in)
			if !tt.ok {
				wantErr(t, err, kernel.KindInvalid, "tenancy.invalid_logo")
				wantField(t, err, "logo")
				return
			}
			wantErr(t, err, 0, "")
			if l.String() != tt.want || l.IsZero() != (tt.want == "") {
				t.Errorf("ParseLogoURL(%q) = %q (zero %v), want %q", tt.in, l, l.IsZero(), tt.want)
			}
		})
	}
}

func TestOrganizationChangeLogo(t *testing.T) {
	t.Parallel()
	o, _ := domain.NewOrganization("Acme", "acme", t0)
	if !o.Logo().IsZero() {
		t.Fatalf("new organization's logo = %q", o.Logo())
	}
	const url = "https://cdn.example.com/a.png"
	t1, t2, t3 := t0.Add(1), t0.Add(2), t0.Add(3)
	tests := []struct {
		name    string
		to      string
		at      time.Time
		changed bool
		code    string
		want    string
		updated time.Time
	}{
		{"clear when none", "", t1, false, "", "", t0},
		{"set", url, t1, true, "", url, t1},
		{"same again", " " + url + " ", t2, false, "", url, t1},
		{"invalid keeps it", "javascript:alert(1)", t2, false, "tenancy.invalid_logo", url, t1},
		{"clear", "", t3, true, "", "", t3},
	}
	for _, tt := range tests { // sequential: they share o
		changed, err := o.ChangeLogo(tt.to, tt.at)
		if changed != tt.changed || kernel.CodeOf(err) != tt.code || o.Logo().String() != tt.want || !o.UpdatedAt().Equal(tt.updated) {
			t.Errorf("%s: changed=%v err=%v logo=%q updated=%v", tt.name, changed, err, o.Logo(), o.UpdatedAt())
		}
	}
	if _, err := o.ChangeLogo(url, t3); err != nil {
		t.Fatal(err)
	}
	if back := domain.RehydrateOrganization(o.Snapshot()); back.Snapshot() != o.Snapshot() || back.Logo().String() != url {
		t.Errorf("rehydrate = %+v", back.Snapshot())
	}
}
