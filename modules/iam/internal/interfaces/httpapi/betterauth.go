package httpapi

import (
	"net/http"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/web"
)

// Better Auth's answers, which /api/auth gives in our problem JSON: its
// statuses for its codes, and VALIDATION_ERROR for a body that fails the
// schema. The rest of the API keeps Groundwork's statuses (422 for invalid
// input, 409 for conflicts).
const codeValidationError = "VALIDATION_ERROR"

// Better Auth's answers (BASE_ERROR_CODES, update-user.ts) that the
// handlers give themselves: to what update-user refuses, and to a
// signed-in caller asking for a verification email it cannot have.
var (
	errEmailCannotBeUpdated = kernel.Invalid("EMAIL_CAN_NOT_BE_UPDATED", "Email can not be updated",
		kernel.FieldError{Field: "body.email", Code: "not_allowed", Message: "cannot be changed here"})
	errNoFieldsToUpdate = kernel.Invalid("NO_FIELDS_TO_UPDATE", "No fields to update")
	errEmailMismatch    = kernel.Invalid("EMAIL_MISMATCH", "Email mismatch",
		kernel.FieldError{Field: "body.email", Code: "mismatch", Message: "must be the signed-in user's email"})
	errEmailAlreadyVerified = kernel.Invalid("EMAIL_ALREADY_VERIFIED", "Email is already verified")
)

// betterAuthProblem is /api/auth's web.ProblemRewriteKey: Better Auth
// answers its validation and credential errors with 400, an untrusted
// callback or redirect with 403, and a taken email with 422.
func betterAuthProblem(p *web.Problem) {
	switch {
	case p.Code == "http.validation" || strings.HasPrefix(p.Code, "iam.invalid_"):
		// A body that fails the schema (huma's, or a value object's at
		// sign-up): Better Auth's zod answer, with our field errors.
		p.Status, p.Code = http.StatusBadRequest, codeValidationError
	case p.Code == "INVALID_CALLBACK_URL" || p.Code == "INVALID_REDIRECT_URL":
		p.Status = http.StatusForbidden
	case p.Code == "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
		p.Status = http.StatusUnprocessableEntity
	case p.Status == http.StatusUnprocessableEntity:
		p.Status = http.StatusBadRequest
	}
	p.Title = http.StatusText(p.Status)
}

// verifyEmailProblem is betterAuthProblem for verify-email, where Better
// Auth answers a bad token with 401.
func verifyEmailProblem(p *web.Problem) {
	betterAuthProblem(p)
	if p.Code == "INVALID_TOKEN" {
		p.Status, p.Title = http.StatusUnauthorized, http.StatusText(http.StatusUnauthorized)
	}
}

// writeAuthProblem is web.WriteProblem for /api/auth's plain handlers,
// with rewrite applied.
func writeAuthProblem(w http.ResponseWriter, r *http.Request, err error, rewrite func(*web.Problem)) {
	p := web.ProblemFrom(r.Context(), err)
	rewrite(p)
	web.WriteProblem(w, r, p)
}
