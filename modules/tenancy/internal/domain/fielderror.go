package domain

import (
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// invalidField builds the error a value object's parser returns: an Invalid
// kernel error with the code "tenancy.invalid_<field>" carrying one field
// error, so constructors can collect the fields of several.
func invalidField(field, message string) *kernel.Error {
	return kernel.Invalid("tenancy.invalid_"+field, "The "+field+" is not valid: "+message+".",
		kernel.FieldError{Field: field, Code: "invalid_" + field, Message: message})
}

// fieldsOf returns the field errors carried by err.
func fieldsOf(err error) []kernel.FieldError {
	if e := kernel.AsError(err); e != nil && len(e.Fields) > 0 {
		return e.Fields
	}
	return []kernel.FieldError{{Message: err.Error()}}
}

// invalidAggregate wraps the collected field errors of a constructor.
func invalidAggregate(code, what string, fields []kernel.FieldError) error {
	return kernel.Invalid(code, "The "+what+" is not valid; check the fields.", fields...)
}

// asciiLower lower-cases s if it is all ASCII and reports whether it was.
// Checking first matters: strings.ToLower maps some non-ASCII runes to ASCII
// (the Kelvin sign becomes "k"), which would let a look-alike pass.
func asciiLower(s string) (string, bool) {
	b := []byte(s)
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return "", false
		}
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b), true
}
