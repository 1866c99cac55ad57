package domain

import "github.com/groundworkhq/groundwork/kernel"

// invalidField is kernel.InvalidField for iam: code "iam.invalid_<field>".
func invalidField(field, message string) *kernel.Error {
	return kernel.InvalidField("iam", field, message)
}
