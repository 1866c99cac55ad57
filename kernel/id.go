package kernel

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Kind names the sort of thing an ID identifies. Its Prefix is the short,
// stable tag written before the underscore ("usr" in "usr_01j…").
type Kind interface {
	Prefix() string
}

// ID is an identifier of kind K: a UUIDv7 written as the kind's prefix, an
// underscore and 26 lower-case Crockford base32 characters, so IDs sort by
// creation time both as values and as text. The zero ID is "not set".
type ID[K Kind] struct {
	u [16]byte
}

// NewID returns a fresh, time-ordered ID of kind K.
func NewID[K Kind]() ID[K] {
	return ID[K]{u: newUUIDv7()}
}

// ParseID parses s as an ID of kind K. It returns an Invalid error with code
// "kernel.invalid_id" when the prefix is not K's or the body is malformed.
func ParseID[K Kind](s string) (ID[K], error) {
	var k K
	prefix := k.Prefix()
	body, ok := strings.CutPrefix(s, prefix+"_")
	if !ok || len(body) != encodedLen {
		return ID[K]{}, invalidID(prefix, s)
	}
	u, ok := decodeBase32(body)
	if !ok || u == [16]byte{} {
		return ID[K]{}, invalidID(prefix, s)
	}
	return ID[K]{u: u}, nil
}

// ParseIDOr is ParseID for an ID that names a resource, as in a request's
// path: a malformed one names nothing, so it answers notFound, the same as
// an unknown ID or another organization's.
func ParseIDOr[K Kind](s string, notFound error) (ID[K], error) {
	id, err := ParseID[K](s)
	if err != nil {
		return ID[K]{}, notFound
	}
	return id, nil
}

// MustParseID is ParseID that panics; for constants in tests and examples.
func MustParseID[K Kind](s string) ID[K] {
	id, err := ParseID[K](s)
	if err != nil {
		panic(err)
	}
	return id
}

func invalidID(prefix, s string) error {
	return Invalid("kernel.invalid_id", fmt.Sprintf("%q is not a valid %s ID", truncate(s, 64), prefix))
}

// IsZero reports whether id is the zero ID.
func (id ID[K]) IsZero() bool { return id.u == [16]byte{} }

// UUID returns the 16 bytes of the underlying UUIDv7.
func (id ID[K]) UUID() [16]byte { return id.u }

// Time returns the creation time embedded in the UUIDv7, to the millisecond.
func (id ID[K]) Time() time.Time {
	ms := int64(binary.BigEndian.Uint64(append([]byte{0, 0}, id.u[:6]...)))
	return time.UnixMilli(ms).UTC()
}

// String returns the prefixed text form, or "" for the zero ID.
func (id ID[K]) String() string {
	if id.IsZero() {
		return ""
	}
	var k K
	return k.Prefix() + "_" + encodeBase32(id.u)
}

// MarshalText implements encoding.TextMarshaler.
func (id ID[K]) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text is the zero ID.
func (id *ID[K]) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = ID[K]{}
		return nil
	}
	parsed, err := ParseID[K](string(b))
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// Value implements driver.Valuer: the text form, or NULL for the zero ID.
func (id ID[K]) Value() (driver.Value, error) {
	if id.IsZero() {
		return nil, nil
	}
	return id.String(), nil
}

// Scan implements sql.Scanner for text columns; NULL scans to the zero ID.
func (id *ID[K]) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*id = ID[K]{}
		return nil
	case string:
		return id.UnmarshalText([]byte(v))
	case []byte:
		return id.UnmarshalText(v)
	default:
		return fmt.Errorf("scan ID: unsupported type %T", src)
	}
}

// The kinds shared across modules. Modules declare their own for the rest.
type (
	UserKind         struct{}
	OrganizationKind struct{}
	SessionKind      struct{}
)

func (UserKind) Prefix() string         { return "usr" }
func (OrganizationKind) Prefix() string { return "org" }
func (SessionKind) Prefix() string      { return "ses" }

// UserID identifies a user.
type UserID = ID[UserKind]

// OrganizationID identifies an organization.
type OrganizationID = ID[OrganizationKind]

// SessionID identifies a sign-in session.
type SessionID = ID[SessionKind]

// UUIDv7 generation keeps a monotonic counter within a millisecond (RFC 9562
// §6.2, method 3: the 12-bit rand_a field as a counter seeded randomly), so
// IDs minted by one process are strictly increasing.
var uuidState struct {
	sync.Mutex
	lastMS  int64
	counter uint16
}

func newUUIDv7() [16]byte {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic("kernel: crypto/rand failed: " + err.Error())
	}
	uuidState.Lock()
	ms := time.Now().UnixMilli()
	if ms <= uuidState.lastMS {
		ms = uuidState.lastMS
		uuidState.counter++
		if uuidState.counter > 0x0fff {
			ms++
			uuidState.counter = uint16(u[6]&0x01)<<8 | uint16(u[7])
		}
	} else {
		uuidState.counter = uint16(u[6]&0x01)<<8 | uint16(u[7]) // leave headroom
	}
	uuidState.lastMS = ms
	counter := uuidState.counter
	uuidState.Unlock()

	u[0] = byte(ms >> 40)
	u[1] = byte(ms >> 32)
	u[2] = byte(ms >> 24)
	u[3] = byte(ms >> 16)
	u[4] = byte(ms >> 8)
	u[5] = byte(ms)
	u[6] = 0x70 | byte(counter>>8)&0x0f
	u[7] = byte(counter)
	u[8] = u[8]&0x3f | 0x80
	return u
}

const (
	crockford  = "0123456789abcdefghjkmnpqrstvwxyz"
	encodedLen = 26
)

// encodeBase32 writes 128 bits as 26 Crockford characters, the first holding
// only the top 3 bits (as TypeID does), so the text sorts like the bytes.
func encodeBase32(u [16]byte) string {
	hi := binary.BigEndian.Uint64(u[:8])
	lo := binary.BigEndian.Uint64(u[8:])
	var out [encodedLen]byte
	for i := encodedLen - 1; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

func decodeBase32(s string) ([16]byte, bool) {
	var hi, lo uint64
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(crockford, s[i])
		if v < 0 || (i == 0 && v > 7) {
			return [16]byte{}, false
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | uint64(v)
	}
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], hi)
	binary.BigEndian.PutUint64(u[8:], lo)
	return u, true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
