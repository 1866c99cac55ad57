package domain

import (
	"strings"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// MaxOrgNameLength is the most runes an organization name may hold.
const MaxOrgNameLength = 100

// OrgName is an organization's display name: trimmed, 1–100 runes, valid
// UTF-8 with no control characters. The zero OrgName is "none".
type OrgName struct {
	s string
}

// ParseOrgName trims s and checks it. It returns an Invalid error with code
// "tenancy.invalid_name" and a field error on "name".
func ParseOrgName(s string) (OrgName, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return OrgName{}, invalidField("name", "must not be empty")
	case !utf8.ValidString(s):
		return OrgName{}, invalidField("name", "must be valid UTF-8")
	case utf8.RuneCountInString(s) > MaxOrgNameLength:
		return OrgName{}, invalidField("name", "must be at most 100 characters")
	case kernel.HasUnsafeText(s):
		return OrgName{}, invalidField("name", "must not contain control, invisible formatting or line-break characters")
	}
	return OrgName{s: s}, nil
}

// String returns the name.
func (n OrgName) String() string { return n.s }

// IsZero reports whether n is the zero OrgName.
func (n OrgName) IsZero() bool { return n.s == "" }
