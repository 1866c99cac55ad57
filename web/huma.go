package web

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
)

// huma builds every error it writes — its own and those handlers return —
// through two package-level functions. Replacing them is huma's documented
// way to use a custom error type; they are global, so this happens once per
// process, from NewRouter.
var installHumaErrors sync.Once

func useProblemsInHuma() {
	installHumaErrors.Do(func() {
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			return humaProblem(context.Background(), nil, status, msg, errs)
		}
		huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
			ctx := context.Background()
			if hctx != nil {
				ctx = hctx.Context()
			}
			p := humaProblem(ctx, hctx, status, msg, errs)
			p.RequestID = RequestID(ctx)
			if hctx != nil && hctx.Operation() != nil {
				if rewrite, ok := hctx.Operation().Metadata[ProblemRewriteKey].(func(*Problem)); ok {
					rewrite(p)
				}
			}
			return p
		}
	})
}

// ProblemRewriteKey names, in a huma operation's Metadata, a func(*Problem)
// that adjusts every problem the operation answers — its status and code —
// after the usual mapping: for a family of routes that speaks another
// API's dialect (iam's /api/auth answers as Better Auth does). Plain
// handlers apply the same function to ProblemFrom's result themselves.
const ProblemRewriteKey = "groundwork.problem_rewrite"

// Messages huma passes with its own errors (huma.go, v2.37). They are replaced
// by details written for API users.
const (
	humaValidationFailed = "validation failed"
	humaBodyRequired     = "request body is required"
)

// humaProblem turns what huma reports into a Problem. How huma reports
// things (v2.37):
//   - a handler's error: status 500, errs = [the error as returned];
//   - malformed JSON: 400, ErrorDetail{Location: "body", Message: the
//     decoder's error, Value: the whole body};
//   - an unsupported Content-Type: 415, the same shape;
//   - schema violations: 422, one ErrorDetail per violation;
//   - a body longer than the operation's MaxBodyBytes: 413;
//   - a body cut short by our http.MaxBytesReader: 500 "cannot read request
//     body", errs = [*http.MaxBytesError].
//
// hctx is nil when huma (or a handler) calls huma.NewError directly.
func humaProblem(ctx context.Context, hctx huma.Context, status int, msg string, errs []error) *Problem {
	errs = slices.DeleteFunc(slices.Clone(errs), func(e error) bool { return e == nil })

	if len(errs) == 1 && !isDetail(errs[0]) {
		var p *Problem
		if errors.As(errs[0], &p) { // already mapped (WriteError)
			c := *p
			return &c
		}
		if status == http.StatusInternalServerError {
			return problemFrom(ctx, errs[0]) // a handler's error, or *http.MaxBytesError
		}
		if ke := kernel.AsError(errs[0]); ke != nil && ke.Kind != kernel.KindInternal {
			return problemFromKernel(ke)
		}
	}

	switch status {
	case http.StatusBadRequest:
		switch {
		case msg == humaBodyRequired:
			return newProblem(status, codeBodyRequired, "The request body is required.", nil)
		case hasBodyDetail(errs):
			return newProblem(status, codeMalformedJSON, "The request body is not valid JSON.", fieldErrors(errs))
		}
	case http.StatusRequestEntityTooLarge:
		var limit int64
		if hctx != nil && hctx.Operation() != nil {
			limit = hctx.Operation().MaxBodyBytes
		}
		return bodyTooLarge(limit)
	case http.StatusUnsupportedMediaType:
		return newProblem(status, codeUnsupportedMediaType, unsupportedDetail(hctx), nil)
	case http.StatusUnprocessableEntity:
		detail := msg
		if detail == humaValidationFailed || detail == "" {
			detail = "The request is invalid."
		}
		return newProblem(status, codeValidation, detail, fieldErrors(errs))
	case http.StatusInternalServerError:
		logInternal(ctx, errors.Join(append([]error{errors.New(msg)}, errs...)...))
	}
	p := frameworkProblem(status, msg)
	if status < 500 {
		p.Errors = fieldErrors(errs)
	}
	return p
}

func isDetail(err error) bool {
	var d huma.ErrorDetailer
	return errors.As(err, &d)
}

func hasBodyDetail(errs []error) bool {
	for _, e := range errs {
		var d huma.ErrorDetailer
		if errors.As(e, &d) && d.ErrorDetail().Location == "body" {
			return true
		}
	}
	return false
}

// fieldErrors maps huma's error details (and kernel errors a resolver may
// return) to field errors. Only a scalar value at a field is echoed: huma
// reports malformed JSON with the raw body as its value, and a missing or
// unexpected property with the whole enclosing object, which would send back
// every field of the body, passwords included.
func fieldErrors(errs []error) []kernel.FieldError {
	var out []kernel.FieldError
	for _, e := range errs {
		var d huma.ErrorDetailer
		if errors.As(e, &d) {
			dd := d.ErrorDetail()
			fe := kernel.FieldError{Field: dd.Location, Message: dd.Message}
			if dd.Location != "body" && isScalar(dd.Value) {
				fe.Value = dd.Value
			}
			out = append(out, fe)
			continue
		}
		if ke := kernel.AsError(e); ke != nil && ke.Kind != kernel.KindInternal {
			if len(ke.Fields) > 0 {
				out = append(out, ke.Fields...)
			} else {
				out = append(out, kernel.FieldError{Code: ke.Code, Message: ke.Detail})
			}
			continue
		}
		out = append(out, kernel.FieldError{Message: e.Error()})
	}
	return out
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, bool, float64, float32, int, int64, int32, uint, uint64, uint32:
		return true
	}
	return false
}

// unsupportedDetail names the media types the operation accepts.
func unsupportedDetail(hctx huma.Context) string {
	types := []string{"application/json"}
	if hctx != nil {
		if op := hctx.Operation(); op != nil && op.RequestBody != nil && len(op.RequestBody.Content) > 0 {
			types = types[:0]
			for ct := range op.RequestBody.Content {
				types = append(types, ct)
			}
			slices.Sort(types)
		}
	}
	return "The request Content-Type is not supported; send " + strings.Join(types, " or ") + "."
}

// completeProblem is a huma transformer: it runs on every response body
// just before huma sets the status, so it can add what huma.NewError (which
// has no request) could not — the request ID and the Retry-After header.
func completeProblem(hctx huma.Context, _ string, v any) (any, error) {
	p, ok := v.(*Problem)
	if !ok {
		return v, nil
	}
	c := *p // a handler may return a shared *Problem
	if c.RequestID == "" {
		c.RequestID = RequestID(hctx.Context())
	}
	if c.retryAfter > 0 {
		hctx.SetHeader("Retry-After", strconv.Itoa(c.retryAfter))
		hctx.SetHeader("X-Retry-After", strconv.Itoa(c.retryAfter)) // Better Auth's clients read this one
	}
	return &c, nil
}

// uniqueSchemaNamer is huma's DefaultSchemaNamer that never gives two
// types one name: the first type keeps it, a later one becomes Name2,
// Name3 … in registration order (deterministic: modules register in
// order).
func uniqueSchemaNamer() func(t reflect.Type, hint string) string {
	var (
		mu    sync.Mutex
		names = map[reflect.Type]string{}
		taken = map[string]reflect.Type{}
	)
	return func(t reflect.Type, hint string) string {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		base := huma.DefaultSchemaNamer(t, hint)
		if t.Name() == "" && t.Kind() != reflect.Struct {
			return base // lists, maps and scalars are named by what they hold
		}
		mu.Lock()
		defer mu.Unlock()
		if n, ok := names[t]; ok {
			return n
		}
		name := base
		for i := 2; ; i++ {
			if other, ok := taken[name]; !ok || other == t {
				break
			}
			name = base + strconv.Itoa(i)
		}
		names[t], taken[name] = name, t
		return name
	}
}
