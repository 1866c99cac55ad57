package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
)

const problemContentType = "application/problem+json"

// Codes of the problems the HTTP layer itself reports. They are part of the
// API contract; modules use their own codes ("tenancy.last_owner") through
// kernel errors.
const (
	codeNotFound             = "http.not_found"
	codeMethodNotAllowed     = "http.method_not_allowed"
	codeMalformedJSON        = "http.malformed_json"
	codeMalformedForm        = "http.malformed_form"
	codeBodyRequired         = "http.body_required"
	codeUnsupportedMediaType = "http.unsupported_media_type"
	codeBodyTooLarge         = "http.body_too_large"
	codeValidation           = "http.validation"
	codeInvalidOrigin        = "INVALID_ORIGIN"
	codeMissingOrigin        = "MISSING_OR_NULL_ORIGIN"
	codeCrossSiteLogin       = "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"
	codeCORSOrigin           = "http.cors_origin"
	codeNotReady             = "http.not_ready"
	codeInternal             = "internal"
)

const internalDetail = "An unexpected error occurred."

// Problem is an RFC 9457 problem detail, extended with a stable code, a
// message (the detail again, for Better Auth clients), the request ID and
// field errors. It is the body of every error response.
//
// Problem implements huma.StatusError, so a handler may return one, and
// huma.ContentTypeFilter, so huma writes it as application/problem+json.
type Problem struct {
	Type      string              `json:"type" doc:"Always about:blank; use code to tell problems apart." example:"about:blank"`
	Title     string              `json:"title" doc:"The HTTP status text." example:"Not Found"`
	Status    int                 `json:"status" doc:"The HTTP status code." example:"404"`
	Detail    string              `json:"detail" doc:"What went wrong, safe to show to the user." example:"The organization does not exist."`
	Code      string              `json:"code" doc:"A stable, machine-readable code." example:"tenancy.organization_not_found"`
	Message   string              `json:"message" doc:"The detail again, for Better Auth clients."`
	RequestID string              `json:"requestId" doc:"The request ID, also sent as the X-Request-Id header."`
	Errors    []kernel.FieldError `json:"errors,omitempty" doc:"What is wrong with individual input fields."`
	// Extensions are the problem's other members (RFC 9457 extension
	// members), from kernel.Error.Extra: {"plans": […]} on a 402.
	Extensions map[string]any `json:"-"`

	retryAfter int
}

// problemMembers are the members Extensions may not replace.
var problemMembers = map[string]bool{"type": true, "title": true, "status": true, "detail": true, "code": true,
	"message": true, "requestId": true, "errors": true}

// MarshalJSON writes the standard members, then the extension members.
func (p *Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal((*plain)(p))
	if err != nil || len(p.Extensions) == 0 {
		return b, err
	}
	ext := make(map[string]any, len(p.Extensions))
	for k, v := range p.Extensions {
		if !problemMembers[k] {
			ext[k] = v
		}
	}
	if len(ext) == 0 {
		return b, nil
	}
	e, err := json.Marshal(ext)
	if err != nil {
		return nil, err
	}
	return append(append(b[:len(b)-1], ','), e[1:]...), nil
}

// Error returns the code and the detail, so a Problem reads well in a log.
func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// GetStatus returns the HTTP status; it implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType turns the negotiated JSON media type into
// application/problem+json; it implements huma.ContentTypeFilter.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return problemContentType
	}
	return ct
}

func newProblem(status int, code, detail string, fields []kernel.FieldError) *Problem {
	if detail == "" {
		detail = http.StatusText(status)
	}
	return &Problem{
		Type:    "about:blank",
		Title:   http.StatusText(status),
		Status:  status,
		Detail:  detail,
		Code:    code,
		Message: detail,
		Errors:  fields,
	}
}

// ProblemFrom maps err to the problem the caller should see, with the
// request ID of ctx. A *kernel.Error anywhere in err's chain gives its kind's
// status, its code, detail and field errors; a *http.MaxBytesError gives 413;
// a *Problem or another huma.StatusError keeps its status. Anything else is a
// 500 with a generic detail, and err is logged through Logger(ctx) — never
// shown.
func ProblemFrom(ctx context.Context, err error) *Problem {
	p := problemFrom(ctx, err)
	if p.RequestID == "" {
		p.RequestID = RequestID(ctx)
	}
	return p
}

func problemFrom(ctx context.Context, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		c := *p
		return &c
	}
	ke := kernel.AsError(err)
	if ke != nil && ke.Kind != kernel.KindInternal {
		return problemFromKernel(ke)
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return bodyTooLarge(tooLarge.Limit)
	}
	var se huma.StatusError
	if ke == nil && errors.As(err, &se) && se.GetStatus() < 500 {
		return frameworkProblem(se.GetStatus(), se.Error())
	}
	logInternal(ctx, err)
	return newProblem(http.StatusInternalServerError, codeInternal, internalDetail, nil)
}

func logInternal(ctx context.Context, err error) {
	msg := "<nil>"
	if err != nil {
		msg = err.Error()
	}
	Logger(ctx).ErrorContext(ctx, "internal error", "error", msg)
}

var kindStatus = map[kernel.ErrorKind]int{
	kernel.KindInvalid:         http.StatusUnprocessableEntity,
	kernel.KindUnauthenticated: http.StatusUnauthorized,
	kernel.KindForbidden:       http.StatusForbidden,
	kernel.KindNotFound:        http.StatusNotFound,
	kernel.KindConflict:        http.StatusConflict,
	kernel.KindGone:            http.StatusGone,
	kernel.KindRateLimited:     http.StatusTooManyRequests,
	kernel.KindUnavailable:     http.StatusServiceUnavailable,
	kernel.KindTooLarge:        http.StatusRequestEntityTooLarge,
	kernel.KindPaymentRequired: http.StatusPaymentRequired,
	kernel.KindUnsupportedType: http.StatusUnsupportedMediaType,
}

// problemFromKernel maps a non-internal kernel error; the caller handles
// KindInternal, whose cause must be logged.
func problemFromKernel(ke *kernel.Error) *Problem {
	status, ok := kindStatus[ke.Kind]
	if !ok {
		return newProblem(http.StatusInternalServerError, codeInternal, internalDetail, nil)
	}
	code := ke.Code
	if code == "" {
		code = ke.Kind.String()
	}
	p := newProblem(status, code, ke.Detail, append([]kernel.FieldError(nil), ke.Fields...))
	p.Extensions = ke.Extra
	switch {
	case ke.Kind == kernel.KindRateLimited:
		p.retryAfter = max(ke.RetryAfterSeconds, 1)
	case ke.RetryAfterSeconds > 0:
		p.retryAfter = ke.RetryAfterSeconds
	}
	return p
}

func bodyTooLarge(limit int64) *Problem {
	detail := "The request body is too large."
	if limit > 0 {
		detail = fmt.Sprintf("The request body exceeds the limit of %d bytes.", limit)
	}
	return newProblem(http.StatusRequestEntityTooLarge, codeBodyTooLarge, detail, nil)
}

// frameworkProblem is a problem raised by the HTTP layer rather than by a
// module: its code is derived from the status.
func frameworkProblem(status int, detail string) *Problem {
	code := codeInternal
	if status < 500 {
		code = statusCode(status)
	} else if status == http.StatusInternalServerError {
		detail = internalDetail
	}
	return newProblem(status, code, detail, nil)
}

// statusCode derives "http.not_acceptable" from 406.
func statusCode(status int) string {
	text := http.StatusText(status)
	if text == "" {
		return "http.error"
	}
	var b strings.Builder
	b.WriteString("http.")
	for _, r := range strings.ToLower(text) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			b.WriteByte('_')
		}
	}
	return b.String()
}

// ParseForm parses r's form (query and url-encoded body) as
// http.Request.ParseForm does, but answers a malformed one (a bad
// %-escape, a ';' separator) with a 400 problem http.malformed_form and an
// oversized body with 413, never an internal error. Plain handlers that
// read forms call it first.
func ParseForm(r *http.Request) error {
	err := r.ParseForm()
	if err == nil {
		return nil
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return bodyTooLarge(tooLarge.Limit)
	}
	return newProblem(http.StatusBadRequest, codeMalformedForm, "The form is malformed: "+err.Error()+".", nil)
}

// WriteProblem writes err as a problem response; plain handlers (webhooks,
// server-sent events, redirects) use it where a huma operation would return
// the error. See ProblemFrom for the mapping.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	writeProblem(w, ProblemFrom(r.Context(), err))
}

func writeProblem(w http.ResponseWriter, p *Problem) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", problemContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
		h.Set("X-Retry-After", strconv.Itoa(p.retryAfter)) // Better Auth's clients read this one
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// FieldsIn prefixes the unqualified field errors of a use case's
// validation error with where huma says the fields are ("body.",
// "query."), so clients see one convention for both; other errors pass
// through.
func FieldsIn(prefix string, err error) error {
	e := kernel.AsError(err)
	if e == nil || e.Kind != kernel.KindInvalid || len(e.Fields) == 0 {
		return err
	}
	c := *e
	c.Fields = make([]kernel.FieldError, len(e.Fields))
	for i, f := range e.Fields {
		if f.Field != "" && !strings.Contains(f.Field, ".") {
			f.Field = prefix + f.Field
		}
		c.Fields[i] = f
	}
	return &c
}

// BodyFields is FieldsIn for a request body's fields: "body.".
func BodyFields(err error) error { return FieldsIn("body.", err) }
