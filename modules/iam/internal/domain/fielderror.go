package domain

import "github.com/groundworkhq/groundwork/kernel"

// invalidField is kernel.InvalidField for iam: code "iam.invalid_<field>".
func invalidField(field, message string) *kernel.Error {
	return kernel.InvalidField("iam", field, message)
}

// fieldsOf returns the field errors carried by err.
func fieldsOf(err error) []kernel.FieldError { return kernel.FieldsOf(err) }

// asciiLower is kernel.LowerASCII.
func asciiLower(s string) (string, bool) { return kernel.LowerASCII(s) }
