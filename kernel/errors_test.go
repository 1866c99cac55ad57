package kernel_test

import (
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
)

func TestConstructors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *kernel.Error
		kind kernel.ErrorKind
	}{
		{"Invalid", kernel.Invalid("x.code", "Detail."), kernel.KindInvalid},
		{"Unauthenticated", kernel.Unauthenticated("x.code", "Detail."), kernel.KindUnauthenticated},
		{"Forbidden", kernel.Forbidden("x.code", "Detail."), kernel.KindForbidden},
		{"NotFound", kernel.NotFound("x.code", "Detail."), kernel.KindNotFound},
		{"Conflict", kernel.Conflict("x.code", "Detail."), kernel.KindConflict},
		{"Gone", kernel.Gone("x.code", "Detail."), kernel.KindGone},
		{"RateLimited", kernel.RateLimited("x.code", "Detail.", 0), kernel.KindRateLimited},
		{"Unavailable", kernel.Unavailable("x.code", "Detail."), kernel.KindUnavailable},
		{"TooLarge", kernel.TooLarge("x.code", "Detail."), kernel.KindTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.err.Kind != tt.kind || tt.err.Code != "x.code" || tt.err.Detail != "Detail." {
				t.Errorf("got kind %v code %q detail %q", tt.err.Kind, tt.err.Code, tt.err.Detail)
			}
			if tt.err.Unwrap() != nil {
				t.Errorf("fresh error has cause %v", tt.err.Unwrap())
			}
			if got := tt.err.Error(); got != "x.code: Detail." {
				t.Errorf("Error() = %q", got)
			}
		})
	}

	fields := []kernel.FieldError{{Field: "body.email", Code: "required", Message: "Email is required."}}
	inv := kernel.Invalid("iam.invalid_signup", "Check the form.", fields...)
	if len(inv.Fields) != 1 || inv.Fields[0] != fields[0] {
		t.Errorf("Invalid fields = %+v", inv.Fields)
	}
	if rl := kernel.RateLimited("iam.too_many", "Slow down.", 30); rl.RetryAfterSeconds != 30 {
		t.Errorf("RetryAfterSeconds = %d, want 30", rl.RetryAfterSeconds)
	}
}

func TestErrorKindString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind kernel.ErrorKind
		want string
	}{
		{kernel.KindInternal, "internal"},
		{kernel.KindInvalid, "invalid"},
		{kernel.KindUnauthenticated, "unauthenticated"},
		{kernel.KindForbidden, "forbidden"},
		{kernel.KindNotFound, "not_found"},
		{kernel.KindConflict, "conflict"},
		{kernel.KindGone, "gone"},
		{kernel.KindRateLimited, "rate_limited"},
		{kernel.KindUnavailable, "unavailable"},
		{kernel.KindTooLarge, "too_large"},
		{kernel.ErrorKind(99), "ErrorKind(99)"},
	}
	for _, tt := range tests {
		if got := tt.kind.String(); got != tt.want {
			t.Errorf("ErrorKind(%d).String() = %q, want %q", int(tt.kind), got, tt.want)
		}
	}
	var zero kernel.ErrorKind
	if zero != kernel.KindInternal {
		t.Error("the zero ErrorKind is not KindInternal")
	}
}

func TestErrorKindStringNegative(t *testing.T) {
	t.Parallel()
	if got := kernel.ErrorKind(-1).String(); got != "ErrorKind(-1)" {
		t.Errorf("ErrorKind(-1).String() = %q", got)
	}
}

func TestInternal(t *testing.T) {
	t.Parallel()
	cause := errors.New("pq: password authentication failed for user admin")
	e := kernel.Internal(cause)
	if e.Kind != kernel.KindInternal || e.Code != "internal" {
		t.Errorf("kind %v code %q", e.Kind, e.Code)
	}
	if e.Detail == "" || strings.Contains(e.Detail, "password") || strings.Contains(e.Detail, "pq") {
		t.Errorf("Detail %q is not generic", e.Detail)
	}
	if !strings.Contains(e.Error(), cause.Error()) {
		t.Errorf("Error() = %q does not include the cause", e.Error())
	}
	if !errors.Is(e, cause) {
		t.Error("errors.Is(Internal(cause), cause) = false")
	}
}

func TestWithCauseAndFieldsCopy(t *testing.T) {
	t.Parallel()
	base := kernel.Invalid("x.invalid", "Bad input.", kernel.FieldError{Field: "body.a", Message: "A."})
	cause := errors.New("underlying")

	withCause := base.WithCause(cause)
	if base.Unwrap() != nil {
		t.Error("WithCause changed the original")
	}
	if withCause.Unwrap() != cause || withCause.Code != base.Code || withCause.Kind != base.Kind {
		t.Errorf("WithCause = %+v", withCause)
	}
	if got, want := withCause.Error(), "x.invalid: Bad input.: underlying"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	b := base.WithFields(kernel.FieldError{Field: "body.b", Message: "B."})
	c := base.WithFields(kernel.FieldError{Field: "body.c", Message: "C."})
	if len(base.Fields) != 1 {
		t.Errorf("WithFields changed the original: %+v", base.Fields)
	}
	if len(b.Fields) != 2 || b.Fields[0].Field != "body.a" || b.Fields[1].Field != "body.b" {
		t.Errorf("b.Fields = %+v", b.Fields)
	}
	if len(c.Fields) != 2 || c.Fields[1].Field != "body.c" {
		t.Errorf("c.Fields = %+v (shares a backing array with b?)", c.Fields)
	}
	b.Fields[0].Message = "changed"
	if base.Fields[0].Message != "A." {
		t.Error("a copy's fields alias the original's")
	}
}

var errWidgetMissing = kernel.NotFound("widget.not_found", "No such widget.")

func TestErrorsIsSentinel(t *testing.T) {
	t.Parallel()
	wrapped := fmt.Errorf("load widget: %w", errWidgetMissing.WithCause(sql.ErrNoRows))
	twice := fmt.Errorf("handler: %w", wrapped)

	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"same sentinel", errWidgetMissing, errWidgetMissing, true},
		{"copy with cause, wrapped", wrapped, errWidgetMissing, true},
		{"wrapped twice", twice, errWidgetMissing, true},
		{"cause through the chain", twice, sql.ErrNoRows, true},
		{"same code, new detail", twice, kernel.NotFound("widget.not_found", "Other words."), true},
		{"other code", twice, kernel.NotFound("gadget.not_found", "No such gadget."), false},
		{"same code, other kind", twice, kernel.Gone("widget.not_found", "No such widget."), false},
		{"plain error", errors.New("widget.not_found"), errWidgetMissing, false},
	}
	for _, tt := range tests {
		if got := errors.Is(tt.err, tt.target); got != tt.want {
			t.Errorf("%s: errors.Is = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAsKindCodeOf(t *testing.T) {
	t.Parallel()
	conflict := kernel.Conflict("tenancy.last_owner", "An organization needs an owner.")
	tests := []struct {
		name string
		err  error
		as   *kernel.Error
		kind kernel.ErrorKind
		code string
	}{
		{"direct", conflict, conflict, kernel.KindConflict, "tenancy.last_owner"},
		{"wrapped", fmt.Errorf("remove member: %w", conflict), conflict, kernel.KindConflict, "tenancy.last_owner"},
		{"joined", errors.Join(errors.New("other"), fmt.Errorf("x: %w", conflict)), conflict, kernel.KindConflict, "tenancy.last_owner"},
		{"plain", errors.New("boom"), nil, kernel.KindInternal, ""},
		{"nil", nil, nil, kernel.KindInternal, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := kernel.AsError(tt.err); got != tt.as {
				t.Errorf("AsError = %v, want %v", got, tt.as)
			}
			if got := kernel.KindOf(tt.err); got != tt.kind {
				t.Errorf("KindOf = %v, want %v", got, tt.kind)
			}
			if got := kernel.CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %q, want %q", got, tt.code)
			}
		})
	}
}

func TestErrorsIsNilTarget(t *testing.T) {
	t.Parallel()
	if errors.Is(errWidgetMissing, (*kernel.Error)(nil)) {
		t.Error("matched a nil target")
	}
}

func TestFieldsOf(t *testing.T) {
	one := kernel.FieldError{Field: "name", Code: "invalid_name", Message: "must not be empty"}
	tests := []struct {
		name string
		err  error
		want []kernel.FieldError
	}{
		{"nil", nil, nil},
		{"field error", kernel.InvalidField("x", "name", "must not be empty"), []kernel.FieldError{one}},
		{"wrapped", fmt.Errorf("create: %w", kernel.Invalid("x.bad", "Bad.", one)), []kernel.FieldError{one}},
		{"plain", errors.New("boom"), []kernel.FieldError{{Message: "boom"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := kernel.FieldsOf(tt.err); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FieldsOf = %#v, want %#v", got, tt.want)
			}
		})
	}
}
