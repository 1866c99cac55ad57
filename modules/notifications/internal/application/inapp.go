package application

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
)

// NotificationKind is the ID kind of an in-app notification ("ntf").
type NotificationKind struct{}

// Prefix returns "ntf".
func (NotificationKind) Prefix() string { return "ntf" }

// NotificationID identifies an in-app notification. IDs are UUIDv7, so they
// sort by creation time; lists and the live stream page on them.
type NotificationID = kernel.ID[NotificationKind]

// Limits on a notification's fields.
const (
	MaxTypeLen  = 64
	MaxTitleLen = 200
	MaxBodyLen  = 2000
	MaxLinkLen  = 2048
	// MaxDataBytes caps the JSON encoding of Data.
	MaxDataBytes = 8 << 10
)

// Notification is an in-app notification as its recipient sees it, in the
// HTTP API, on the live stream and through the module's Go API.
type Notification struct {
	ID     NotificationID `json:"id" doc:"The notification's ID." example:"ntf_01jh2x5w7e8f9g0h1j2k3m4n5p"`
	UserID kernel.UserID  `json:"userId" doc:"The recipient."`
	// OrganizationID is the organization the notification is about; zero
	// when it concerns the user alone.
	OrganizationID kernel.OrganizationID `json:"organizationId,omitzero" doc:"The organization it is about, if any."`
	Type           string                `json:"type" doc:"What happened, a stable dotted name." example:"billing.payment_failed"`
	Title          string                `json:"title" example:"Your payment failed"`
	Body           string                `json:"body"`
	// Link is where the notification leads: an absolute http(s) URL or a
	// path on the front end ("/billing"); empty for none.
	Link string `json:"link,omitempty" doc:"Where the notification leads: an absolute http(s) URL or a path." example:"/settings/billing"`
	// Data is product-defined JSON; numbers decode as json.Number so they
	// survive a round trip exactly.
	Data      map[string]any `json:"data,omitempty" doc:"Product-defined details."`
	ReadAt    *time.Time     `json:"readAt,omitempty" doc:"When the recipient read it; absent while unread."`
	CreatedAt time.Time      `json:"createdAt"`
}

// NewNotification is an in-app notification to create with Notify.
type NewNotification struct {
	// UserID is the recipient (required).
	UserID kernel.UserID
	// OrganizationID is the organization the notification is about
	// (optional).
	OrganizationID kernel.OrganizationID
	// Type says what happened, 1–64 characters of [a-z0-9._-], e.g.
	// "billing.payment_failed"; front ends pick icons and routing by it.
	Type string
	// Title is 1–200 characters, trimmed.
	Title string
	// Body is up to 2000 characters.
	Body string
	// Link, optional, is where the notification leads: an absolute http(s)
	// URL or a path starting with "/".
	Link string
	// Data, optional, is product-defined JSON of at most 8 KiB encoded.
	Data map[string]any
}

// Error codes of the in-app notifications.
const (
	CodeInvalidNotification = "notifications.invalid_notification"
	CodeNotFound            = "notifications.not_found"
	CodeInvalidCursor       = "notifications.invalid_cursor"
)

// ErrNotFound is returned for a notification that does not exist or belongs
// to someone else: the two are never told apart.
var ErrNotFound = kernel.NotFound(CodeNotFound, "The notification does not exist.")

// ErrUnauthenticated is returned when no user is signed in: the one 401
// of every module.
var ErrUnauthenticated = kernel.ErrUnauthenticated

var validType = regexp.MustCompile(`^[a-z0-9._-]{1,64}$`)

// validate checks n and returns it normalized (title trimmed, Data as it
// will read back from the store) with Data's JSON encoding, or an Invalid
// error listing every bad field.
func (n NewNotification) validate() (NewNotification, error) {
	var fields []kernel.FieldError
	add := func(field, code, msg string) {
		fields = append(fields, kernel.FieldError{Field: "body." + field, Code: code, Message: msg})
	}

	if n.UserID.IsZero() {
		add("userId", "required", "The recipient is required.")
	}
	switch {
	case n.Type == "":
		add("type", "required", "The type is required.")
	case len(n.Type) > MaxTypeLen:
		add("type", "too_long", fmt.Sprintf("The type must be at most %d characters.", MaxTypeLen))
	case !validType.MatchString(n.Type):
		add("type", "invalid", "The type may hold only lower-case letters, digits, '.', '_' and '-'.")
	}

	n.Title = strings.TrimSpace(n.Title)
	switch {
	case n.Title == "":
		add("title", "required", "The title is required.")
	case !utf8.ValidString(n.Title):
		add("title", "invalid", "The title is not valid UTF-8.")
	case utf8.RuneCountInString(n.Title) > MaxTitleLen:
		add("title", "too_long", fmt.Sprintf("The title must be at most %d characters.", MaxTitleLen))
	}

	switch {
	case !utf8.ValidString(n.Body):
		add("body", "invalid", "The body is not valid UTF-8.")
	case utf8.RuneCountInString(n.Body) > MaxBodyLen:
		add("body", "too_long", fmt.Sprintf("The body must be at most %d characters.", MaxBodyLen))
	}

	if n.Link != "" {
		if len(n.Link) > MaxLinkLen {
			add("link", "too_long", fmt.Sprintf("The link must be at most %d characters.", MaxLinkLen))
		} else if !validLink(n.Link) {
			add("link", "invalid", "The link must be an absolute http(s) URL or a path starting with '/'.")
		}
	}

	if n.Data != nil {
		data, err := normalizeData(n.Data)
		switch {
		case err != nil:
			add("data", "invalid", "The data cannot be encoded as JSON.")
		case len(data.encoded) > MaxDataBytes:
			add("data", "too_large", fmt.Sprintf("The data must encode to at most %d bytes of JSON.", MaxDataBytes))
		default:
			n.Data = data.decoded
		}
	}

	if len(fields) > 0 {
		return n, kernel.Invalid(CodeInvalidNotification, "The notification is invalid.", fields...)
	}
	return n, nil
}

// validLink accepts an absolute http or https URL with a host, or a path
// on this site. A protocol-relative "//host" or "/\host" would leave the
// site, and anything with another scheme (javascript:, data:) could run
// code when clicked, so both are refused.
func validLink(s string) bool {
	for _, r := range s {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	if strings.HasPrefix(s, "/") {
		if strings.HasPrefix(s, "//") || strings.HasPrefix(s, `/\`) {
			return false
		}
		_, err := url.Parse(s)
		return err == nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}

type data struct {
	encoded []byte
	decoded map[string]any
}

// normalizeData encodes m and decodes it again, so the caller gets back
// the same shapes (json.Number, []any, map[string]any) a later read gives.
func normalizeData(m map[string]any) (data, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return data{}, err
	}
	decoded, err := DecodeData(b)
	if err != nil {
		return data{}, err
	}
	return data{encoded: b, decoded: decoded}, nil
}

// DecodeData decodes a stored Data column; numbers become json.Number.
// Empty input is nil Data.
func DecodeData(b []byte) (map[string]any, error) {
	if len(b) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode notification data: %w", err)
	}
	return m, nil
}
