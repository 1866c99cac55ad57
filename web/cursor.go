package web

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// EncodeCursor is the opaque cursor of a page that ends at id: what list
// answers carry as nextCursor. Clients pass it back; they do not read it.
func EncodeCursor[K kernel.Kind](id kernel.ID[K]) string {
	if id.IsZero() {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(id.String()))
}

// DecodeCursor reads a cursor EncodeCursor made: the zero ID for "", ok
// false for anything this API did not hand out (answer it with the
// module's invalid-cursor problem on field query.cursor).
func DecodeCursor[K kernel.Kind](s string) (id kernel.ID[K], ok bool) {
	if s == "" {
		return kernel.ID[K]{}, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return kernel.ID[K]{}, false
	}
	id, err = kernel.ParseID[K](string(raw))
	return id, err == nil
}

// EncodeTimeCursor is the opaque cursor of a page ordered by a time and
// then an ID (newest first, say) that ends at (at, id).
func EncodeTimeCursor[K kernel.Kind](at time.Time, id kernel.ID[K]) string {
	s := at.UTC().Format(time.RFC3339Nano) + "|" + id.String()
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// DecodeTimeCursor reads a cursor EncodeTimeCursor made: ok with a zero
// ID for "", ok false for anything this API did not hand out.
func DecodeTimeCursor[K kernel.Kind](s string) (at time.Time, id kernel.ID[K], ok bool) {
	if s == "" {
		return time.Time{}, kernel.ID[K]{}, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, kernel.ID[K]{}, false
	}
	ts, rest, found := strings.Cut(string(raw), "|")
	if !found {
		return time.Time{}, kernel.ID[K]{}, false
	}
	at, err = time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, kernel.ID[K]{}, false
	}
	if id, err = kernel.ParseID[K](rest); err != nil {
		return time.Time{}, kernel.ID[K]{}, false
	}
	return at.UTC(), id, true
}
