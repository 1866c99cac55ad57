package s3store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/providertest"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/s3store"
)

const (
	testKeyID  = "AKID"
	testSecret = "SECRET"
	testRegion = "us-east-1"
	testBucket = "uploads"
)

// fixture is one in-process S3 (gofakes3) holding testBucket, the SDK
// client that arranges and inspects it, and the requests it received.
type fixture struct {
	srv    *httptest.Server
	client *s3.Client
	seen   *recorder
}

func setup(t *testing.T) *fixture {
	t.Helper()
	seen := &recorder{}
	faker := gofakes3.New(s3mem.New())
	srv := httptest.NewServer(seen.wrap(faker.Server()))
	t.Cleanup(srv.Close)

	client := s3.New(s3.Options{
		Region:                     testRegion,
		Credentials:                credentials.NewStaticCredentialsProvider(testKeyID, testSecret, ""),
		BaseEndpoint:               aws.String(srv.URL),
		UsePathStyle:               true,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(testBucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	return &fixture{srv: srv, client: client, seen: seen}
}

// provider is an adapter for f's server; edit changes its options.
func (f *fixture) provider(t *testing.T, edit func(*s3store.Options)) *s3store.Provider {
	t.Helper()
	opts := s3store.Options{
		Bucket:         testBucket,
		Region:         testRegion,
		Endpoint:       f.srv.URL,
		ForcePathStyle: true,
		Credentials:    credentials.NewStaticCredentialsProvider(testKeyID, testSecret, ""),
	}
	if edit != nil {
		edit(&opts)
	}
	p, err := s3store.New(t.Context(), opts)
	if err != nil {
		t.Fatalf("s3store.New: %v", err)
	}
	return p
}

// recorder keeps the method and headers of every request the server got.
type recorder struct {
	mu   sync.Mutex
	reqs []seenRequest
}

type seenRequest struct {
	method, path string
	header       http.Header
}

func (r *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.reqs = append(r.reqs, seenRequest{method: req.Method, path: req.URL.Path, header: req.Header.Clone()})
		r.mu.Unlock()
		next.ServeHTTP(w, req)
	})
}

// find returns the requests with method for key in testBucket.
func (r *recorder) find(method, key string) []seenRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []seenRequest
	for _, req := range r.reqs {
		if req.method == method && req.path == "/"+testBucket+"/"+key {
			out = append(out, req)
		}
	}
	return out
}

// requireOne returns the one request with method for key.
func (r *recorder) requireOne(t *testing.T, method, key string) http.Header {
	t.Helper()
	reqs := r.find(method, key)
	if len(reqs) != 1 {
		t.Fatalf("server got %d %s requests for %s, want 1", len(reqs), method, key)
	}
	return reqs[0].header
}

// checkPlainPut checks that a PutObject of body sent no ACL and no
// checksum (R2 and MinIO refuse the SDK's default CRC32), only the SigV4
// signature over the body's SHA-256 by testKeyID.
func checkPlainPut(t *testing.T, h http.Header, body []byte) {
	t.Helper()
	if acl := h.Get("X-Amz-Acl"); acl != "" {
		t.Errorf("PutObject sent ACL %q; buckets with ACLs disabled refuse it", acl)
	}
	for name := range h {
		if strings.HasPrefix(name, "X-Amz-Checksum-") || name == "X-Amz-Sdk-Checksum-Algorithm" || name == "X-Amz-Trailer" {
			t.Errorf("PutObject sent %s: %s", name, h.Get(name))
		}
	}
	if enc := h.Get("Content-Encoding"); enc != "" {
		t.Errorf("PutObject sent Content-Encoding %q, want a plain body", enc)
	}
	sum := sha256.Sum256(body)
	if got := h.Get("X-Amz-Content-Sha256"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("X-Amz-Content-Sha256 = %q, want the body's SHA-256", got)
	}
	if auth := h.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+testKeyID+"/") {
		t.Errorf("Authorization = %q, want a SigV4 signature by %s", auth, testKeyID)
	}
}

func TestProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// publicURL puts public objects under a CDN-like base that is the
		// bucket's path on the server (gofakes3 serves GetObject without
		// authentication); otherwise they are at the bucket's own
		// path-style URL on the endpoint.
		publicURL bool
	}{
		{"public URL", true},
		{"bucket URL", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			p := f.provider(t, func(o *s3store.Options) {
				if tt.publicURL {
					o.PublicURL = f.srv.URL + "/" + testBucket + "/"
				}
			})
			// Nothing is skipped: gofakes3 serves public and presigned
			// GETs. It does not verify signatures, so the signed fetch
			// proves the URL's shape and route, not its signature.
			providertest.Run(t, p, providertest.Options{})
		})
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	if got := setup(t).provider(t, nil).Name(); got != "s3" {
		t.Errorf("Name() = %q, want s3", got)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	creds := credentials.NewStaticCredentialsProvider(testKeyID, testSecret, "")
	tests := []struct {
		name    string
		opts    s3store.Options
		wantErr string
	}{
		{"minimal", s3store.Options{Bucket: "avatars", Region: "eu-west-1", Credentials: creds}, ""},
		{"everything", s3store.Options{Bucket: "avatars", Region: "auto", Endpoint: "https://acct.r2.cloudflarestorage.com",
			PublicURL: "https://cdn.acme.com", ForcePathStyle: true, HTTPClient: &http.Client{}, Credentials: creds}, ""},
		{"missing bucket", s3store.Options{Region: "eu-west-1", Credentials: creds}, "bucket is required"},
		{"missing region", s3store.Options{Bucket: "avatars", Credentials: creds}, "region is required"},
		{"endpoint without scheme", s3store.Options{Bucket: "avatars", Region: "eu-west-1", Endpoint: "minio:9000", Credentials: creds}, "endpoint"},
		{"endpoint not http", s3store.Options{Bucket: "avatars", Region: "eu-west-1", Endpoint: "ftp://minio", Credentials: creds}, "endpoint"},
		{"public URL without scheme", s3store.Options{Bucket: "avatars", Region: "eu-west-1", PublicURL: "cdn.acme.com", Credentials: creds}, "public URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := s3store.New(t.Context(), tt.opts)
			if tt.wantErr == "" {
				if err != nil || p == nil {
					t.Fatalf("New() = %v, %v; want a provider", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New() error = %v, want one about %q", err, tt.wantErr)
			}
		})
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts s3store.Options
		key  string
		want string
	}{
		{"public URL", s3store.Options{PublicURL: "https://cdn.acme.com"},
			"avatars/ab12.png", "https://cdn.acme.com/avatars/ab12.png"},
		{"public URL with trailing slash", s3store.Options{PublicURL: "https://cdn.acme.com/"},
			"avatars/ab12.png", "https://cdn.acme.com/avatars/ab12.png"},
		{"public URL with a path", s3store.Options{PublicURL: "https://acme.com/files/", Endpoint: "http://localhost:9000"},
			"avatars/ab12.png", "https://acme.com/files/avatars/ab12.png"},
		{"virtual-hosted", s3store.Options{},
			"avatars/ab12.png", "https://media.s3.us-east-1.amazonaws.com/avatars/ab12.png"},
		{"virtual-hosted in another region", s3store.Options{Region: "eu-west-1"},
			"logos/x.jpg", "https://media.s3.eu-west-1.amazonaws.com/logos/x.jpg"},
		{"virtual-hosted in China", s3store.Options{Region: "cn-north-1"},
			"logos/x.jpg", "https://media.s3.cn-north-1.amazonaws.com.cn/logos/x.jpg"},
		{"path-style on AWS", s3store.Options{Region: "eu-west-1", ForcePathStyle: true},
			"logos/x.jpg", "https://s3.eu-west-1.amazonaws.com/media/logos/x.jpg"},
		{"bucket with dots is path-style", s3store.Options{Bucket: "media.acme.com"},
			"logos/x.jpg", "https://s3.us-east-1.amazonaws.com/media.acme.com/logos/x.jpg"},
		{"endpoint is path-style", s3store.Options{Endpoint: "http://localhost:9000"},
			"files/a.pdf", "http://localhost:9000/media/files/a.pdf"},
		{"endpoint with trailing slash", s3store.Options{Endpoint: "http://localhost:9000/", ForcePathStyle: true},
			"files/a.pdf", "http://localhost:9000/media/files/a.pdf"},
		{"R2 endpoint", s3store.Options{Region: "auto", Endpoint: "https://acct.r2.cloudflarestorage.com"},
			"files/a.pdf", "https://acct.r2.cloudflarestorage.com/media/files/a.pdf"},
		{"segments are escaped", s3store.Options{PublicURL: "https://cdn.acme.com"},
			"files/a b?#%.txt", "https://cdn.acme.com/files/a%20b%3F%23%25.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := tt.opts
			if opts.Bucket == "" {
				opts.Bucket = "media"
			}
			if opts.Region == "" {
				opts.Region = testRegion
			}
			opts.Credentials = credentials.NewStaticCredentialsProvider(testKeyID, testSecret, "")
			p, err := s3store.New(t.Context(), opts)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if got := p.URL(tt.key); got != tt.want {
				t.Errorf("URL(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestPutStoresTypeAndCachePolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		private      bool
		cacheControl string
	}{
		{"public", false, application.PublicCacheControl},
		{"private", true, application.PrivateCacheControl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			p := f.provider(t, nil)
			key := "files/" + tt.name + ".pdf"
			body := []byte("%PDF-1.7 " + tt.name)

			err := p.Put(t.Context(), application.Object{Key: key, Body: bytes.NewReader(body), Size: int64(len(body)),
				ContentType: "application/pdf", Private: tt.private})
			if err != nil {
				t.Fatalf("Put: %v", err)
			}

			head, err := f.client.HeadObject(t.Context(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("HeadObject: %v", err)
			}
			if ct := aws.ToString(head.ContentType); ct != "application/pdf" {
				t.Errorf("stored Content-Type = %q, want application/pdf", ct)
			}
			if n := aws.ToInt64(head.ContentLength); n != int64(len(body)) {
				t.Errorf("stored Content-Length = %d, want %d", n, len(body))
			}
			// gofakes3 v1.2.0 keeps only Content-Type, Content-Disposition,
			// Content-Encoding and X-Amz-* headers of a PutObject, so
			// HeadObject cannot return the Cache-Control: it is checked on
			// the PutObject request as the server received it.
			h := f.seen.requireOne(t, http.MethodPut, key)
			if cc := h.Get("Cache-Control"); cc != tt.cacheControl {
				t.Errorf("PutObject Cache-Control = %q, want %q", cc, tt.cacheControl)
			}
			checkPlainPut(t, h, body)
		})
	}
}

// TestDefaultCredentialChain builds the provider without Credentials, as
// production does: the SDK's chain finds the environment's keys, and the
// checksum settings override the default configuration's, which would
// send CRC32 checksums.
func TestDefaultCredentialChain(t *testing.T) {
	// No t.Parallel: t.Setenv.
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":                testKeyID,
		"AWS_SECRET_ACCESS_KEY":            testSecret,
		"AWS_SESSION_TOKEN":                "",
		"AWS_PROFILE":                      "",
		"AWS_CONFIG_FILE":                  dir + "/config",
		"AWS_SHARED_CREDENTIALS_FILE":      dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED":        "true",
		"AWS_ENDPOINT_URL":                 "",
		"AWS_ENDPOINT_URL_S3":              "",
		"AWS_REQUEST_CHECKSUM_CALCULATION": "when_supported",
		"AWS_RESPONSE_CHECKSUM_VALIDATION": "when_supported",
	} {
		t.Setenv(k, v)
	}
	f := setup(t)
	p := f.provider(t, func(o *s3store.Options) { o.Credentials = nil })
	key := "files/chain.txt"
	body := []byte("signed with the environment's keys")

	if err := p.Put(t.Context(), application.Object{Key: key, Body: bytes.NewReader(body), Size: int64(len(body)), ContentType: "text/plain"}); err != nil {
		t.Fatalf("Put: %v", err)
	}
	checkPlainPut(t, f.seen.requireOne(t, http.MethodPut, key), body)

	rc, _, err := p.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	_ = rc.Close()
	if mode := f.seen.requireOne(t, http.MethodGet, key).Get("X-Amz-Checksum-Mode"); mode != "" {
		t.Errorf("GetObject sent X-Amz-Checksum-Mode %q, want checksums validated only when required", mode)
	}
}

// onlyReader hides every method but Read, as a request body does.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(b []byte) (int, error) { return o.r.Read(b) }

func TestPutBodies(t *testing.T) {
	t.Parallel()
	partlyRead := func() io.Reader {
		r := strings.NewReader("skip:kept bytes")
		_, _ = r.Seek(int64(len("skip:")), io.SeekStart)
		return r
	}
	tests := []struct {
		name    string
		body    func() io.Reader
		size    int64
		want    string // what Open returns; "" when Put must fail
		wantErr string
	}{
		{"unseekable body is buffered", func() io.Reader { return onlyReader{strings.NewReader("streamed bytes")} }, 14, "streamed bytes", ""},
		{"seeker from its position", partlyRead, 10, "kept bytes", ""},
		{"empty", func() io.Reader { return strings.NewReader("") }, 0, "", ""},
		{"nil body of size 0", func() io.Reader { return nil }, 0, "", ""},
		{"seeker shorter than size", func() io.Reader { return strings.NewReader("short") }, 9, "", "holds 5 bytes, size says 9"},
		{"seeker longer than size", func() io.Reader { return strings.NewReader("too long") }, 3, "", "holds 8 bytes, size says 3"},
		{"stream shorter than size", func() io.Reader { return onlyReader{strings.NewReader("short")} }, 9, "", "holds 5 bytes, size says 9"},
		{"stream longer than size", func() io.Reader { return onlyReader{strings.NewReader("too long")} }, 3, "", "more than the 3 bytes"},
		{"negative size", func() io.Reader { return strings.NewReader("") }, -1, "", "negative size"},
		{"unreadable stream", func() io.Reader { return onlyReader{iotestErrReader{}} }, 4, "", "read body: client went away"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			p := f.provider(t, nil)
			key := "files/body.txt"

			err := p.Put(t.Context(), application.Object{Key: key, Body: tt.body(), Size: tt.size, ContentType: "text/plain"})

			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Put error = %v, want one saying %q", err, tt.wantErr)
				}
				if errors.Is(err, application.ErrUnavailable) {
					t.Errorf("Put error %v is Unavailable; a bad body is the caller's fault", err)
				}
				if n := len(f.seen.find(http.MethodPut, key)); n != 0 {
					t.Errorf("server got %d PUTs, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Put: %v", err)
			}
			rc, info, err := p.Open(t.Context(), key)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if string(got) != tt.want || info.Size != tt.size {
				t.Errorf("Open = %q (size %d), want %q (size %d)", got, info.Size, tt.want, tt.size)
			}
		})
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("client went away") }

func TestMissingBucketIsUnavailable(t *testing.T) {
	t.Parallel()
	f := setup(t)
	p := f.provider(t, func(o *s3store.Options) { o.Bucket = "no-such-bucket" })

	checkErr := p.Check(t.Context())
	if !errors.Is(checkErr, application.ErrUnavailable) || !strings.Contains(checkErr.Error(), `"no-such-bucket"`) {
		t.Errorf("Check = %v, want Unavailable naming the bucket", checkErr)
	}
	_, _, openErr := p.Open(t.Context(), "files/a.txt")
	if !errors.Is(openErr, application.ErrUnavailable) || errors.Is(openErr, application.ErrNotFound) {
		t.Errorf("Open = %v, want Unavailable (a missing bucket is not a missing file)", openErr)
	}
	for _, err := range []error{checkErr, openErr} {
		if err != nil && strings.Contains(err.Error(), testSecret) {
			t.Errorf("error leaks the secret key: %v", err)
		}
	}
}

func TestSignedURL(t *testing.T) {
	t.Parallel()
	f := setup(t)
	p := f.provider(t, nil)
	key := "files/report.pdf"
	expires := time.Now().Add(10 * time.Minute)

	raw, err := p.SignedURL(t.Context(), key, expires)
	if err != nil {
		t.Fatalf("SignedURL: %v", err)
	}

	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	if got, want := u.Scheme+"://"+u.Host+u.Path, f.srv.URL+"/"+testBucket+"/"+key; got != want {
		t.Errorf("signed URL is for %s, want %s", got, want)
	}
	q := u.Query()
	if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
		t.Errorf("X-Amz-Algorithm = %q", q.Get("X-Amz-Algorithm"))
	}
	if cred := q.Get("X-Amz-Credential"); !strings.HasPrefix(cred, testKeyID+"/") || !strings.HasSuffix(cred, "/"+testRegion+"/s3/aws4_request") {
		t.Errorf("X-Amz-Credential = %q, want %s's for %s/s3", cred, testKeyID, testRegion)
	}
	if sig := q.Get("X-Amz-Signature"); len(sig) != 64 {
		t.Errorf("X-Amz-Signature = %q, want 64 hex digits", sig)
	}
	// Valid until expires at the latest, and not much earlier.
	signedAt, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	if err != nil {
		t.Fatalf("X-Amz-Date %q: %v", q.Get("X-Amz-Date"), err)
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil {
		t.Fatalf("X-Amz-Expires %q: %v", q.Get("X-Amz-Expires"), err)
	}
	until := signedAt.Add(time.Duration(secs) * time.Second)
	if until.After(expires) || until.Before(expires.Add(-2*time.Second)) {
		t.Errorf("signed URL valid until %s, want %s (to the second, never later)", until, expires)
	}
	if strings.Contains(raw, testSecret) {
		t.Errorf("signed URL carries the secret key: %s", raw)
	}
}

func TestSignedURLExpiry(t *testing.T) {
	t.Parallel()
	p := setup(t).provider(t, nil)
	tests := []struct {
		name    string
		expires time.Time
		wantErr bool
	}{
		{"past", time.Now().Add(-time.Minute), true},
		{"now", time.Now(), true},
		{"under a second ahead", time.Now().Add(500 * time.Millisecond), true},
		{"beyond seven days", time.Now().Add(application.MaxSignedURLExpiry + time.Minute), true},
		{"just under seven days", time.Now().Add(application.MaxSignedURLExpiry - time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw, err := p.SignedURL(t.Context(), "files/a.pdf", tt.expires)
			if tt.wantErr {
				if !errors.Is(err, application.ErrInvalidExpiry) {
					t.Fatalf("SignedURL = %q, %v; want ErrInvalidExpiry", raw, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SignedURL: %v", err)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("parse %q: %v", raw, err)
			}
			if secs, _ := strconv.Atoi(u.Query().Get("X-Amz-Expires")); secs <= 0 || secs > int(application.MaxSignedURLExpiry/time.Second) {
				t.Errorf("X-Amz-Expires = %q, want within S3's seven days", u.Query().Get("X-Amz-Expires"))
			}
		})
	}
}

func TestServerDownIsUnavailable(t *testing.T) {
	t.Parallel()
	f := setup(t)
	p := f.provider(t, nil)
	f.srv.Close()

	tests := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"check", p.Check},
		{"put", func(ctx context.Context) error {
			return p.Put(ctx, application.Object{Key: "files/a.txt", Body: strings.NewReader("abc"), Size: 3, ContentType: "text/plain"})
		}},
		{"open", func(ctx context.Context) error {
			_, _, err := p.Open(ctx, "files/a.txt")
			return err
		}},
		{"delete", func(ctx context.Context) error { return p.Delete(ctx, "files/a.txt") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call(t.Context())
			if !errors.Is(err, application.ErrUnavailable) {
				t.Fatalf("%s = %v, want Unavailable", tt.name, err)
			}
			if errors.Is(err, application.ErrNotFound) {
				t.Errorf("%s = %v, which is also NotFound", tt.name, err)
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error leaks the secret key: %v", err)
			}
		})
	}
}
