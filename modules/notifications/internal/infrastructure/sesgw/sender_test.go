package sesgw_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/notifications/internal/application"
	"github.com/groundworkhq/groundwork/modules/notifications/internal/infrastructure/sesgw"
)

const (
	testAccessKey = "AKIDGROUNDWORKTEST"
	testSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	testToken     = "session-token-for-tests"
	testRegion    = "sa-east-1"
)

// sendEmailBody is the JSON body of SES v2 SendEmail.
type sendEmailBody struct {
	FromEmailAddress string
	Destination      struct{ ToAddresses []string }
	ReplyToAddresses []string
	Content          struct {
		Simple struct {
			Subject struct{ Data, Charset string }
			Body    struct {
				Text *struct{ Data, Charset string }
				Html *struct{ Data, Charset string }
			}
		}
	}
	EmailTags []struct{ Name, Value string }
}

type seenRequest struct {
	authorization string
	securityToken string
	amzDate       string
	body          sendEmailBody
}

// fakeSES speaks SES v2's REST-JSON SendEmail: POST /v2/email/outbound-emails.
type fakeSES struct {
	// fail, when set, answers instead of accepting.
	fail func(w http.ResponseWriter, body sendEmailBody) bool

	mu       sync.Mutex
	requests []seenRequest
}

func startSES(t *testing.T, fail func(http.ResponseWriter, sendEmailBody) bool) (*fakeSES, *httptest.Server) {
	t.Helper()
	f := &fakeSES{fail: fail}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2/email/outbound-emails", func(w http.ResponseWriter, r *http.Request) {
		var body sendEmailBody
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeAWSError(w, http.StatusBadRequest, "BadRequestException", "malformed body")
			return
		}
		f.mu.Lock()
		f.requests = append(f.requests, seenRequest{
			authorization: r.Header.Get("Authorization"),
			securityToken: r.Header.Get("X-Amz-Security-Token"),
			amzDate:       r.Header.Get("X-Amz-Date"),
			body:          body,
		})
		f.mu.Unlock()
		if f.fail != nil && f.fail(w, body) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-Requestid", "req-1")
		_, _ = w.Write([]byte(`{"MessageId":"010001-test-message-id"}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

// writeAWSError answers with the REST-JSON error shape: the code in the
// X-Amzn-Errortype header and a message in the body.
func writeAWSError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code+":http://internal.amazon.com/coral/com.amazonaws.sesv2/")
	w.Header().Set("X-Amzn-Requestid", "req-err")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
}

func (f *fakeSES) snapshot() []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seenRequest(nil), f.requests...)
}

func newSender(t *testing.T, endpoint string) *sesgw.Sender {
	t.Helper()
	s, err := sesgw.New(t.Context(), sesgw.Options{
		Region: testRegion, Endpoint: endpoint,
		AccessKeyID: testAccessKey, SecretAccessKey: testSecret, SessionToken: testToken,
	})
	if err != nil {
		t.Fatalf("sesgw.New: %v", err)
	}
	return s
}

func sampleEmail() application.Email {
	return application.Email{
		From:           "Acme Café <no-reply@acme.test>",
		To:             []string{"ana@example.test", "bo@example.test"},
		ReplyTo:        "support@acme.test",
		Subject:        "Bem-vinda à Acme ☕",
		HTML:           "<p>Olá Ana</p>",
		Text:           "Olá Ana",
		Tags:           map[string]string{"template": "welcome", "locale": "pt-BR"},
		IdempotencyKey: "welcome-usr_0190",
	}
}

func TestSendCallsSendEmail(t *testing.T) {
	t.Parallel()
	f, srv := startSES(t, nil)
	e := sampleEmail()

	if err := newSender(t, srv.URL).Send(t.Context(), e); err != nil {
		t.Fatalf("Send: %v", err)
	}

	reqs := f.snapshot()
	if len(reqs) != 1 {
		t.Fatalf("server saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	// SigV4: "AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/ses/aws4_request, SignedHeaders=…, Signature=…"
	if !strings.HasPrefix(r.authorization, "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/") ||
		!strings.Contains(r.authorization, "/"+testRegion+"/ses/aws4_request") ||
		!strings.Contains(r.authorization, "Signature=") {
		t.Errorf("Authorization = %q, want a SigV4 signature by %s for %s/ses", r.authorization, testAccessKey, testRegion)
	}
	if strings.Contains(r.authorization, testSecret) {
		t.Errorf("Authorization carries the secret key")
	}
	if r.securityToken != testToken || r.amzDate == "" {
		t.Errorf("X-Amz-Security-Token = %q, X-Amz-Date = %q", r.securityToken, r.amzDate)
	}

	b := r.body
	from, err := mail.ParseAddress(b.FromEmailAddress)
	if err != nil || from.Name != "Acme Café" || from.Address != "no-reply@acme.test" {
		t.Errorf("FromEmailAddress = %q (%v)", b.FromEmailAddress, err)
	}
	if strings.ContainsFunc(b.FromEmailAddress, func(r rune) bool { return r > 127 }) {
		t.Errorf("FromEmailAddress %q is not RFC 2047 encoded", b.FromEmailAddress)
	}
	if !reflect.DeepEqual(b.Destination.ToAddresses, e.To) {
		t.Errorf("ToAddresses = %v, want %v", b.Destination.ToAddresses, e.To)
	}
	if len(b.ReplyToAddresses) != 1 || !strings.Contains(b.ReplyToAddresses[0], e.ReplyTo) {
		t.Errorf("ReplyToAddresses = %v, want [%s]", b.ReplyToAddresses, e.ReplyTo)
	}
	simple := b.Content.Simple
	if simple.Subject.Data != e.Subject || simple.Subject.Charset != "UTF-8" {
		t.Errorf("Subject = %+v", simple.Subject)
	}
	if simple.Body.Text == nil || simple.Body.Text.Data != e.Text || simple.Body.Html == nil || simple.Body.Html.Data != e.HTML {
		t.Errorf("Body = %+v", simple.Body)
	}
	tags := map[string]string{}
	for _, tag := range b.EmailTags {
		tags[tag.Name] = tag.Value
	}
	want := map[string]string{"template": "welcome", "locale": "pt-BR", sesgw.IdempotencyTag: e.IdempotencyKey}
	if !reflect.DeepEqual(tags, want) {
		t.Errorf("EmailTags = %v, want %v", tags, want)
	}
}

func TestSendTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  string
		tags map[string]string
		want map[string]string
	}{
		{"key with invalid tag characters is left out", "welcome/usr:1", nil, map[string]string{}},
		{"no key", "", map[string]string{"template": "welcome"}, map[string]string{"template": "welcome"}},
		{"invalid tags are left out", "k1", map[string]string{"tem plate": "x", "locale": "pt BR", "ok": "yes"},
			map[string]string{"ok": "yes", sesgw.IdempotencyTag: "k1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, srv := startSES(t, nil)
			e := sampleEmail()
			e.IdempotencyKey, e.Tags = tt.key, tt.tags
			if err := newSender(t, srv.URL).Send(t.Context(), e); err != nil {
				t.Fatalf("Send: %v", err)
			}
			reqs := f.snapshot()
			if len(reqs) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(reqs))
			}
			got := map[string]string{}
			for _, tag := range reqs[0].body.EmailTags {
				got[tag.Name] = tag.Value
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("EmailTags = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSendClassifiesFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		respond       func(w http.ResponseWriter)
		wantStatus    int
		wantCode      string
		wantPermanent bool
		wantRetry     time.Duration
	}{
		{
			name: "MessageRejected 400",
			respond: func(w http.ResponseWriter) {
				writeAWSError(w, 400, "MessageRejected", "Email address is not verified: ana@example.test")
			},
			wantStatus: 400, wantCode: "MessageRejected", wantPermanent: true,
		},
		{
			name: "MailFromDomainNotVerified 400",
			respond: func(w http.ResponseWriter) {
				writeAWSError(w, 400, "MailFromDomainNotVerifiedException", "not verified")
			},
			wantStatus: 400, wantCode: "MailFromDomainNotVerifiedException", wantPermanent: true,
		},
		{
			name: "AccountSuspended 400 with code in the body",
			respond: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				_, _ = w.Write([]byte(`{"__type":"com.amazonaws.sesv2#AccountSuspendedException","message":"suspended"}`))
			},
			wantStatus: 400, wantCode: "AccountSuspendedException", wantPermanent: true,
		},
		{
			name: "TooManyRequests 429 with Retry-After",
			respond: func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "4")
				writeAWSError(w, 429, "TooManyRequestsException", "Maximum sending rate exceeded.")
			},
			wantStatus: 429, wantCode: "TooManyRequestsException", wantRetry: 4 * time.Second,
		},
		{
			name: "LimitExceeded 400 code in body field code",
			respond: func(w http.ResponseWriter) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				_, _ = w.Write([]byte(`{"code":"LimitExceededException","message":"Daily message quota exceeded."}`))
			},
			wantStatus: 400, wantCode: "LimitExceededException",
		},
		{
			name: "unknown 403 is permanent",
			respond: func(w http.ResponseWriter) {
				writeAWSError(w, 403, "AccessDeniedException", "not authorized to perform ses:SendEmail")
			},
			wantStatus: 403, wantCode: "AccessDeniedException", wantPermanent: true,
		},
		{
			name: "500 internal error",
			respond: func(w http.ResponseWriter) {
				writeAWSError(w, 500, "InternalServiceErrorException", "oops")
			},
			wantStatus: 500, wantCode: "InternalServiceErrorException",
		},
		{
			name: "502 without a body",
			respond: func(w http.ResponseWriter) {
				w.WriteHeader(http.StatusBadGateway)
			},
			wantStatus: 502,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, srv := startSES(t, func(w http.ResponseWriter, _ sendEmailBody) bool {
				tt.respond(w)
				return true
			})

			err := newSender(t, srv.URL).Send(t.Context(), sampleEmail())

			se := requireSendError(t, err)
			if se.Provider != sesgw.Provider || se.Permanent != tt.wantPermanent || se.Status != tt.wantStatus || se.RetryAfter != tt.wantRetry {
				t.Errorf("got provider=%s permanent=%v status=%d retry=%v, want permanent=%v status=%d retry=%v (%v)",
					se.Provider, se.Permanent, se.Status, se.RetryAfter, tt.wantPermanent, tt.wantStatus, tt.wantRetry, err)
			}
			var apiErr *sesgw.APIError
			if tt.wantCode != "" && (!errors.As(err, &apiErr) || apiErr.Code != tt.wantCode) {
				t.Errorf("error %v does not carry SES code %s", err, tt.wantCode)
			}
			for _, secret := range []string{testSecret, testToken, "ana@example.test"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error leaks %q: %v", secret, err)
				}
			}
			if n := len(f.snapshot()); n != 1 {
				t.Errorf("server saw %d requests, want 1 (the SDK must not retry)", n)
			}
		})
	}
}

func TestSendNetworkFailureIsTransient(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL
	srv.Close()

	err := newSender(t, endpoint).Send(t.Context(), sampleEmail())

	se := requireSendError(t, err)
	if se.Permanent || se.Status != 0 {
		t.Errorf("got permanent=%v status=%d, want transient with no status: %v", se.Permanent, se.Status, err)
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("error leaks the secret key: %v", err)
	}
}

func TestSendUnparsableSenderIsPermanent(t *testing.T) {
	t.Parallel()
	f, srv := startSES(t, nil)
	e := sampleEmail()
	e.From = "no address here"
	se := requireSendError(t, newSender(t, srv.URL).Send(t.Context(), e))
	if !se.Permanent {
		t.Errorf("got transient, want permanent: %v", se)
	}
	if n := len(f.snapshot()); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func TestSendCancelledContextIsTransient(t *testing.T) {
	t.Parallel()
	_, srv := startSES(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	err := newSender(t, srv.URL).Send(ctx, sampleEmail())

	se := requireSendError(t, err)
	if se.Permanent || !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want transient wrapping context.Canceled", err)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    sesgw.Options
		wantErr bool
	}{
		{"static credentials", sesgw.Options{Region: "us-east-1", AccessKeyID: "AKID", SecretAccessKey: "sk-Q7x9vv"}, false},
		{"missing region", sesgw.Options{AccessKeyID: "AKID", SecretAccessKey: "sk-Q7x9vv"}, true},
		{"bad endpoint", sesgw.Options{Region: "us-east-1", Endpoint: "localhost:4566", AccessKeyID: "AKID", SecretAccessKey: "sk-Q7x9vv"}, true},
		{"key without secret", sesgw.Options{Region: "us-east-1", AccessKeyID: "AKID"}, true},
		{"secret without key", sesgw.Options{Region: "us-east-1", SecretAccessKey: "s3cr3t-value"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := sesgw.New(t.Context(), tt.opts)
			if (err != nil) != tt.wantErr {
				t.Errorf("New() error = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && tt.opts.SecretAccessKey != "" && strings.Contains(err.Error(), tt.opts.SecretAccessKey) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

func requireSendError(t *testing.T, err error) *application.SendError {
	t.Helper()
	if err == nil {
		t.Fatal("Send succeeded, want an error")
	}
	var se *application.SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *application.SendError", err, err)
	}
	return se
}
