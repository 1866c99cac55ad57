package kernel

import "strings"

// InvalidField is the error a value object's parser returns: Invalid with
// the code "<module>.invalid_<field>" carrying one field error, so a
// constructor can collect the fields of several (FieldsOf) into one
// answer.
func InvalidField(module, field, message string) *Error {
	return Invalid(module+".invalid_"+field, "The "+field+" is not valid: "+message+".",
		FieldError{Field: field, Code: "invalid_" + field, Message: message})
}

// FieldsOf returns the field errors err carries; an error without any
// becomes one field error with its message, and nil gives none.
func FieldsOf(err error) []FieldError {
	if err == nil {
		return nil
	}
	if e := AsError(err); e != nil && len(e.Fields) > 0 {
		return e.Fields
	}
	return []FieldError{{Message: err.Error()}}
}

// LowerASCII lower-cases s if it is all ASCII and reports whether it was.
// Checking first matters: strings.ToLower maps some non-ASCII runes to
// ASCII (the Kelvin sign "K" becomes "k"), which would let a look-alike
// spelling pass as, and collide with, a plain one.
func LowerASCII(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return "", false
		}
	}
	return strings.ToLower(s), true
}
