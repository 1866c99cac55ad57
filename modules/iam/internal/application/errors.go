package application

import (
	"math"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// The errors the use cases return. Where /api/auth has a Better Auth
// counterpart the code and message are Better Auth's own (BASE_ERROR_CODES
// in @better-auth/core), so a client written against Better Auth reads them
// unchanged; the rest use iam's dotted codes.
var (
	// ErrInvalidEmailOrPassword answers every failed sign-in alike: unknown
	// email, wrong password, no password set, deactivated account.
	ErrInvalidEmailOrPassword = kernel.Unauthenticated("INVALID_EMAIL_OR_PASSWORD", "Invalid email or password")
	// ErrEmailNotVerified refuses sign-in under RequireEmailVerification,
	// only once the password has checked out.
	ErrEmailNotVerified = kernel.Forbidden("EMAIL_NOT_VERIFIED", "Email not verified")
	// ErrInvalidPassword is a wrong current password in change-password or
	// delete-user.
	ErrInvalidPassword = kernel.Invalid("INVALID_PASSWORD", "Invalid password",
		kernel.FieldError{Field: "password", Code: "incorrect", Message: "is not the current password"})
	// ErrCredentialAccountNotFound: the user has no password yet (created by
	// an admin and never set one), so none can be checked.
	ErrCredentialAccountNotFound = kernel.Invalid("CREDENTIAL_ACCOUNT_NOT_FOUND", "Credential account not found")
	// ErrUnauthorized is Authenticate's one answer to a session token that
	// does not resolve to a live session of an active user.
	ErrUnauthorized = kernel.ErrUnauthenticated
	// ErrUnknownSession answers a revoke of a session handle the user does
	// not hold (malformed, unknown, or another user's).
	ErrUnknownSession = kernel.NotFound("SESSION_NOT_FOUND", "Session not found")
	// ErrUserAlreadyExists is sign-up with an email that has an account.
	ErrUserAlreadyExists = kernel.Conflict("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.")
	// ErrInvalidEmail is an address that cannot be an account's, where
	// Better Auth answers INVALID_EMAIL rather than a field list.
	ErrInvalidEmail = kernel.Invalid("INVALID_EMAIL", "Invalid email",
		kernel.FieldError{Field: "email", Code: "invalid_email", Message: "must be an email address like name@example.com"})
	// ErrInvalidCallbackURL is a callbackURL not on ServerURL or a trusted
	// origin.
	ErrInvalidCallbackURL = kernel.Invalid("INVALID_CALLBACK_URL", "Invalid callbackURL",
		kernel.FieldError{Field: "callbackURL", Code: "untrusted", Message: "must be a path or a URL on a trusted origin"})
	// ErrInvalidRedirectURL is a redirectTo not on ServerURL or a trusted
	// origin.
	ErrInvalidRedirectURL = kernel.Invalid("INVALID_REDIRECT_URL", "Invalid redirectURL",
		kernel.FieldError{Field: "redirectTo", Code: "untrusted", Message: "must be a path or a URL on a trusted origin"})
	// ErrActiveNotAllowed refuses a user's attempt to change their own
	// active flag (an admin's decision).
	ErrActiveNotAllowed = kernel.Invalid("FIELD_NOT_ALLOWED", "Field not allowed to be set",
		kernel.FieldError{Field: "active", Code: "not_allowed", Message: "may only be changed by an administrator"})
	// ErrNoTenancy is what NoMembers answers to changes of membership.
	ErrNoTenancy = kernel.Unavailable("iam.no_tenancy", "Organizations are not available.")
)

// tooManyRequests is the 429 answer, with Better Auth's rate limiter
// message (it sends no code; TOO_MANY_REQUESTS is ours).
func tooManyRequests(retryAfter time.Duration) error {
	secs := int(math.Ceil(retryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return kernel.RateLimited("TOO_MANY_REQUESTS", "Too many requests. Please try again later.", secs)
}
