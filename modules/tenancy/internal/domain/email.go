package domain

import (
	"github.com/groundworkhq/groundwork/kernel"
)

// MaxEmailLength is the longest address accepted.
const MaxEmailLength = kernel.MaxEmailLength

// Email is an invitee's address: the kernel's, with the grammar accounts
// have, so whoever can be invited can sign up. The invitation is accepted
// only by a signed-in user whose verified email matches.
type Email = kernel.Email

// ParseEmail is kernel.ParseEmail with tenancy's error: an Invalid error
// with code "tenancy.invalid_email" and a field error on "email".
func ParseEmail(s string) (Email, error) {
	return kernel.ParseEmailFor("tenancy", s)
}
