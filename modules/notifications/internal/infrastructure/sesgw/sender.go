package sesgw

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/mail"
	"net/url"
	"slices"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/retryafter"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/sendfail"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
)

// Provider names this adapter in application.SendError.
const Provider = "ses"

// DefaultTimeout bounds one API call when Options.HTTPClient is nil.
const DefaultTimeout = 15 * time.Second

// IdempotencyTag is the message tag that carries the email's idempotency
// key, when the key is a valid tag value.
const IdempotencyTag = "idempotency_key"

// Options configures a Sender. Region and Endpoint mirror config.SES; the
// static credentials are optional.
type Options struct {
	// Region is the AWS region; required.
	Region string
	// Endpoint overrides the SES base endpoint, for tests and local stacks
	// (optional absolute http(s) URL).
	Endpoint string
	// AccessKeyID, SecretAccessKey and SessionToken are static credentials.
	// When AccessKeyID is empty the SDK's default chain is used
	// (environment, shared files, SSO, web identity, instance roles).
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// HTTPClient sends the requests (optional; default the SDK's client with
	// a DefaultTimeout timeout).
	HTTPClient *http.Client
}

// Sender delivers email through SES. It is safe for concurrent use.
type Sender struct {
	client *sesv2.Client
	clock  kernel.Clock
}

var _ application.EmailSender = (*Sender)(nil)

// New returns a Sender for opts. With static credentials it does no I/O;
// without them it loads the default AWS configuration (environment and
// shared config files) under ctx. Credentials themselves are resolved on the
// first Send. It returns an error when Region is missing, Endpoint is not an
// absolute http(s) URL, only one of the static key parts is set, or the
// default configuration cannot be loaded.
func New(ctx context.Context, opts Options) (*Sender, error) {
	if opts.Region == "" {
		return nil, errors.New("ses: region is required")
	}
	if opts.Endpoint != "" {
		u, err := url.Parse(opts.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("ses: endpoint must be an absolute http(s) URL")
		}
	}
	if (opts.AccessKeyID == "") != (opts.SecretAccessKey == "") {
		return nil, errors.New("ses: access key id and secret access key go together")
	}

	var hc aws.HTTPClient = awshttp.NewBuildableClient().WithTimeout(DefaultTimeout)
	if opts.HTTPClient != nil {
		hc = opts.HTTPClient
	}

	var cfg aws.Config
	if opts.AccessKeyID != "" {
		cfg = aws.Config{
			Region: opts.Region,
			Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
				opts.AccessKeyID, opts.SecretAccessKey, opts.SessionToken)),
			HTTPClient: hc,
		}
	} else {
		var err error
		cfg, err = config.LoadDefaultConfig(ctx, config.WithRegion(opts.Region), config.WithHTTPClient(hc))
		if err != nil {
			return nil, fmt.Errorf("ses: load aws config: %w", err)
		}
	}

	client := sesv2.NewFromConfig(cfg, func(o *sesv2.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		// The emails queue retries with backoff; SDK retries would multiply
		// attempts and, without an idempotency key, duplicates.
		o.Retryer = aws.NopRetryer{}
	})
	return &Sender{client: client, clock: kernel.SystemClock{}}, nil
}

// Send calls SES SendEmail with e as simple content (UTF-8 subject, text
// and HTML bodies), e.Tags and the idempotency tag as message tags. Tags
// that are not valid SES tag names or values are left out rather than fail
// the email. It returns nil once SES accepted the email, or an
// application.SendError classified as the package documentation describes.
// Errors never contain credentials, and recipients' addresses in SES's
// messages are replaced.
func (s *Sender) Send(ctx context.Context, e application.Email) error {
	from, err := mail.ParseAddress(e.From)
	if err != nil {
		return application.Permanent(Provider, 0, fmt.Errorf("parse from address: %w", err))
	}
	in := &sesv2.SendEmailInput{
		// String() encodes a non-ASCII display name as RFC 2047, as SES
		// requires.
		FromEmailAddress: aws.String(from.String()),
		Destination:      &types.Destination{ToAddresses: e.To},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: aws.String(e.Subject), Charset: aws.String("UTF-8")},
			Body:    &types.Body{},
		}},
	}
	if e.ReplyTo != "" {
		replyTo, err := mail.ParseAddress(e.ReplyTo)
		if err != nil {
			return application.Permanent(Provider, 0, fmt.Errorf("parse reply-to address: %w", err))
		}
		in.ReplyToAddresses = []string{replyTo.String()}
	}
	if e.Text != "" {
		in.Content.Simple.Body.Text = &types.Content{Data: aws.String(e.Text), Charset: aws.String("UTF-8")}
	}
	if e.HTML != "" {
		in.Content.Simple.Body.Html = &types.Content{Data: aws.String(e.HTML), Charset: aws.String("UTF-8")}
	}
	for _, name := range slices.Sorted(maps.Keys(e.Tags)) {
		if name != IdempotencyTag && validTag(name) && validTag(e.Tags[name]) {
			in.EmailTags = append(in.EmailTags, types.MessageTag{Name: aws.String(name), Value: aws.String(e.Tags[name])})
		}
	}
	if validTag(e.IdempotencyKey) {
		in.EmailTags = append(in.EmailTags, types.MessageTag{Name: aws.String(IdempotencyTag), Value: aws.String(e.IdempotencyKey)})
	}

	if _, err := s.client.SendEmail(ctx, in); err != nil {
		return s.classify(ctx, err, e.To)
	}
	return nil
}

// Error codes that mean "try again later" even though some come with a 4xx.
var transientCodes = map[string]bool{
	"TooManyRequestsException": true,
	"LimitExceededException":   true,
	"Throttling":               true,
	"ThrottlingException":      true,
	"ThrottledException":       true,
	"RequestThrottled":         true,
	"RequestTimeout":           true,
	"RequestTimeoutException":  true,
	"ExpiredToken":             true, // refreshed credentials fix it
	"ExpiredTokenException":    true,
	"RequestExpired":           true, // clock skew; the SDK corrects it on the next call
	"InternalFailure":          true,
	"ServiceUnavailable":       true,
}

// Error codes that reject this email; SES answers them with 400 (or 403/404).
var permanentCodes = map[string]bool{
	"MessageRejected":                    true,
	"MailFromDomainNotVerifiedException": true,
	"BadRequestException":                true,
	"NotFoundException":                  true,
	"AccountSuspendedException":          true,
	"SendingPausedException":             true,
}

func (s *Sender) classify(ctx context.Context, err error, recipients []string) error {
	status, retryAfter := 0, time.Duration(0)
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		status = re.HTTPStatusCode()
		retryAfter = retryafter.Parse(re.Response.Header.Get("Retry-After"), s.clock.Now())
	}

	var ae smithy.APIError
	if !errors.As(err, &ae) {
		// No answer from SES: transport, credentials or context.
		return sendfail.Unanswered(ctx, Provider, "send email", status, retryAfter, err)
	}
	apiErr := &APIError{Status: status, Code: ae.ErrorCode(), Message: sendfail.Scrub(ae.ErrorMessage(), recipients)}
	if re != nil {
		apiErr.RequestID = re.ServiceRequestID()
	}
	if apiErr.Message == apiErr.Code && status != 0 {
		// The SDK's placeholder for a body without a message.
		apiErr.Message = http.StatusText(status)
	}

	switch {
	case transientCodes[apiErr.Code]:
		return application.Transient(Provider, status, retryAfter, apiErr)
	case permanentCodes[apiErr.Code]:
		return application.Permanent(Provider, status, apiErr)
	case sendfail.RetryableStatus(status):
		return application.Transient(Provider, status, retryAfter, apiErr)
	case status >= 400:
		return application.Permanent(Provider, status, apiErr)
	case ae.ErrorFault() == smithy.FaultClient:
		return application.Permanent(Provider, status, apiErr)
	default:
		return application.Transient(Provider, status, retryAfter, apiErr)
	}
}

// APIError is SES's answer to a failed call.
type APIError struct {
	// Status is the HTTP status (0 if unknown).
	Status int
	// Code is the SES error code ("MessageRejected", …).
	Code string
	// Message is SES's explanation, with recipients' addresses replaced.
	Message string
	// RequestID identifies the call for AWS support.
	RequestID string
}

func (e *APIError) Error() string {
	s := e.Code + ": " + e.Message
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// validTag reports whether s may be an SES tag name or value: ASCII
// letters, digits, '_' and '-', 1–256 characters.
func validTag(s string) bool { return len(s) <= 256 && application.IsTagText(s) }
