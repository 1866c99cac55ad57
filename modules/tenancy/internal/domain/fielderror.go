package domain

import "github.com/groundworkhq/groundwork/kernel"

// invalidField is kernel.InvalidField for tenancy: code
// "tenancy.invalid_<field>".
func invalidField(field, message string) *kernel.Error {
	return kernel.InvalidField("tenancy", field, message)
}

// invalidAggregate wraps the collected field errors of a constructor.
func invalidAggregate(code, what string, fields []kernel.FieldError) error {
	return kernel.Invalid(code, "The "+what+" is not valid; check the fields.", fields...)
}
