package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// checkFieldError asserts err is the Invalid error a value object returns:
// code "iam.invalid_<field>" and one field error on field.
func checkFieldError(t *testing.T, err error, field string) {
	t.Helper()
	e := kernel.AsError(err)
	if e == nil {
		t.Fatalf("error %v is not a *kernel.Error", err)
	}
	if e.Kind != kernel.KindInvalid || e.Code != "iam.invalid_"+field {
		t.Errorf("kind %v code %q, want invalid iam.invalid_%s", e.Kind, e.Code, field)
	}
	if len(e.Fields) != 1 || e.Fields[0].Field != field || e.Fields[0].Code != "invalid_"+field || e.Fields[0].Message == "" {
		t.Errorf("fields = %+v, want one on %q with code invalid_%s", e.Fields, field, field)
	}
}

func TestParseEmail(t *testing.T) {
	t.Parallel()
	local64 := strings.Repeat("l", 64)
	domain189 := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 61)
	email254 := local64 + "@" + domain189
	email255 := local64 + "@" + domain189 + "c"
	if len(email254) != 254 || len(email255) != 255 {
		t.Fatalf("fixture lengths %d, %d", len(email254), len(email255))
	}
	good := []struct{ in, want string }{
		{"foo@example.com", "foo@example.com"},
		{"Foo@Example.COM", "foo@example.com"},
		{"  Ana.Silva+news@Sub.Example.co.uk \t\n", "ana.silva+news@sub.example.co.uk"},
		{"o'brien@example.ie", "o'brien@example.ie"},
		{"!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com"},
		{"root@localhost", "root@localhost"},
		{"user@xn--bcher-kva.example", "user@xn--bcher-kva.example"},
		{"x@a-b.io", "x@a-b.io"},
		{"x@123.example", "x@123.example"},
		{email254, email254},
		{" " + email254 + " ", email254},
		{local64 + "@example.com", local64 + "@example.com"},
	}
	for _, tt := range good {
		got, err := domain.ParseEmail(tt.in)
		if err != nil {
			t.Errorf("ParseEmail(%q) error %v", tt.in, err)
			continue
		}
		if got.String() != tt.want || got.IsZero() {
			t.Errorf("ParseEmail(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	bad := []string{
		"", "   ", "plain", "a@", "@b.com", "a@@b.com", "a@b@c.com",
		"Ana <a@b.co>", "<a@b.co>", "a@b.co (Ana)", "a b@c.com", `"a b"@c.com`, `"a"@b.com`,
		"a@b .com", ".a@b.com", "a.@b.com", "a..b@c.com",
		"a@-b.com", "a@b-.com", "a@b..com", "a@.b.com", "a@b.com.", "a@b_c.com",
		"a@[1.2.3.4]", "a@1.2.3.4", "a@b.123",
		"ü@example.com", "a@bücher.de", "\u212A@example.com", "a@exa\u200bmple.com",
		"a\x00@b.com", "a\r\n@b.com", "a,b@c.com", "a;b@c.com", `a\b@c.com`, "a(b)@c.com",
		local64 + "l@example.com",
		email255,
		"a@" + strings.Repeat("x", 64) + ".com",
	}
	for _, in := range bad {
		got, err := domain.ParseEmail(in)
		if err == nil {
			t.Errorf("ParseEmail(%q) = %q, want an error", in, got)
			continue
		}
		if !got.IsZero() {
			t.Errorf("ParseEmail(%q) returned %q with an error", in, got)
		}
		checkFieldError(t, err, "email")
	}
}

func TestEmailIsCaseInsensitiveIdentity(t *testing.T) {
	t.Parallel()
	a := domain.MustParseEmail("Foo@Example.COM")
	b := domain.MustParseEmail("foo@example.com")
	if a != b {
		t.Errorf("%q != %q", a, b)
	}
	if a.Domain() != "example.com" {
		t.Errorf("Domain() = %q", a.Domain())
	}
}

func TestParseUsername(t *testing.T) {
	t.Parallel()
	good := []struct{ in, want string }{
		{"abc", "abc"},
		{"ABC", "abc"},
		{"  Ana_B-1 ", "ana_b-1"},
		{"___", "___"},
		{"123", "123"},
		{strings.Repeat("z", 32), strings.Repeat("z", 32)},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range good {
		got, err := domain.ParseUsername(tt.in)
		if err != nil {
			t.Errorf("ParseUsername(%q) error %v", tt.in, err)
			continue
		}
		if got.String() != tt.want || got.IsZero() != (tt.want == "") {
			t.Errorf("ParseUsername(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	bad := []string{
		"ab", "a", strings.Repeat("z", 33), "a b", "ana.b", "ana@b", "ñandu", "\u212Aim",
		"ab\x00", "😀😀😀", "ab\nc", "a\tbc", "ab+c",
	}
	for _, in := range bad {
		if got, err := domain.ParseUsername(in); err == nil {
			t.Errorf("ParseUsername(%q) = %q, want an error", in, got)
		} else {
			checkFieldError(t, err, "username")
		}
	}
}

func TestParseLocale(t *testing.T) {
	t.Parallel()
	good := []struct{ in, want string }{
		{"en", "en"},
		{"EN", "en"},
		{"ast", "ast"},
		{" fr ", "fr"},
		{"pt-br", "pt-BR"},
		{"PT-BR", "pt-BR"},
		{"zh-hant-tw", "zh-Hant-TW"},
		{"ZH-HANT", "zh-Hant"},
		{"sr-Latn-RS", "sr-Latn-RS"},
		{"es-419", "es-419"},
		{"de-CH-1901", "de-CH-1901"},
		{"sl-rozaj-biske", "sl-rozaj-biske"},
		{"en-US-POSIX", "en-US-posix"},
		{"", ""},
	}
	for _, tt := range good {
		got, err := domain.ParseLocale(tt.in)
		if err != nil {
			t.Errorf("ParseLocale(%q) error %v", tt.in, err)
			continue
		}
		if got.String() != tt.want || got.IsZero() != (tt.want == "") {
			t.Errorf("ParseLocale(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if l, _ := domain.ParseLocale("pt-BR"); l.Language() != "pt" {
		t.Errorf("Language() = %q", l.Language())
	}
	bad := []string{
		"e", "engl", "english", "pt_BR", "pt-", "-pt", "pt--BR", "pt-BRA", "pt-B",
		"en-US-u-ca-gregory", "x-private", "en-x-foo", "i-klingon", "zh-Hant-Hans",
		"de-1901-1901", "es-41", "es-41a", "en-ü", "ü", "1en", "en US", "en-US\n-x",
		"en" + strings.Repeat("-abcdefgh", 8),
	}
	for _, in := range bad {
		if got, err := domain.ParseLocale(in); err == nil {
			t.Errorf("ParseLocale(%q) = %q, want an error", in, got)
		} else {
			checkFieldError(t, err, "locale")
		}
	}
}

func TestParseDisplayName(t *testing.T) {
	t.Parallel()
	good := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"  Ana Silva  ", "Ana Silva"},
		{"José 😀", "José 😀"},
		{"漢字 かな", "漢字 かな"},
		{"👩‍💻 dev", "👩‍💻 dev"},
		{strings.Repeat("é", 100), strings.Repeat("é", 100)},
	}
	for _, tt := range good {
		got, err := domain.ParseDisplayName(tt.in)
		if err != nil {
			t.Errorf("ParseDisplayName(%q) error %v", tt.in, err)
			continue
		}
		if got.String() != tt.want || got.IsZero() != (tt.want == "") {
			t.Errorf("ParseDisplayName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	bad := []string{
		strings.Repeat("é", 101), strings.Repeat("a", 101), "a\nb", "a\tb", "a\u2028b", "a\u2029b",
		"\xff", "a\x00", "a\x7fb", "a\u0085b",
		"Ana\u202egnp.exe", "a\u200bb", "a\u2066b\u2069", "a\u00adb", "a\ufeffb", "a\u061cb",
	}
	for _, in := range bad {
		if got, err := domain.ParseDisplayName(in); err == nil {
			t.Errorf("ParseDisplayName(%q) = %q, want an error", in, got)
		} else {
			checkFieldError(t, err, "name")
		}
	}
}

func TestParseImageURL(t *testing.T) {
	t.Parallel()
	long := "https://cdn.example.com/" + strings.Repeat("a", domain.MaxImageURLLength-len("https://cdn.example.com/"))
	good := []struct{ in, want string }{
		{"", ""},
		{"https://cdn.example.com/avatars/usr_1-abcdef.png", "https://cdn.example.com/avatars/usr_1-abcdef.png"},
		{" http://localhost:8080/uploads/a.png ", "http://localhost:8080/uploads/a.png"},
		{"HTTPS://Example.COM/a.png?size=64#x", "HTTPS://Example.COM/a.png?size=64#x"},
		{"https://[::1]:8443/a.png", "https://[::1]:8443/a.png"},
		{"https://example.com/café.png", "https://example.com/café.png"},
		{long, long},
	}
	for _, tt := range good {
		got, err := domain.ParseImageURL(tt.in)
		if err != nil {
			t.Errorf("ParseImageURL(%q) error %v", tt.in, err)
			continue
		}
		if got.String() != tt.want || got.IsZero() != (tt.want == "") {
			t.Errorf("ParseImageURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	bad := []string{
		long + "a", "ftp://example.com/a.png", "/relative.png", "example.com/a.png", "//example.com/a.png",
		"data:image/png;base64,iVBORw0KGgo=", "javascript:alert(1)", "https://", "https:///a.png",
		"https:example.com", "https://user:pw@example.com/a.png", "https://user@example.com/a.png",
		"https://example.com/a b.png", "https://exa mple.com/", "https://example.com/a\nb", "https://example.com/\x00",
		"https://example.com/\xff", "https://example.com:port/",
	}
	for _, in := range bad {
		if got, err := domain.ParseImageURL(in); err == nil {
			t.Errorf("ParseImageURL(%q) = %q, want an error", in, got)
		} else {
			checkFieldError(t, err, "image")
		}
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", domain.ErrPasswordTooShort},
		{"7", "1234567", domain.ErrPasswordTooShort},
		{"8", "12345678", nil},
		{"8 spaces count", "        ", nil},
		{"7 runes in 14 bytes", strings.Repeat("é", 7), domain.ErrPasswordTooShort},
		{"8 runes", strings.Repeat("é", 8), nil},
		{"128", strings.Repeat("p", 128), nil},
		{"128 runes in 512 bytes", strings.Repeat("😀", 128), nil},
		{"129", strings.Repeat("p", 129), domain.ErrPasswordTooLong},
		{"129 runes", strings.Repeat("é", 129), domain.ErrPasswordTooLong},
	}
	for _, tt := range tests {
		err := domain.CheckPasswordPolicy(tt.in)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: CheckPasswordPolicy = %v, want %v", tt.name, err, tt.want)
		}
	}
	for err, code := range map[error]string{domain.ErrPasswordTooShort: "PASSWORD_TOO_SHORT", domain.ErrPasswordTooLong: "PASSWORD_TOO_LONG"} {
		e := kernel.AsError(err)
		if e.Kind != kernel.KindInvalid || e.Code != code || len(e.Fields) != 1 || e.Fields[0].Field != "password" {
			t.Errorf("%v: kind %v code %q fields %+v", err, e.Kind, e.Code, e.Fields)
		}
	}
	if got := kernel.AsError(domain.ErrPasswordTooShort).Detail; got != "Password too short" {
		t.Errorf("detail %q", got)
	}
	if got := kernel.AsError(domain.ErrPasswordTooLong).Detail; got != "Password too long" {
		t.Errorf("detail %q", got)
	}
}
