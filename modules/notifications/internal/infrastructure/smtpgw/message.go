package smtpgw

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

// TagHeaderPrefix starts the header that carries each of an email's tags
// ("X-Groundwork-Tag-template: welcome"), so a mailbox reader can tell which
// template produced a message.
const TagHeaderPrefix = "X-Groundwork-Tag-"

// maxLine is where BuildMessage folds long header values (RFC 5322 2.1.1
// recommends 78 characters).
const maxLine = 78

// BuildMessage renders e as an RFC 5322 message with CRLF line endings:
// Date (now), Message-ID, From, To, Reply-To, Subject (RFC 2047 encoded when
// it is not plain ASCII), MIME-Version, one X-Groundwork-Tag-<name> header
// per tag, and a body that is multipart/alternative (text/plain then
// text/html) when both bodies are set, or a single part otherwise; parts are
// UTF-8, quoted-printable.
//
// The Message-ID is <key@host> where key is e.IdempotencyKey when it is a
// valid message-id left side, else a hash of it, so a retry of the same
// email carries the same Message-ID; without a key it is random. An empty
// host means the domain of e.From.
//
// BuildMessage returns an error when From, To or ReplyTo does not parse as an
// address, when there is no recipient, or when host is not a valid domain;
// the error never contains the addresses themselves.
func BuildMessage(e application.Email, now time.Time, host string) ([]byte, error) {
	from, err := mail.ParseAddress(e.From)
	if err != nil {
		return nil, fmt.Errorf("parse from address: %w", err)
	}
	if len(e.To) == 0 {
		return nil, errors.New("no recipients")
	}
	to := make([]string, 0, len(e.To))
	for i, raw := range e.To {
		addr, err := mail.ParseAddress(raw)
		if err != nil {
			return nil, fmt.Errorf("parse recipient %d: %w", i, err)
		}
		to = append(to, addr.String())
	}
	var replyTo string
	if e.ReplyTo != "" {
		addr, err := mail.ParseAddress(e.ReplyTo)
		if err != nil {
			return nil, fmt.Errorf("parse reply-to address: %w", err)
		}
		replyTo = addr.String()
	}
	if host == "" {
		host = domainOf(from.Address)
		if !kernel.IsDotAtom(host) {
			host = "localhost"
		}
	}
	if !kernel.IsDotAtom(host) {
		return nil, errors.New("message-id host is not a valid domain")
	}
	id, err := messageIDLeft(e.IdempotencyKey)
	if err != nil {
		return nil, err
	}

	var b bytes.Buffer
	h := headerWriter{b: &b}
	h.write("Date", now.Format(time.RFC1123Z))
	h.write("Message-ID", "<"+id+"@"+host+">")
	h.write("From", from.String())
	h.write("To", strings.Join(to, ", "))
	if replyTo != "" {
		h.write("Reply-To", replyTo)
	}
	h.write("Subject", mime.QEncoding.Encode("utf-8", e.Subject))
	h.write("MIME-Version", "1.0")
	for _, name := range slices.Sorted(maps.Keys(e.Tags)) {
		if !application.IsTagText(name) {
			continue // a tag is a label; one that cannot be a header name is dropped, not fatal
		}
		h.write(TagHeaderPrefix+name, mime.QEncoding.Encode("utf-8", e.Tags[name]))
	}
	if h.err != nil {
		return nil, h.err
	}

	switch {
	case e.Text != "" && e.HTML != "":
		mw := multipart.NewWriter(&b)
		h.write("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
		b.WriteString("\r\n")
		if err := writePart(mw, "text/plain", e.Text); err != nil {
			return nil, err
		}
		if err := writePart(mw, "text/html", e.HTML); err != nil {
			return nil, err
		}
		if err := mw.Close(); err != nil {
			return nil, fmt.Errorf("close multipart body: %w", err)
		}
	case e.HTML != "":
		writeSinglePart(&h, "text/html", e.HTML)
	default:
		writeSinglePart(&h, "text/plain", e.Text)
	}
	return b.Bytes(), h.err
}

func writePart(mw *multipart.Writer, mediaType, body string) error {
	w, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mediaType + "; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return fmt.Errorf("create %s part: %w", mediaType, err)
	}
	return writeQuotedPrintable(w, body)
}

func writeSinglePart(h *headerWriter, mediaType, body string) {
	h.write("Content-Type", mediaType+"; charset=utf-8")
	h.write("Content-Transfer-Encoding", "quoted-printable")
	h.b.WriteString("\r\n")
	if err := writeQuotedPrintable(h.b, body); err != nil && h.err == nil {
		h.err = err
	}
}

func writeQuotedPrintable(w io.Writer, body string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, body); err != nil {
		return fmt.Errorf("encode body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("encode body: %w", err)
	}
	return nil
}

// headerWriter writes folded header fields and remembers the first error.
type headerWriter struct {
	b   *bytes.Buffer
	err error
}

// write emits "name: value" folded at single spaces so lines stay near
// maxLine; folding only where one space separates two words keeps the value
// exact after unfolding. A value with a line break is refused: it would let
// content inject headers.
func (h *headerWriter) write(name, value string) {
	if h.err != nil {
		return
	}
	if strings.ContainsAny(value, "\r\n") {
		h.err = fmt.Errorf("header %s contains a line break", name)
		return
	}
	h.b.WriteString(name)
	h.b.WriteString(":")
	n := len(name) + 1
	words := strings.Split(value, " ")
	for i, w := range words {
		if i == 0 || n+1+len(w) <= maxLine || w == "" || words[i-1] == "" {
			h.b.WriteByte(' ')
			n++
		} else {
			h.b.WriteString("\r\n ")
			n = 1
		}
		h.b.WriteString(w)
		n += len(w)
	}
	h.b.WriteString("\r\n")
}

// messageIDLeft returns the left side of the Message-ID for an idempotency
// key: the key itself when it is a dot-atom of reasonable length, a hash of
// it otherwise, random bytes when there is no key.
func messageIDLeft(key string) (string, error) {
	if key == "" {
		var r [16]byte
		if _, err := rand.Read(r[:]); err != nil {
			return "", fmt.Errorf("random message-id: %w", err)
		}
		return hex.EncodeToString(r[:]), nil
	}
	if len(key) <= 128 && kernel.IsDotAtom(key) {
		return key, nil
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16]), nil
}

func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}
