package testkit

import (
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// mailWait bounds waiting for an email (emails are jobs).
const mailWait = 30 * time.Second

// Email is an email read back from the file mailbox (EMAIL_PROVIDER=file,
// the test kit's default).
type Email struct {
	File     string
	To       string
	Subject  string
	Template string
	Text     string
}

// Link returns the first URL in the text body starting with prefix.
func (m Email) Link(t testing.TB, prefix string) string {
	t.Helper()
	for _, u := range urlPattern.FindAllString(m.Text, -1) {
		if strings.HasPrefix(u, prefix) {
			return u
		}
	}
	t.Fatalf("no link starting with %q in %s email:\n%s", prefix, m.Template, m.Text)
	return ""
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// Mailbox parses the .eml files the file email provider wrote, in the
// order they were written.
func (a *App) Mailbox(t testing.TB) []Email {
	t.Helper()
	dir := filepath.Join(a.Config.Database.DataDir, "mailbox")
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".eml") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []Email
	for _, name := range names {
		out = append(out, parseEmail(t, filepath.Join(dir, name)))
	}
	return out
}

func parseEmail(t testing.TB, path string) Email {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	dec := new(mime.WordDecoder)
	m := Email{File: path}
	m.Subject, _ = dec.DecodeHeader(msg.Header.Get("Subject"))
	m.Template, _ = dec.DecodeHeader(msg.Header.Get("X-Groundwork-Tag-template"))
	if to, err := mail.ParseAddress(msg.Header.Get("To")); err == nil {
		m.To = to.Address
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("%s: content type: %v", path, err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		t.Fatalf("%s: %s, want multipart/alternative", path, mediaType)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if strings.HasPrefix(part.Header.Get("Content-Type"), "text/plain") {
			m.Text = strings.ReplaceAll(string(body), "\r\n", "\n")
		}
	}
	return m
}

// WaitEmails polls the mailbox until it holds n emails of template to the
// address, and returns them.
func (a *App) WaitEmails(t testing.TB, to, template string, n int) []Email {
	t.Helper()
	deadline := time.Now().Add(mailWait)
	for {
		var got []Email
		for _, m := range a.Mailbox(t) {
			if strings.EqualFold(m.To, to) && m.Template == template {
				got = append(got, m)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %s emails to %s after %s, want %d", len(got), template, to, mailWait, n)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// WaitEmail waits for the first email of template to the address.
func (a *App) WaitEmail(t testing.TB, to, template string) Email {
	t.Helper()
	return a.WaitEmails(t, to, template, 1)[0]
}
