package kernel_test

import (
	"bytes"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// Interface guards: IDs go straight into database/sql and encoding/json.
var (
	_ driver.Valuer = kernel.UserID{}
	_ sql.Scanner   = (*kernel.UserID)(nil)
)

// widgetKind is a kind declared outside the kernel, as modules do.
type widgetKind struct{}

func (widgetKind) Prefix() string { return "wdg" }

// usKind's prefix is a prefix of UserKind's, to catch sloppy prefix matching.
type usKind struct{}

func (usKind) Prefix() string { return "us" }

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

func TestNewIDFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		s      string
		prefix string
	}{
		{"user", kernel.NewID[kernel.UserKind]().String(), "usr_"},
		{"organization", kernel.NewID[kernel.OrganizationKind]().String(), "org_"},
		{"session", kernel.NewID[kernel.SessionKind]().String(), "ses_"},
		{"module kind", kernel.NewID[widgetKind]().String(), "wdg_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body, ok := strings.CutPrefix(tt.s, tt.prefix)
			if !ok {
				t.Fatalf("%q does not start with %q", tt.s, tt.prefix)
			}
			if len(body) != 26 {
				t.Errorf("body %q has %d characters, want 26", body, len(body))
			}
			for i, r := range body {
				if !strings.ContainsRune(crockford, r) {
					t.Errorf("body %q has %q at %d, not lower-case Crockford base32", body, r, i)
				}
			}
			if body[0] > '7' {
				t.Errorf("body %q starts above '7'", body)
			}
		})
	}
}

func TestNewIDIsUUIDv7(t *testing.T) {
	t.Parallel()
	u := kernel.NewID[kernel.UserKind]().UUID()
	if v := u[6] >> 4; v != 7 {
		t.Errorf("version = %d, want 7 (uuid %x)", v, u)
	}
	if variant := u[8] >> 6; variant != 0b10 {
		t.Errorf("variant bits = %02b, want 10 (uuid %x)", variant, u)
	}
}

func TestIDRoundTrip(t *testing.T) {
	t.Parallel()
	id := kernel.NewID[kernel.UserKind]()
	if id.IsZero() {
		t.Fatal("NewID returned the zero ID")
	}

	parsed, err := kernel.ParseID[kernel.UserKind](id.String())
	if err != nil || parsed != id {
		t.Errorf("ParseID(%q) = %v, %v; want %v", id.String(), parsed, err, id)
	}
	if got := kernel.MustParseID[kernel.UserKind](id.String()); got != id {
		t.Errorf("MustParseID(%q) = %v", id.String(), got)
	}

	text, err := id.MarshalText()
	if err != nil || string(text) != id.String() {
		t.Errorf("MarshalText = %q, %v; want %q", text, err, id.String())
	}
	var fromText kernel.UserID
	if err := fromText.UnmarshalText(text); err != nil || fromText != id {
		t.Errorf("UnmarshalText(%q) = %v, %v; want %v", text, fromText, err, id)
	}
}

func TestIDJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		User   kernel.UserID         `json:"user"`
		Org    kernel.OrganizationID `json:"org"`
		Absent kernel.SessionID      `json:"absent,omitzero"`
	}
	in := doc{User: kernel.NewID[kernel.UserKind](), Org: kernel.NewID[kernel.OrganizationKind]()}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}

	var fields map[string]any
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	if fields["user"] != in.User.String() {
		t.Errorf("user = %#v, want %q", fields["user"], in.User.String())
	}
	if fields["org"] != in.Org.String() {
		t.Errorf("org = %#v, want %q", fields["org"], in.Org.String())
	}
	if _, ok := fields["absent"]; ok {
		t.Errorf("omitzero kept the zero ID: %s", b)
	}

	var out doc
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if out != in {
		t.Errorf("round trip = %+v, want %+v", out, in)
	}

	// The zero ID is "" in JSON, and "" decodes to the zero ID.
	var zero struct {
		User kernel.UserID `json:"user"`
	}
	if b, _ := json.Marshal(zero); string(b) != `{"user":""}` {
		t.Errorf("zero ID marshals as %s", b)
	}
	zero.User = in.User
	if err := json.Unmarshal([]byte(`{"user":""}`), &zero); err != nil || !zero.User.IsZero() {
		t.Errorf(`Unmarshal({"user":""}) = %v, %v; want the zero ID`, zero.User, err)
	}

	// Another kind's ID is rejected with the kernel's Invalid error.
	var wrong struct {
		User kernel.UserID `json:"user"`
	}
	err = json.Unmarshal([]byte(`{"user":"`+in.Org.String()+`"}`), &wrong)
	if kernel.CodeOf(err) != "kernel.invalid_id" || kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("Unmarshal of an org ID into a user ID: %v (code %q)", err, kernel.CodeOf(err))
	}
}

func TestIDSQL(t *testing.T) {
	t.Parallel()
	id := kernel.NewID[kernel.UserKind]()

	v, err := id.Value()
	if err != nil || v != id.String() {
		t.Errorf("Value() = %#v, %v; want %q", v, err, id.String())
	}

	tests := []struct {
		name    string
		src     any
		want    kernel.UserID
		wantErr bool
	}{
		{"string", id.String(), id, false},
		{"bytes", []byte(id.String()), id, false},
		{"NULL", nil, kernel.UserID{}, false},
		{"empty string", "", kernel.UserID{}, false},
		{"malformed", "usr_nope", kernel.UserID{}, true},
		{"other kind", kernel.NewID[kernel.OrganizationKind]().String(), kernel.UserID{}, true},
		{"integer", int64(42), kernel.UserID{}, true},
		{"time", time.Now(), kernel.UserID{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := kernel.NewID[kernel.UserKind]() // Scan must overwrite it
			err := got.Scan(tt.src)
			if tt.wantErr {
				if err == nil {
					t.Errorf("Scan(%#v) = %v, want an error", tt.src, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("Scan(%#v) = %v, %v; want %v", tt.src, got, err, tt.want)
			}
		})
	}
}

func TestZeroID(t *testing.T) {
	t.Parallel()
	var id kernel.UserID
	if !id.IsZero() {
		t.Error("zero ID is not IsZero")
	}
	if s := id.String(); s != "" {
		t.Errorf("String() = %q, want empty", s)
	}
	if v, err := id.Value(); v != nil || err != nil {
		t.Errorf("Value() = %#v, %v; want nil, nil", v, err)
	}
	if text, err := id.MarshalText(); len(text) != 0 || err != nil {
		t.Errorf("MarshalText() = %q, %v; want empty", text, err)
	}
}

func TestParseIDRejects(t *testing.T) {
	t.Parallel()
	valid := kernel.NewID[kernel.UserKind]().String()
	body := strings.TrimPrefix(valid, "usr_")
	tests := []struct {
		name string
		s    string
	}{
		{"empty", ""},
		{"prefix only", "usr_"},
		{"no underscore", "usr" + body},
		{"wrong prefix", "org_" + body},
		{"upper-case prefix", "USR_" + body},
		{"other kind's ID", kernel.NewID[kernel.OrganizationKind]().String()},
		{"session ID", kernel.NewID[kernel.SessionKind]().String()},
		{"too short", valid[:len(valid)-1]},
		{"too long", valid + "0"},
		{"way too long", valid + strings.Repeat("0", 500)},
		{"first char 8", "usr_8" + body[1:]},
		{"first char z", "usr_z" + body[1:]},
		{"letter i (not Crockford)", "usr_" + body[:10] + "i" + body[11:]},
		{"letter l (not Crockford)", "usr_" + body[:10] + "l" + body[11:]},
		{"letter o (not Crockford)", "usr_" + body[:10] + "o" + body[11:]},
		{"letter u (not Crockford)", "usr_" + body[:10] + "u" + body[11:]},
		{"upper case body", "usr_" + strings.ToUpper(body)},
		{"hyphen", "usr_" + body[:10] + "-" + body[11:]},
		{"space", " " + valid},
		{"non-ASCII", "usr_" + body[:24] + "é"},
		{"UUID text", "usr_0190a5e2-7c3b-7def-8123-456789abcdef"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, err := kernel.ParseID[kernel.UserKind](tt.s)
			if err == nil {
				t.Fatalf("ParseID(%q) = %v, want an error", tt.s, id)
			}
			if !id.IsZero() {
				t.Errorf("ParseID(%q) returned non-zero %v with its error", tt.s, id)
			}
			e := kernel.AsError(err)
			if e == nil || e.Kind != kernel.KindInvalid || e.Code != "kernel.invalid_id" {
				t.Fatalf("ParseID(%q) error = %#v, want Invalid kernel.invalid_id", tt.s, err)
			}
			if len(e.Detail) > 120 {
				t.Errorf("detail is not truncated: %d bytes", len(e.Detail))
			}
		})
	}

	// A kind whose prefix is a prefix of another's does not accept it.
	if _, err := kernel.ParseID[usKind](valid); err == nil {
		t.Errorf("ParseID[us](%q) succeeded", valid)
	}
}

func TestParseIDRejectsZeroBody(t *testing.T) {
	t.Parallel()
	const s = "usr_00000000000000000000000000"
	if id, err := kernel.ParseID[kernel.UserKind](s); err == nil {
		t.Errorf("ParseID(%q) = %v (zero %v), nil; want an error: String() cannot give it back", s, id, id.IsZero())
	}
}

func TestMustParseIDPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("MustParseID of a bad ID did not panic")
		}
	}()
	kernel.MustParseID[kernel.UserKind]("usr_bad")
}

func TestIDsIncrease(t *testing.T) {
	t.Parallel()
	// Without -race, 10000 IDs usually take less time than a few
	// milliseconds, so the 12-bit per-millisecond counter overflows and its
	// rollover is exercised too.
	const n = 10000
	prev := kernel.NewID[kernel.UserKind]()
	for i := range n {
		id := kernel.NewID[kernel.UserKind]()
		if id.String() <= prev.String() {
			t.Fatalf("id %d: %s is not after %s as text", i, id, prev)
		}
		pu, u := prev.UUID(), id.UUID()
		if bytes.Compare(u[:], pu[:]) <= 0 {
			t.Fatalf("id %d: %x is not after %x as bytes", i, u, pu)
		}
		prev = id
	}
}

func TestIDsUniqueAcrossGoroutines(t *testing.T) {
	t.Parallel()
	const workers, each = 8, 1000
	var (
		mu   sync.Mutex
		seen = make(map[kernel.UserID]bool, workers*each)
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			ids := make([]kernel.UserID, each)
			for i := range ids {
				ids[i] = kernel.NewID[kernel.UserKind]()
			}
			mu.Lock()
			defer mu.Unlock()
			for _, id := range ids {
				if seen[id] {
					t.Errorf("duplicate ID %s", id)
				}
				seen[id] = true
			}
		})
	}
	wg.Wait()
}

func TestIDTime(t *testing.T) {
	t.Parallel()
	before := time.Now().Truncate(time.Millisecond)
	id := kernel.NewID[kernel.UserKind]()
	after := time.Now()

	got := id.Time()
	if got.Location() != time.UTC {
		t.Errorf("Time() is in %v, want UTC", got.Location())
	}
	// The counter may run a few milliseconds ahead under a burst of IDs from
	// other tests; a second is far more than that and far less than a bug.
	if got.Before(before) || got.After(after.Add(time.Second)) {
		t.Errorf("Time() = %v, want between %v and %v", got, before, after)
	}
	if got.Nanosecond()%int(time.Millisecond) != 0 {
		t.Errorf("Time() = %v has sub-millisecond digits", got)
	}
}

func TestParseIDOr(t *testing.T) {
	notFound := kernel.NotFound("x.not_found", "No such thing.")
	id := kernel.NewID[kernel.UserKind]()
	if got, err := kernel.ParseIDOr[kernel.UserKind](id.String(), notFound); err != nil || got != id {
		t.Errorf("ParseIDOr(valid) = %v, %v; want %v", got, err, id)
	}
	for _, s := range []string{"", "usr_", "org_" + id.String()[4:], id.String() + "x"} {
		if got, err := kernel.ParseIDOr[kernel.UserKind](s, notFound); err != notFound || !got.IsZero() {
			t.Errorf("ParseIDOr(%q) = %v, %v; want the zero ID and notFound", s, got, err)
		}
	}
}
