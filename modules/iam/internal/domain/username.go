package domain

import (
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// Username limits.
const (
	MinUsernameLength = 3
	MaxUsernameLength = 32
)

// Username is an optional handle: 3–32 of a-z, 0-9, "_" and "-", stored lower
// case so that uniqueness (enforced by the repository) is case-insensitive.
// The zero Username is "not set".
type Username struct {
	s string
}

// ParseUsername trims and lower-cases s and validates it. Empty input gives
// the zero Username (unset) and no error. It returns an Invalid error with
// code "iam.invalid_username" and a field error on "username".
func ParseUsername(s string) (Username, error) {
	s, ascii := kernel.LowerASCII(strings.TrimSpace(s))
	if !ascii {
		return Username{}, invalidField("username", "may contain only letters a-z, digits, _ and -")
	}
	if s == "" {
		return Username{}, nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return Username{}, invalidField("username", "may contain only letters a-z, digits, _ and -")
		}
	}
	if len(s) < MinUsernameLength || len(s) > MaxUsernameLength {
		return Username{}, invalidField("username", "must be 3 to 32 characters long")
	}
	return Username{s: s}, nil
}

// String returns the username, or "" when unset.
func (u Username) String() string { return u.s }

// IsZero reports whether the username is unset.
func (u Username) IsZero() bool { return u.s == "" }
