package smtpgw_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/smtpgw"
)

func TestBuildMessage(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("BRT", -3*60*60))
	e := sampleEmail()

	raw, err := smtpgw.BuildMessage(e, now, "")
	if err != nil {
		t.Fatalf("BuildMessage: %v", err)
	}

	assertWireSafe(t, raw)
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	date, err := msg.Header.Date()
	if err != nil || !date.Equal(now) {
		t.Errorf("Date = %v (%v), want %v", date, err, now)
	}
	if got, want := msg.Header.Get("Message-Id"), "<verify-email/usr_0190@acme.test>"; got != want {
		t.Errorf("Message-ID = %q, want %q", got, want)
	}
	assertEmailParts(t, msg, e)
}

func TestBuildMessageMessageID(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	build := func(key, host string) string {
		t.Helper()
		e := sampleEmail()
		e.IdempotencyKey = key
		raw, err := smtpgw.BuildMessage(e, now, host)
		if err != nil {
			t.Fatalf("BuildMessage: %v", err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("parse message: %v", err)
		}
		return msg.Header.Get("Message-Id")
	}

	if got := build("job-42", "mail.example.test"); got != "<job-42@mail.example.test>" {
		t.Errorf("explicit host: Message-ID = %q", got)
	}
	// A key that is not a dot-atom is hashed: stable, distinct, well-formed.
	a1, a2, b := build("email:usr 1", ""), build("email:usr 1", ""), build("email:usr 2", "")
	if a1 != a2 || a1 == b {
		t.Errorf("hashed Message-IDs: %q, %q, %q; want the first two equal and the third different", a1, a2, b)
	}
	if strings.Contains(a1, " ") || strings.Contains(a1, ":") || !strings.HasSuffix(a1, "@acme.test>") {
		t.Errorf("hashed Message-ID %q is not a clean msg-id", a1)
	}
	// Without a key every message gets its own.
	if r1, r2 := build("", ""), build("", ""); r1 == r2 {
		t.Errorf("random Message-IDs repeat: %q", r1)
	}
}

func TestBuildMessageSinglePart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		text      string
		html      string
		mediaType string
		want      string
	}{
		{"text only", "Só texto,\nsem HTML.", "", "text/plain", "Só texto,\nsem HTML."},
		{"html only", "", "<p>Só HTML</p>", "text/html", "<p>Só HTML</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := sampleEmail()
			e.Text, e.HTML = tt.text, tt.html
			raw, err := smtpgw.BuildMessage(e, time.Now(), "")
			if err != nil {
				t.Fatalf("BuildMessage: %v", err)
			}
			assertWireSafe(t, raw)
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("parse message: %v", err)
			}
			mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
			if err != nil || mediaType != tt.mediaType || params["charset"] != "utf-8" {
				t.Fatalf("Content-Type = %q", msg.Header.Get("Content-Type"))
			}
			if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
				t.Fatalf("Content-Transfer-Encoding = %q", cte)
			}
			body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
			if err != nil {
				t.Fatalf("decode body: %v", err)
			}
			if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != tt.want {
				t.Errorf("body = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBuildMessageRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(*application.Email)
		host   string
	}{
		{"unparsable from", func(e *application.Email) { e.From = "acme" }, ""},
		{"unparsable recipient", func(e *application.Email) { e.To = []string{"x@@y"} }, ""},
		{"unparsable reply-to", func(e *application.Email) { e.ReplyTo = "reply" }, ""},
		{"no recipients", func(e *application.Email) { e.To = nil }, ""},
		{"bad host", func(*application.Email) {}, "bad host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := sampleEmail()
			tt.mutate(&e)
			if _, err := smtpgw.BuildMessage(e, time.Now(), tt.host); err == nil {
				t.Error("BuildMessage succeeded, want an error")
			}
		})
	}
}

func TestBuildMessageEncodesLineBreaksInSubject(t *testing.T) {
	t.Parallel()
	e := sampleEmail()
	e.Subject = "Hello\r\nBcc: victim@example.test"
	raw, err := smtpgw.BuildMessage(e, time.Now(), "")
	if err != nil {
		t.Fatalf("BuildMessage: %v", err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v", err)
	}
	if bcc := msg.Header.Get("Bcc"); bcc != "" {
		t.Fatalf("subject injected a Bcc header: %q", bcc)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != e.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, e.Subject)
	}
}

// assertWireSafe checks raw is 7-bit with CRLF line endings and no line
// longer than RFC 5322's 998 characters.
func assertWireSafe(t *testing.T, raw []byte) {
	t.Helper()
	for i, c := range raw {
		if c >= 0x80 {
			t.Fatalf("byte %d is not 7-bit: %#x", i, c)
		}
		if c == '\n' && (i == 0 || raw[i-1] != '\r') {
			t.Fatalf("bare LF at byte %d", i)
		}
	}
	for n, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line %d is %d characters long", n, len(line))
		}
	}
}

// assertEmailParts checks the headers and both bodies of msg against e.
func assertEmailParts(t *testing.T, msg *mail.Message, e application.Email) {
	t.Helper()
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil {
		t.Fatalf("From: %v", err)
	}
	wantFrom, _ := mail.ParseAddress(e.From)
	if *from != *wantFrom {
		t.Errorf("From = %+v, want %+v", from, wantFrom)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil {
		t.Fatalf("To: %v", err)
	}
	if len(to) != len(e.To) {
		t.Fatalf("To has %d addresses, want %d", len(to), len(e.To))
	}
	for i := range to {
		if to[i].Address != e.To[i] {
			t.Errorf("To[%d] = %q, want %q", i, to[i].Address, e.To[i])
		}
	}
	replyTo, err := mail.ParseAddress(msg.Header.Get("Reply-To"))
	if err != nil || replyTo.Address != e.ReplyTo {
		t.Errorf("Reply-To = %q (%v), want %q", msg.Header.Get("Reply-To"), err, e.ReplyTo)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != e.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, e.Subject)
	}
	if v := msg.Header.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q", v)
	}
	for name, value := range e.Tags {
		if got := msg.Header.Get(smtpgw.TagHeaderPrefix + name); got != value {
			t.Errorf("tag header %s = %q, want %q", name, got, value)
		}
	}

	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for _, want := range []struct{ mediaType, body string }{{"text/plain", e.Text}, {"text/html", e.HTML}} {
		part, err := mr.NextPart()
		if err != nil {
			t.Fatalf("%s part: %v", want.mediaType, err)
		}
		pt, pp, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil || pt != want.mediaType || pp["charset"] != "utf-8" {
			t.Errorf("part Content-Type = %q, want %s; charset=utf-8", part.Header.Get("Content-Type"), want.mediaType)
		}
		// multipart.Reader decodes quoted-printable transparently.
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatalf("read %s part: %v", want.mediaType, err)
		}
		if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != want.body {
			t.Errorf("%s part = %q, want %q", want.mediaType, got, want.body)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after two parts: %v, want io.EOF", err)
	}
}
