package kernel_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
)

func TestParseEmail(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 62) + "." + strings.Repeat("c", 62) + "." + strings.Repeat("d", 60) + ".io"
	for _, tt := range []struct{ in, want string }{
		{" Ana@Example.COM ", "ana@example.com"},
		{"a.b+c@x.io", "a.b+c@x.io"},
		{"o'brien@x.io", "o'brien@x.io"},
		{"ana@localhost", "ana@localhost"},
		{"ana@xn--bcher-kva.example", "ana@xn--bcher-kva.example"},
		{long, long},
		{"", ""},
		{"ana", ""},
		{"@x.io", ""},
		{"ana@", ""},
		{"ana@@x.io", ""},
		{"ana@x..io", ""},
		{".ana@x.io", ""},
		{"ana.@x.io", ""},
		{"an..a@x.io", ""},
		{"ana@-x.io", ""},
		{"ana@x-.io", ""},
		{"ana@[127.0.0.1]", ""},
		{"ana@127.0.0.1", ""},
		{"ana@x.123", ""},
		{`"ana"@x.io`, ""},
		{"ana b@x.io", ""},
		{"Ana <ana@x.io>", ""},
		{"ana@x.io (comment)", ""},
		{"anä@x.io", ""},
		{"ana@bücher.example", ""},
		{strings.Repeat("a", 65) + "@x.io", ""},
		{"ana@" + strings.Repeat("b", 64) + ".io", ""},
		{long[:64] + "x" + long[64:], ""},
	} {
		e, err := kernel.ParseEmail(tt.in)
		if tt.want == "" {
			var ee *kernel.EmailError
			if !errors.As(err, &ee) || ee.Reason == "" || !e.IsZero() {
				t.Errorf("ParseEmail(%q) = %q, %v; want an EmailError", tt.in, e, err)
			}
			continue
		}
		if err != nil || e.String() != tt.want {
			t.Errorf("ParseEmail(%q) = %q, %v; want %q", tt.in, e, err, tt.want)
		}
	}
	e, _ := kernel.ParseEmail("ana@x.io")
	if !e.Matches(" ANA@x.io ") || e.Matches("ana@y.io") || (kernel.Email{}).Matches("") || e.Domain() != "x.io" {
		t.Error("Matches or Domain")
	}
}

func TestIsDotAtom(t *testing.T) {
	for s, want := range map[string]bool{
		"ana": true, "Ana.Lopez": true, "a+tag": true, "o'neil": true, "x_y-z=1": true, "{ok}": true,
		"": false, ".ana": false, "ana.": false, "a..b": false, "a b": false, `"ana"`: false, "a@b": false, "añа": false,
	} {
		if got := kernel.IsDotAtom(s); got != want {
			t.Errorf("IsDotAtom(%q) = %v, want %v", s, got, want)
		}
	}
}
