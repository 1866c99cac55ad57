package domain

import (
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// Password length limits, counted in characters (runes), DESIGN.md §4.
const (
	MinPasswordLength = 8
	MaxPasswordLength = 128
)

// The password policy's errors. Their codes and messages are Better Auth's,
// which /api/auth returns unchanged; they carry a field error on "password".
var (
	ErrPasswordTooShort = kernel.Invalid("PASSWORD_TOO_SHORT", "Password too short",
		kernel.FieldError{Field: "password", Code: "too_short", Message: "must be at least 8 characters"})
	ErrPasswordTooLong = kernel.Invalid("PASSWORD_TOO_LONG", "Password too long",
		kernel.FieldError{Field: "password", Code: "too_long", Message: "must be at most 128 characters"})
)

// CheckPasswordPolicy checks a new password's length: 8 to 128 characters,
// counted as runes so that a passphrase in any script gets the same limits.
// Nothing else is imposed (no composition rules, following NIST SP 800-63B),
// and the password is not trimmed: spaces count. It returns
// ErrPasswordTooShort or ErrPasswordTooLong.
func CheckPasswordPolicy(p string) error {
	n := utf8.RuneCountInString(p)
	switch {
	case n < MinPasswordLength:
		return ErrPasswordTooShort
	case n > MaxPasswordLength:
		return ErrPasswordTooLong
	}
	return nil
}
