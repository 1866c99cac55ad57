package domain

import (
	"fmt"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// Window is how long a meter counts before it starts again from zero. The
// zero Window is no window: a meter must name one.
type Window struct{ name string }

// The windows.
var (
	// Lifetime never resets.
	Lifetime = Window{"lifetime"}
	// Monthly resets every month: on the billing period's anchor day when
	// the organization has a subscription, on the 1st (UTC) otherwise.
	Monthly = Window{"monthly"}
	// Yearly resets every year, anchored as Monthly.
	Yearly = Window{"yearly"}
)

// Windows lists every window.
var Windows = []Window{Lifetime, Monthly, Yearly}

// ParseWindow returns the window named s ("lifetime", "monthly",
// "yearly"); kernel Invalid usage.invalid_window otherwise.
func ParseWindow(s string) (Window, error) {
	for _, w := range Windows {
		if w.name == s {
			return w, nil
		}
	}
	return Window{}, kernel.InvalidField("usage", "window", fmt.Sprintf("%q is not lifetime, monthly or yearly", s))
}

// String returns the window's name, "" for the zero Window.
func (w Window) String() string { return w.name }

// IsZero reports whether w is no window.
func (w Window) IsZero() bool { return w.name == "" }

// Limits on a meter's fields.
const (
	MaxKeyLen         = 64
	MaxDescriptionLen = 500
	MaxUnitLen        = 64
)

// Codes of the errors about meters.
const (
	CodeInvalidMeter = "usage.invalid_meter"
	CodeUnknownMeter = "usage.unknown_meter"
)

// Meter is what a product counts, registered at boot: Key names it in
// plans' caps ("tickets_created": lower snake case, 1 to 64 characters);
// Description and Unit ("tickets") are shown to users; Window says when
// the count starts again.
type Meter struct {
	Key         string
	Description string
	Unit        string
	Window      Window
}

// Validate returns kernel Invalid usage.invalid_meter naming every field
// of m that is wrong, or nil.
func (m Meter) Validate() error {
	var fields []kernel.FieldError
	bad := func(field, msg string) {
		fields = append(fields, kernel.FieldError{Field: field, Code: "invalid_" + field, Message: msg})
	}
	if !ValidKey(m.Key) {
		bad("key", fmt.Sprintf("%q is not lower snake case (a-z, 0-9 and _, starting with a letter) of 1 to %d characters", m.Key, MaxKeyLen))
	}
	if !utf8.ValidString(m.Description) || len(m.Description) > MaxDescriptionLen {
		bad("description", fmt.Sprintf("must be UTF-8 of at most %d bytes", MaxDescriptionLen))
	}
	if !utf8.ValidString(m.Unit) || len(m.Unit) > MaxUnitLen {
		bad("unit", fmt.Sprintf("must be UTF-8 of at most %d bytes", MaxUnitLen))
	}
	if m.Window.IsZero() {
		bad("window", "must be Lifetime, Monthly or Yearly")
	}
	if len(fields) == 0 {
		return nil
	}
	return kernel.Invalid(CodeInvalidMeter, fmt.Sprintf("The meter %q is not valid.", m.Key), fields...)
}

// ValidKey reports whether key can name a meter: lower snake case — a
// letter, then letters, digits and underscores — of 1 to MaxKeyLen
// characters, with no double, leading or trailing underscore.
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKeyLen || key[0] < 'a' || key[0] > 'z' || key[len(key)-1] == '_' {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '_' && key[i-1] != '_':
		default:
			return false
		}
	}
	return true
}

// ErrUnknownMeter is the error of a meter no one registered (404
// usage.unknown_meter); errors.Is matches every error with its code.
var ErrUnknownMeter = kernel.NotFound(CodeUnknownMeter, "No meter of that name is registered.")

// UnknownMeter is ErrUnknownMeter naming key.
func UnknownMeter(key string) error {
	return kernel.NotFound(CodeUnknownMeter, fmt.Sprintf("No meter named %q is registered.", key))
}
