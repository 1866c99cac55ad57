package localmail_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/localmail"
)

func sampleEmail(key string) application.Email {
	return application.Email{
		From:           "Acme <no-reply@acme.test>",
		To:             []string{"ana@example.test", "bo@example.test"},
		ReplyTo:        "support@acme.test",
		Subject:        "Confirme o seu endereço, Ana — ☕",
		Text:           "Olá Ana,\nabra https://app.acme.test/verify?token=t0k3n para confirmar.\nAté já!",
		HTML:           `<p>Olá Ana,</p><p><a href="https://app.acme.test/verify?token=t0k3n">Confirmar</a></p>`,
		Tags:           map[string]string{"template": "verify-email"},
		IdempotencyKey: key,
	}
}

func TestLogSender(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	e := sampleEmail("verify-email/usr_1")

	if err := localmail.NewLog(logger).Send(t.Context(), e); err != nil {
		t.Fatalf("Send: %v", err)
	}

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("logged %d lines, want 1: %s", len(lines), buf.String())
	}
	var got struct {
		Level          string   `json:"level"`
		To             []string `json:"to"`
		Subject        string   `json:"subject"`
		Text           string   `json:"text"`
		IdempotencyKey string   `json:"idempotency_key"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatalf("decode log line: %v", err)
	}
	if got.Level != "INFO" {
		t.Errorf("level = %q, want INFO", got.Level)
	}
	if !slices.Equal(got.To, e.To) {
		t.Errorf("to = %v, want %v", got.To, e.To)
	}
	if got.Subject != e.Subject || got.Text != e.Text || got.IdempotencyKey != e.IdempotencyKey {
		t.Errorf("logged subject=%q text=%q key=%q, want %q %q %q",
			got.Subject, got.Text, got.IdempotencyKey, e.Subject, e.Text, e.IdempotencyKey)
	}
	var attrs map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &attrs); err != nil {
		t.Fatalf("decode log line: %v", err)
	}
	// The JSON handler escapes '<', so look at decoded values, not the raw line.
	for k, v := range attrs {
		if str, ok := v.(string); ok && strings.Contains(str, "<p>") {
			t.Errorf("the HTML body was logged as %q", k)
		}
	}
}

func TestNoneSenderDropsEverything(t *testing.T) {
	t.Parallel()
	var s application.EmailSender = localmail.NewNone()
	for _, e := range []application.Email{sampleEmail("k"), {}} {
		if err := s.Send(t.Context(), e); err != nil {
			t.Errorf("Send(%+v) = %v, want nil", e, err)
		}
	}
}

func TestFileSenderRoundTrip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mail", "box") // created on first send
	s := localmail.NewFile(dir)
	first, second := sampleEmail("verify-email/usr_1"), sampleEmail("reset-password:usr_1")
	second.Subject = "Redefinir a senha — Ação necessária"
	second.Text = "Use este link: https://app.acme.test/reset?token=r3s3t"
	second.HTML = ""
	second.Tags = map[string]string{"template": "reset-password"}

	for _, e := range []application.Email{first, second} {
		if err := s.Send(t.Context(), e); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}

	info, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("stat mailbox: %v", err)
	}
	if perm := info.Mode().Perm(); perm&^0o750 != 0 {
		t.Errorf("mailbox mode = %o, want at most 0750", perm)
	}
	msgs, err := localmail.ReadMailbox(dir)
	if err != nil {
		t.Fatalf("ReadMailbox: %v", err)
	}
	if len(msgs) != 2 {
		t.Fatalf("mailbox holds %d messages, want 2", len(msgs))
	}
	for i, want := range []application.Email{first, second} {
		got := msgs[i]
		if got.From != "no-reply@acme.test" || !slices.Equal(got.To, want.To) {
			t.Errorf("message %d: from=%q to=%v", i, got.From, got.To)
		}
		if got.Subject != want.Subject {
			t.Errorf("message %d: subject = %q, want %q", i, got.Subject, want.Subject)
		}
		if got.Text != want.Text || got.HTML != want.HTML {
			t.Errorf("message %d: text=%q html=%q, want %q %q", i, got.Text, got.HTML, want.Text, want.HTML)
		}
		if got.Tag("template") != want.Tags["template"] {
			t.Errorf("message %d: template tag = %q", i, got.Tag("template"))
		}
		if filepath.Dir(got.Path) != dir || !strings.HasSuffix(got.Path, ".eml") {
			t.Errorf("message %d: path = %q", i, got.Path)
		}
		if got.Headers.Get("Message-Id") == "" {
			t.Errorf("message %d has no Message-ID", i)
		}
	}
	namePattern := regexp.MustCompile(`^\d{8}T\d{6}\.\d{9}Z-verify-email_usr_1_[0-9a-f]{12}\.eml$`)
	if name := filepath.Base(msgs[0].Path); !namePattern.MatchString(name) {
		t.Errorf("file name %q is not <UTC timestamp>-<sanitized key>.eml", name)
	}
	assertNoTempFiles(t, dir)
}

func TestFileSenderIsIdempotent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := localmail.NewFile(dir)
	e := sampleEmail("welcome/usr_7")

	for range 2 {
		if err := s.Send(t.Context(), e); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	// Same key, different content: still the first message only.
	changed := e
	changed.Subject = "something else"
	if err := s.Send(t.Context(), changed); err != nil {
		t.Fatalf("Send: %v", err)
	}
	// A key that merely ends like the first one is a different email.
	other := sampleEmail("x-welcome/usr_7")
	if err := s.Send(t.Context(), other); err != nil {
		t.Fatalf("Send: %v", err)
	}

	msgs, err := localmail.ReadMailbox(dir)
	if err != nil {
		t.Fatalf("ReadMailbox: %v", err)
	}
	if len(msgs) != 2 {
		t.Fatalf("mailbox holds %d messages, want 2", len(msgs))
	}
	if msgs[0].Subject != e.Subject {
		t.Errorf("first message subject = %q, want the original %q", msgs[0].Subject, e.Subject)
	}
}

func TestFileSenderConcurrentSameKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := localmail.NewFile(dir)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() { errs <- s.Send(context.Background(), sampleEmail("same-key")) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	msgs, err := localmail.ReadMailbox(dir)
	if err != nil {
		t.Fatalf("ReadMailbox: %v", err)
	}
	if len(msgs) != 1 {
		t.Fatalf("mailbox holds %d messages, want 1", len(msgs))
	}
}

func TestFileSenderWithoutKeyWritesEveryEmail(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := localmail.NewFile(dir)
	for range 3 {
		if err := s.Send(t.Context(), sampleEmail("")); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	msgs, err := localmail.ReadMailbox(dir)
	if err != nil {
		t.Fatalf("ReadMailbox: %v", err)
	}
	if len(msgs) != 3 {
		t.Fatalf("mailbox holds %d messages, want 3", len(msgs))
	}
}

func TestFileSenderClassifiesFailures(t *testing.T) {
	t.Parallel()

	t.Run("unbuildable email is permanent", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		e := sampleEmail("bad")
		e.To = []string{"not an address"}
		err := localmail.NewFile(dir).Send(t.Context(), e)
		if permanent, _ := application.Classify(err); err == nil || !permanent {
			t.Fatalf("Send = %v, want a permanent error", err)
		}
		if strings.Contains(err.Error(), "not an address") {
			t.Errorf("error echoes the recipient: %v", err)
		}
	})

	t.Run("unwritable mailbox is transient", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "occupied")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		err := localmail.NewFile(filepath.Join(file, "mail")).Send(t.Context(), sampleEmail("k"))
		var se *application.SendError
		if !errors.As(err, &se) || se.Permanent {
			t.Fatalf("Send = %v, want a transient SendError", err)
		}
	})
}

func TestReadMailbox(t *testing.T) {
	t.Parallel()

	t.Run("missing directory is empty", func(t *testing.T) {
		t.Parallel()
		msgs, err := localmail.ReadMailbox(filepath.Join(t.TempDir(), "nope"))
		if err != nil || len(msgs) != 0 {
			t.Fatalf("ReadMailbox = %v, %v; want empty, nil", msgs, err)
		}
	})

	t.Run("skips temporary and foreign files", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := localmail.NewFile(dir).Send(t.Context(), sampleEmail("k1")); err != nil {
			t.Fatalf("Send: %v", err)
		}
		for _, name := range []string{".incoming-123", "notes.txt"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte("garbage"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		msgs, err := localmail.ReadMailbox(dir)
		if err != nil || len(msgs) != 1 {
			t.Fatalf("ReadMailbox = %d messages, %v; want 1, nil", len(msgs), err)
		}
	})

	t.Run("reports a broken file", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "20260101T000000.000000000Z-x.eml"), []byte("no headers here"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := localmail.ReadMailbox(dir); err == nil {
			t.Fatal("ReadMailbox succeeded on a broken file")
		}
	})
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}
