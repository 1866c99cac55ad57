package domain

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// Override is a platform admin's cap of one organization's meter, in place
// of its plan's: Cap is Unlimited or 0 and up, Reason why it was set.
type Override struct {
	OrganizationID kernel.OrganizationID
	Meter          string
	Cap            int64
	Reason         string
	SetBy          kernel.UserID
	SetAt          time.Time
}

// Limits on an admin's reason.
const (
	MinReasonLen = 5
	MaxReasonLen = 500
)

// CodeInvalidOverride is the problem code of a bad override or reset.
const CodeInvalidOverride = "usage.invalid_override"

// CheckCap returns kernel Invalid usage.invalid_override for a cap below
// Unlimited (-1), naming field.
func CheckCap(field string, cap int64) error {
	if cap < Unlimited {
		return kernel.Invalid(CodeInvalidOverride, "The cap must be -1 (unlimited) or 0 and up.",
			kernel.FieldError{Field: field, Code: "too_small", Message: "must be -1 or more"})
	}
	return nil
}

// CheckReason returns reason trimmed, or kernel Invalid
// usage.invalid_override naming field when it is shorter than
// MinReasonLen or longer than MaxReasonLen characters.
func CheckReason(field, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < MinReasonLen || n > MaxReasonLen {
		return "", kernel.Invalid(CodeInvalidOverride, "Give a reason of 5 to 500 characters; the audit log records it.",
			kernel.FieldError{Field: field, Code: "invalid_length", Message: "5 to 500 characters"})
	}
	return reason, nil
}
