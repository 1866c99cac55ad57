package httpapi

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// TestSessionBodyEncodesLikeEncodingJSON compares the hand encoding with
// encoding/json's on random sessions whose strings mix every ASCII byte,
// JSON and HTML escapes, line separators, invalid UTF-8 and multi-byte
// runes.
func TestSessionBodyEncodesLikeEncodingJSON(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"", "a", "Ana", `"`, `\`, "<script>", "&amp;", "\u2028", "\u2029", "\xff", "\xe2\x28\xa1", "ção", "日本", "😀", "\x7f"}
	for c := 0; c < 0x80; c++ {
		pieces = append(pieces, string(rune(c)))
	}
	str := func() string {
		var s string
		for n := rng.IntN(6); n > 0; n-- {
			s += pieces[rng.IntN(len(pieces))]
		}
		return s
	}
	ptr := func() *string {
		if rng.IntN(3) == 0 {
			return nil
		}
		s := str()
		return &s
	}
	at := func() Time {
		return Time{time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).In(time.FixedZone("X", 3600*rng.IntN(12)))}
	}
	for range 5000 {
		b := &sessionBody{
			Session: Session{ID: str(), UserID: str(), Token: str(), ExpiresAt: at(), CreatedAt: at(), UpdatedAt: at(),
				IPAddress: ptr(), UserAgent: ptr(), ImpersonatedBy: ptr()},
			User: User{ID: str(), Email: str(), EmailVerified: rng.IntN(2) == 0, Name: str(), Image: ptr(),
				CreatedAt: at(), UpdatedAt: at(), Username: ptr(), Locale: ptr(), Active: rng.IntN(2) == 0},
		}
		want, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.appendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("hand encoding differs:\n got %s\nwant %s", got, want)
		}
	}
}
