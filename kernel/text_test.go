package kernel_test

import (
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
)

func TestHasUnsafeText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"Ana", "José Ñúñez", "👩\u200d💻 dev", "می\u200cخواهم", "क्\u200dष", "名前", ""} {
		if kernel.HasUnsafeText(s) {
			t.Errorf("HasUnsafeText(%q) = true", s)
		}
	}
	for _, s := range []string{
		"a\x00", "a\nb", "a\x7f", "a\u0085b", "a\u2028b", "a\u2029b", // control, separators
		"Ana\u202egnp.exe", "a\u2066b\u2069", "a\u200eb", "a\u061cb", // bidi
		"a\u200bb", "a\u00adb", "\ufeffa", "a\u2060b", // zero-width, soft hyphen, BOM, word joiner
		"\u200da", "a\u200d", "a \u200d b", "a\u200d\u200db", "a\u200c", // joiners not between visible characters
	} {
		if !kernel.HasUnsafeText(s) {
			t.Errorf("HasUnsafeText(%q) = false", s)
		}
	}
}

func TestPageLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ limit, want int }{{0, 50}, {-3, 50}, {1, 1}, {200, 200}, {201, 200}} {
		if got := kernel.PageLimit(tt.limit, 50, 200); got != tt.want {
			t.Errorf("PageLimit(%d) = %d, want %d", tt.limit, got, tt.want)
		}
	}
}
