package config

import "fmt"

// redacted stands in for the value of a secret variable in error messages.
const redacted = "<redacted>"

// Error reports one bad configuration value. Its message is a single line,
// fit to stop start-up with, such as
//
//	PORT="abc": must be an integer between 1 and 65535
type Error struct {
	// Variable is the environment variable's name.
	Variable string
	// Value is the value as given, or "<redacted>" for a secret variable
	// that was set.
	Value string
	// Allowed says what the variable accepts, or when it is required.
	Allowed string
}

// Error implements error. The value is quoted, so a value holding a newline
// still makes one line.
func (e *Error) Error() string {
	return fmt.Sprintf("%s=%q: %s", e.Variable, e.Value, e.Allowed)
}
