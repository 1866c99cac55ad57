package kernel

import (
	"errors"
	"fmt"
)

// ErrorKind classifies an error by what the caller can do about it. Each kind
// maps to one HTTP status at the edge.
type ErrorKind int

// The error kinds. KindInternal is the zero value so that an unclassified
// error is never mistaken for the caller's fault.
const (
	KindInternal ErrorKind = iota
	KindInvalid
	KindUnauthenticated
	KindForbidden
	KindNotFound
	KindConflict
	KindGone
	KindRateLimited
	KindUnavailable
	KindTooLarge
	KindPaymentRequired
	KindUnsupportedType
)

var kindNames = [...]string{"internal", "invalid", "unauthenticated", "forbidden", "not_found", "conflict", "gone", "rate_limited", "unavailable", "too_large", "payment_required", "unsupported_type"}

func (k ErrorKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// FieldError says what is wrong with one input field. Field is a JSON-path-like
// location such as "body.email"; Code is stable ("required", "too_long", …).
type FieldError struct {
	Field   string `json:"location"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
	Value   any    `json:"value,omitempty"`
}

// Error is the error model shared by every module: a kind, a stable
// machine-readable code ("tenancy.last_owner"), a detail that is safe to show
// to the caller, optional field errors and an optional wrapped cause that is
// only ever logged.
type Error struct {
	Kind   ErrorKind
	Code   string
	Detail string
	Fields []FieldError
	// RetryAfterSeconds is set on RateLimited and Unavailable errors when the
	// caller may retry after a known delay.
	RetryAfterSeconds int
	// Extra are members the problem carries besides the standard ones
	// ({"plans": […]} on a 402): what a client needs to act on it.
	Extra map[string]any
	cause error
}

// Error implements error. It includes the cause, so logs show it; the edge
// shows only Detail.
func (e *Error) Error() string {
	msg := e.Code
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.cause }

// WithCause returns a copy of e that wraps cause (logged, never shown).
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.cause = cause
	return &c
}

// WithExtra returns a copy of e carrying the problem member key: v (a
// standard member's name is ignored at the edge).
func (e *Error) WithExtra(key string, v any) *Error {
	c := *e
	c.Extra = make(map[string]any, len(e.Extra)+1)
	for k, x := range e.Extra {
		c.Extra[k] = x
	}
	c.Extra[key] = v
	return &c
}

// WithFields returns a copy of e carrying field errors.
func (e *Error) WithFields(fields ...FieldError) *Error {
	c := *e
	c.Fields = append(append([]FieldError(nil), e.Fields...), fields...)
	return &c
}

// Is makes errors.Is(err, target) match two *Error values with the same code,
// so sentinels like ErrNotFound can be compared after wrapping.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && e != nil && t.Code == e.Code && t.Kind == e.Kind
}

func newError(kind ErrorKind, code, detail string) *Error {
	return &Error{Kind: kind, Code: code, Detail: detail}
}

// Invalid is input the caller must correct (422 at the edge).
func Invalid(code, detail string, fields ...FieldError) *Error {
	e := newError(KindInvalid, code, detail)
	e.Fields = fields
	return e
}

// Unauthenticated means no valid credentials were presented (401).
func Unauthenticated(code, detail string) *Error {
	return newError(KindUnauthenticated, code, detail)
}

// Forbidden means the caller is known but may not do this (403).
func Forbidden(code, detail string) *Error { return newError(KindForbidden, code, detail) }

// NotFound means the resource does not exist for this caller (404); a
// resource of another organization is also NotFound.
func NotFound(code, detail string) *Error { return newError(KindNotFound, code, detail) }

// Conflict means the request clashes with the current state (409).
func Conflict(code, detail string) *Error { return newError(KindConflict, code, detail) }

// Gone means the resource existed and is no longer usable (410).
func Gone(code, detail string) *Error { return newError(KindGone, code, detail) }

// RateLimited means the caller must wait retryAfterSeconds (429).
func RateLimited(code, detail string, retryAfterSeconds int) *Error {
	e := newError(KindRateLimited, code, detail)
	e.RetryAfterSeconds = retryAfterSeconds
	return e
}

// Unavailable means a dependency or feature is not available now (503).
func Unavailable(code, detail string) *Error { return newError(KindUnavailable, code, detail) }

// PaymentRequired is the error of what the caller's plan does not include
// or whose quota is spent (402).
func PaymentRequired(code, detail string) *Error { return newError(KindPaymentRequired, code, detail) }

// TooLarge means the request body exceeds a limit (413).
func TooLarge(code, detail string) *Error { return newError(KindTooLarge, code, detail) }

// UnsupportedType means the request's content is of a type this endpoint
// does not take (415).
func UnsupportedType(code, detail string) *Error { return newError(KindUnsupportedType, code, detail) }

// Internal wraps an unexpected failure (500); its detail is generic.
func Internal(cause error) *Error {
	e := newError(KindInternal, "internal", "An unexpected error occurred.")
	e.cause = cause
	return e
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the kind of the *Error in err's chain, KindInternal if none.
func KindOf(err error) ErrorKind {
	if e := AsError(err); e != nil {
		return e.Kind
	}
	return KindInternal
}

// CodeOf returns the code of the *Error in err's chain, "" if none.
func CodeOf(err error) string {
	if e := AsError(err); e != nil {
		return e.Code
	}
	return ""
}
