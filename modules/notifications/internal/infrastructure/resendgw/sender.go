package resendgw

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/retryafter"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/sendfail"

	"github.com/resend/resend-go/v3"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

// Provider names this adapter in application.SendError.
const Provider = "resend"

// DefaultBaseURL is Resend's API.
const DefaultBaseURL = "https://api.resend.com/"

// DefaultTimeout bounds one API call when Options.HTTPClient is nil.
const DefaultTimeout = 15 * time.Second

// maxIdempotencyKey is Resend's limit on the Idempotency-Key header.
const maxIdempotencyKey = 256

// Options configures a Sender. The fields mirror config.Email's Resend
// settings.
type Options struct {
	// APIKey is the Resend API key; required.
	APIKey string
	// BaseURL overrides Resend's API URL, for tests and proxies (optional
	// absolute http(s) URL; default DefaultBaseURL).
	BaseURL string
	// HTTPClient sends the requests (optional; default a client with a
	// DefaultTimeout timeout). Its Transport is wrapped, not modified.
	HTTPClient *http.Client
}

// Sender delivers email through Resend. It is safe for concurrent use.
type Sender struct {
	client *resend.Client
	clock  kernel.Clock
}

var _ application.EmailSender = (*Sender)(nil)

// New returns a Sender for opts. It does no I/O. It returns an error when
// the API key is missing or BaseURL is not an absolute http(s) URL.
func New(opts Options) (*Sender, error) {
	if strings.TrimSpace(opts.APIKey) == "" {
		return nil, errors.New("resend: api key is required")
	}
	raw := opts.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(raw)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, errors.New("resend: base url must be an absolute http(s) URL")
	}
	// The SDK resolves "emails" against BaseURL: without a trailing slash the
	// last path segment would be replaced.
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}

	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	} else {
		hc.Timeout = DefaultTimeout
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = &recordingTransport{next: next}

	// NewCustomClient starts from the SDK's default base URL, which it reads
	// from RESEND_BASE_URL at init; setting BaseURL here keeps configuration
	// in our hands.
	client := resend.NewCustomClient(&hc, opts.APIKey)
	client.BaseURL = base
	return &Sender{client: client, clock: kernel.SystemClock{}}, nil
}

// Send posts e to Resend's POST /emails with e.IdempotencyKey as the
// Idempotency-Key header. It returns nil once Resend accepted the email, or
// an application.SendError: permanent for a 4xx rejection (validation, an
// unverified domain, a bad API key, a reused key with a different payload),
// transient for 408, 429 (with Retry-After), 5xx, a concurrent request with
// the same key, and network failures. Errors never contain the API key, and
// recipients' addresses in Resend's messages are replaced.
func (s *Sender) Send(ctx context.Context, e application.Email) error {
	req := &resend.SendEmailRequest{
		From:    e.From,
		To:      e.To,
		ReplyTo: e.ReplyTo,
		Subject: e.Subject,
		Html:    e.HTML,
		Text:    e.Text,
	}
	for _, name := range slices.Sorted(maps.Keys(e.Tags)) {
		req.Tags = append(req.Tags, resend.Tag{Name: name, Value: e.Tags[name]})
	}
	// Never pass a nil *SendEmailOptions: the SDK stores it in an interface
	// and calls a value method on it, which panics. An empty key sends no
	// header.
	opts := &resend.SendEmailOptions{IdempotencyKey: idempotencyKey(e.IdempotencyKey)}

	rec := &exchange{}
	_, err := s.client.Emails.SendWithOptions(context.WithValue(ctx, exchangeKey{}, rec), req, opts)
	if err == nil {
		return nil
	}
	return s.classify(ctx, rec, err, e.To)
}

// idempotencyKey keeps keys within Resend's limit without losing stability.
func idempotencyKey(key string) string {
	if key == "" || len(key) <= maxIdempotencyKey {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func (s *Sender) classify(ctx context.Context, rec *exchange, err error, recipients []string) error {
	if rec.status == 0 {
		// No HTTP response: the request never completed.
		return sendfail.Unanswered(ctx, Provider, "send email", 0, 0, err)
	}
	apiErr := &APIError{Status: rec.status}
	if len(rec.body) > 0 {
		var body struct {
			Name    string `json:"name"`
			Message string `json:"message"`
		}
		if json.Unmarshal(rec.body, &body) == nil {
			apiErr.Name, apiErr.Message = body.Name, sendfail.Scrub(body.Message, recipients)
		}
	}
	if apiErr.Message == "" {
		apiErr.Message = sendfail.Scrub(err.Error(), recipients)
	}

	switch status := rec.status; {
	case status >= 200 && status < 300:
		// Accepted, but the answer did not decode. A retry with the same
		// idempotency key returns the original answer without resending.
		return application.Transient(Provider, status, 0, apiErr)
	case sendfail.RetryableStatus(status):
		return application.Transient(Provider, status, retryafter.Parse(rec.retryAfter, s.clock.Now()), apiErr)
	case status == http.StatusConflict && apiErr.Name == "concurrent_idempotent_requests":
		// The first request with this key is still in flight.
		return application.Transient(Provider, status, retryafter.Parse(rec.retryAfter, s.clock.Now()), apiErr)
	case status >= 400:
		return application.Permanent(Provider, status, apiErr)
	default:
		return application.Transient(Provider, status, 0, apiErr)
	}
}

// APIError is Resend's answer to a failed call.
type APIError struct {
	// Status is the HTTP status.
	Status int
	// Name is Resend's error type ("validation_error",
	// "rate_limit_exceeded", …), empty when the body did not say.
	Name string
	// Message is Resend's explanation, with recipients' addresses replaced.
	Message string
}

func (e *APIError) Error() string {
	if e.Name != "" {
		return e.Name + ": " + e.Message
	}
	return e.Message
}

// exchange records what the HTTP layer saw during one Send; the SDK hides
// the status code of most failures.
type exchange struct {
	status     int
	retryAfter string
	body       []byte
}

type exchangeKey struct{}

// maxErrorBody bounds how much of an error response is kept.
const maxErrorBody = 64 << 10

// recordingTransport notes each response's status, Retry-After and (for
// failures) body into the exchange carried by the request's context. The
// SDK builds requests with our context, so concurrent Sends never share an
// exchange.
type recordingTransport struct {
	next http.RoundTripper
}

func (t *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec, ok := r.Context().Value(exchangeKey{}).(*exchange)
	if ok {
		*rec = exchange{} // a redirect's earlier hop must not linger
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil || !ok {
		return resp, err
	}
	var body []byte
	if resp.StatusCode >= 400 && resp.Body != nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		if err != nil {
			return nil, err // a broken response is a transport failure
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec.status = resp.StatusCode
	rec.retryAfter = resp.Header.Get("Retry-After")
	rec.body = body
	return resp, nil
}
