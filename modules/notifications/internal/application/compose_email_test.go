package application_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

type fakeRenderer struct{ err error }

func (f fakeRenderer) Render(name, locale string, data map[string]any) (application.Rendered, error) {
	if f.err != nil {
		return application.Rendered{}, f.err
	}
	return application.Rendered{Subject: "Hello " + name, HTML: "<p>hi</p>", Text: "hi", Locale: "pt-BR"}, nil
}

func TestComposeEmail(t *testing.T) {
	t.Parallel()
	e, err := application.ComposeEmail(fakeRenderer{}, "Acme <no-reply@acme.test>", application.EmailRequest{
		To: " Ana <Ana@Example.com> ", Template: "welcome.v2", Locale: "pt", ReplyTo: "help@acme.test",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(e.To) != 1 || e.To[0] != "Ana@Example.com" || e.From != "Acme <no-reply@acme.test>" || e.ReplyTo != "help@acme.test" {
		t.Errorf("addresses = %+v", e)
	}
	if e.Subject != "Hello welcome.v2" || e.Tags["template"] != "welcome_v2" || e.Tags["locale"] != "pt-BR" {
		t.Errorf("rendered = %+v", e)
	}
	if !strings.HasPrefix(e.IdempotencyKey, "eml_") {
		t.Errorf("idempotency key %q", e.IdempotencyKey)
	}
	e2, _ := application.ComposeEmail(fakeRenderer{}, "x@acme.test", application.EmailRequest{To: "a@b.test"})
	if e2.IdempotencyKey == e.IdempotencyKey {
		t.Error("two emails share an idempotency key")
	}

	for _, to := range []string{"", "not-an-address", "a@b.test\r\nBcc: evil@x.test"} {
		_, err := application.ComposeEmail(fakeRenderer{}, "x@acme.test", application.EmailRequest{To: to})
		if kernel.CodeOf(err) != "notifications.invalid_recipient" {
			t.Errorf("To %q: err = %v, want invalid_recipient", to, err)
		}
	}
	if _, err := application.ComposeEmail(fakeRenderer{}, "x@acme.test", application.EmailRequest{To: "a@b.test", ReplyTo: "nope"}); kernel.CodeOf(err) != "notifications.invalid_reply_to" {
		t.Errorf("bad reply-to: err = %v", err)
	}
	boom := errors.New("missing data")
	if _, err := application.ComposeEmail(fakeRenderer{err: boom}, "x@acme.test", application.EmailRequest{To: "a@b.test"}); !errors.Is(err, boom) {
		t.Errorf("renderer error: %v", err)
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	cause := errors.New("x")
	if p, _ := application.Classify(application.Permanent("resend", 422, cause)); !p {
		t.Error("Permanent not permanent")
	}
	if p, d := application.Classify(application.Transient("resend", 429, 7e9, cause)); p || d != 7e9 {
		t.Errorf("Transient = %v %v", p, d)
	}
	if p, d := application.Classify(cause); p || d != 0 {
		t.Errorf("unclassified = %v %v", p, d)
	}
	wrapped := errors.Join(errors.New("ctx"), application.Permanent("smtp", 550, cause))
	if p, _ := application.Classify(wrapped); !p || !errors.Is(wrapped, cause) {
		t.Error("classification lost through wrapping")
	}
}
