package web_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/web"
)

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quote " and \ backslash`, "<script>&amp;</script>", "tab\tnew\nline\rcr\bback\fform",
		"\x00\x01\x1f ctl", "ünïcödé ✓ 😀", "line\u2028sep\u2029para", "bad \xff utf8 \xc3", "end\xe2\x82",
	} {
		want, _ := json.Marshal(s)
		if got := web.AppendJSONString(nil, s); string(got) != string(want) {
			t.Errorf("AppendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
	for _, tm := range []time.Time{
		time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 15, 9, 0, 0, 123456000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 1, time.FixedZone("x", 3600)),
	} {
		want, _ := json.Marshal(tm)
		if got := web.AppendJSONTime(nil, tm); string(got) != string(want) {
			t.Errorf("AppendJSONTime(%v) = %s, want %s", tm, got, want)
		}
	}
}
