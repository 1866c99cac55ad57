package application

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
)

// Rendered is a template rendered for one recipient.
type Rendered struct {
	Subject, HTML, Text string
	// Locale is the locale actually used after fallback.
	Locale string
}

// TemplateRenderer renders named, localized templates.
type TemplateRenderer interface {
	Render(name, locale string, data map[string]any) (Rendered, error)
}

// EmailRequest asks for a templated email to one recipient.
type EmailRequest struct {
	To       string
	Locale   string
	Template string
	Data     map[string]any
	ReplyTo  string
}

// EmailKind identifies the email IDs minted for idempotency keys.
type EmailKind struct{}

// Prefix returns "eml".
func (EmailKind) Prefix() string { return "eml" }

// ComposeEmail validates req and renders it into an Email from from, with a
// fresh idempotency key. It returns kernel.Invalid for a bad address and the
// renderer's error (unknown template, missing data) wrapped otherwise. It is
// fast and does no I/O, so it runs inside the caller's transaction.
func ComposeEmail(r TemplateRenderer, from string, req EmailRequest) (Email, error) {
	to, err := mail.ParseAddress(strings.TrimSpace(req.To))
	if err != nil || strings.ContainsAny(to.Address, "\r\n") {
		return Email{}, kernel.Invalid("notifications.invalid_recipient", "The recipient is not a valid email address.",
			kernel.FieldError{Field: "to", Code: "invalid_email", Message: "must be an email address"})
	}
	var replyTo string
	if req.ReplyTo != "" {
		rt, err := mail.ParseAddress(req.ReplyTo)
		if err != nil {
			return Email{}, kernel.Invalid("notifications.invalid_reply_to", "The reply-to address is not a valid email address.",
				kernel.FieldError{Field: "replyTo", Code: "invalid_email", Message: "must be an email address"})
		}
		replyTo = rt.Address
	}
	out, err := r.Render(req.Template, req.Locale, req.Data)
	if err != nil {
		return Email{}, fmt.Errorf("render email %s: %w", req.Template, err)
	}
	return Email{
		From:           from,
		To:             []string{to.Address},
		ReplyTo:        replyTo,
		Subject:        out.Subject,
		HTML:           out.HTML,
		Text:           out.Text,
		Tags:           map[string]string{"template": tagValue(req.Template), "locale": tagValue(out.Locale)},
		IdempotencyKey: kernel.NewID[EmailKind]().String(),
	}, nil
}

// tagValue keeps only the characters every provider accepts in tags.
func tagValue(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x80 && isTagChar(byte(r)) {
			return r
		}
		return '_'
	}, s)
}

// IsTagText reports whether s is a non-empty tag name or value of the
// characters every provider accepts: ASCII letters, digits, '_' and '-'.
func IsTagText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTagChar(s[i]) {
			return false
		}
	}
	return true
}

func isTagChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}
