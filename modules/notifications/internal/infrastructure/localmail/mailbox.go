package localmail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/smtpgw"
)

// Message is one email read back from a mailbox directory.
type Message struct {
	// Path is the .eml file.
	Path string
	// From is the sender's bare address.
	From string
	// To holds the recipients' bare addresses.
	To []string
	// Subject is decoded from RFC 2047.
	Subject string
	// Text and HTML are the decoded bodies with LF line endings; empty when
	// the message has no such part.
	Text string
	HTML string
	// Headers are the message's raw (still encoded) header fields.
	Headers mail.Header
}

// Tag returns the decoded value of the email's tag name ("" if absent).
func (m Message) Tag(name string) string {
	v, err := new(mime.WordDecoder).DecodeHeader(m.Headers.Get(smtpgw.TagHeaderPrefix + name))
	if err != nil {
		return ""
	}
	return v
}

// ReadMailbox parses every .eml file in dir, sorted by file name (which is
// the order they were written). A missing directory is an empty mailbox.
// It returns an error naming the file that does not parse.
func ReadMailbox(dir string) ([]Message, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read mailbox: %w", err)
	}
	var msgs []Message
	for _, entry := range entries { // os.ReadDir sorts by name
		name := entry.Name()
		if !entry.Type().IsRegular() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".eml") {
			continue
		}
		path := filepath.Join(dir, name)
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		m, err := parseMessage(raw)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		m.Path = path
		msgs = append(msgs, m)
	}
	return msgs, nil
}

func parseMessage(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	m := Message{Headers: msg.Header}
	if from, err := mail.ParseAddress(msg.Header.Get("From")); err == nil {
		m.From = from.Address
	}
	to, err := msg.Header.AddressList("To")
	if err != nil && !errors.Is(err, mail.ErrHeaderNotPresent) {
		return Message{}, fmt.Errorf("to: %w", err)
	}
	for _, a := range to {
		m.To = append(m.To, a.Address)
	}
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Message{}, fmt.Errorf("subject: %w", err)
	}
	if err := m.readBody(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body); err != nil {
		return Message{}, err
	}
	return m, nil
}

// readBody fills Text and HTML from a single part or a multipart tree.
func (m *Message) readBody(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type: %w", err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			// NextPart decodes quoted-printable parts itself and hides
			// their Content-Transfer-Encoding.
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("multipart: %w", err)
			}
			if err := m.readBody(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part); err != nil {
				return err
			}
		}
	}
	if strings.EqualFold(encoding, "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	switch mediaType {
	case "text/plain":
		if m.Text == "" {
			m.Text = text
		}
	case "text/html":
		if m.HTML == "" {
			m.HTML = text
		}
	}
	return nil
}
