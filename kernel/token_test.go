package kernel_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
)

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		tok := newToken(t)
		s := tok.String()
		if len(s) != 43 || strings.ContainsAny(s, "+/=") {
			t.Fatalf("String() = %q", s)
		}
		if seen[s] {
			t.Fatalf("token %q repeated", s)
		}
		seen[s] = true
		back, ok := kernel.ParseToken(s)
		if !ok || back != tok || back.IsZero() {
			t.Fatalf("ParseToken(%q) = %v", s, ok)
		}
		h, ok := kernel.HashString(s)
		if !ok || h != tok.Hash() || !kernel.HashesEqual(h, tok.Hash()) {
			t.Fatal("HashString differs from Hash")
		}
	}
}

func TestTokenHashIsSHA256(t *testing.T) {
	t.Parallel()
	tok, ok := kernel.ParseToken(strings.Repeat("A", 43)) // 32 zero bytes
	if !ok {
		t.Fatal("ParseToken(all A) failed")
	}
	if !tok.IsZero() {
		t.Error("all-zero token is not IsZero")
	}
	if tok.Hash() != sha256.Sum256(make([]byte, 32)) {
		t.Error("Hash is not SHA-256 of the bytes")
	}
	if kernel.HashesEqual(tok.Hash(), newToken(t).Hash()) {
		t.Error("HashesEqual of different hashes")
	}
}

func TestParseTokenIsStrict(t *testing.T) {
	t.Parallel()
	good := newToken(t).String()
	bad := []struct{ name, in string }{
		{"empty", ""},
		{"42 chars", good[:42]},
		{"44 chars", good + "A"},
		{"padded", good + "="},
		{"std alphabet +", "+" + good[1:]},
		{"std alphabet /", "/" + good[1:]},
		{"line break inside", good[:20] + "\n" + good[21:]},
		{"CR inside", good[:20] + "\r" + good[21:]},
		{"space", " " + good[1:]},
		{"non-canonical last char", strings.Repeat("A", 42) + "B"},
		{"unicode", "é" + good[2:]},
		{"dot", "." + good[1:]},
	}
	for _, tt := range bad {
		if _, ok := kernel.ParseToken(tt.in); ok {
			t.Errorf("%s: ParseToken(%q) accepted", tt.name, tt.in)
		}
		if _, ok := kernel.HashString(tt.in); ok {
			t.Errorf("%s: HashString(%q) accepted", tt.name, tt.in)
		}
	}
}

func TestTokenDoesNotLeakThroughFormatting(t *testing.T) {
	t.Parallel()
	tok := newToken(t)
	secret := tok.String()
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("issued", "token", tok)
	outs := []string{
		fmt.Sprint(tok), fmt.Sprintf("%v %s %q %#v %+v %x", tok, tok, tok, tok, tok, tok),
		fmt.Sprintf("%v", struct{ T kernel.Token }{tok}), buf.String(),
	}
	for _, out := range outs {
		if strings.Contains(out, secret) || !strings.Contains(out, "REDACTED") {
			t.Errorf("formatted token: %q", out)
		}
	}
}

func newToken(t *testing.T) kernel.Token {
	t.Helper()
	tok, err := kernel.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
