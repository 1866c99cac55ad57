package domain

import (
	"github.com/groundworkhq/groundwork/kernel"
)

// Limits on an email address.
const (
	MaxEmailLength    = kernel.MaxEmailLength
	MaxEmailLocalPart = kernel.MaxEmailLocalPart
)

// Email is a validated, normalized email address: the identity a person
// signs in with. It is the kernel's, whose grammar invitations share.
type Email = kernel.Email

// ParseEmail is kernel.ParseEmail with iam's error: an Invalid error with
// code "iam.invalid_email" and a field error on "email".
func ParseEmail(s string) (Email, error) {
	return kernel.ParseEmailFor("iam", s)
}

// MustParseEmail is ParseEmail that panics; for tests and examples.
func MustParseEmail(s string) Email {
	e, err := ParseEmail(s)
	if err != nil {
		panic(err)
	}
	return e
}
