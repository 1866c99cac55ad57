package domain

import (
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// invalidField builds the error a value object's parser returns: an Invalid
// kernel error with the object's code ("iam.invalid_email") carrying one
// field error, so NewUser and User.Update can collect the fields of several.
func invalidField(field, message string) *kernel.Error {
	return kernel.Invalid("iam.invalid_"+field, "The "+field+" is not valid: "+message+".",
		kernel.FieldError{Field: field, Code: "invalid_" + field, Message: message})
}

// fieldsOf returns the field errors carried by err.
func fieldsOf(err error) []kernel.FieldError {
	if e := kernel.AsError(err); e != nil {
		return e.Fields
	}
	return []kernel.FieldError{{Message: err.Error()}}
}

// asciiLower lower-cases s if it is all ASCII and reports whether it was.
// Checking before lower-casing matters: strings.ToLower maps some non-ASCII
// runes to ASCII (the Kelvin sign "K" becomes "k"), which would let a look-
// alike spelling pass as, and collide with, a plain one.
func asciiLower(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return "", false
		}
	}
	return strings.ToLower(s), true
}
