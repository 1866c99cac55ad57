package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
)

// DefaultReadTimeout is how long a call waits for the server to send
// anything (an answer, or the next bytes of one) when Options.HTTPClient
// is nil: a server that stops answering fails the call even when the
// caller's context has no deadline, as at start-up's Check.
const DefaultReadTimeout = 30 * time.Second

// Options configures a Provider; the first five fields mirror config.S3.
type Options struct {
	// Bucket is the bucket's name; required.
	Bucket string
	// Region is the bucket's AWS region ("auto" for R2); required.
	Region string
	// Endpoint overrides the S3 base endpoint, for R2, MinIO and tests
	// (optional absolute http(s) URL; default AWS's endpoint for Region).
	Endpoint string
	// PublicURL is the base URL public objects are served from, a CDN or a
	// custom domain (optional absolute http(s) URL; default the bucket's
	// own URL, see Provider.URL).
	PublicURL string
	// ForcePathStyle addresses the bucket in the URL's path rather than in
	// its host name, as MinIO and most S3-compatible servers need (default
	// false: virtual-hosted, as AWS recommends).
	ForcePathStyle bool
	// HTTPClient sends the requests (optional; default the SDK's client
	// with a DefaultReadTimeout read timeout; the caller's context bounds
	// the whole call).
	HTTPClient *http.Client
	// Credentials signs the requests (optional; nil uses the SDK's default
	// chain: environment, shared files, SSO, web identity, instance and
	// task roles).
	Credentials aws.CredentialsProvider
}

// Provider keeps objects in one S3 bucket. It is safe for concurrent use.
type Provider struct {
	bucket  string
	client  *s3.Client
	presign *s3.PresignClient
	// base is what URL puts before the escaped key, without a trailing
	// slash.
	base  string
	clock kernel.Clock
}

var _ application.Provider = (*Provider)(nil)

// New returns a Provider for opts. It does no network I/O: with
// opts.Credentials nil it reads the default AWS configuration (environment
// and shared config files), and credentials are resolved on the first
// call. It returns an error when Bucket or Region is missing, Endpoint or
// PublicURL is not an absolute http(s) URL, or the default configuration
// cannot be loaded.
func New(ctx context.Context, opts Options) (*Provider, error) {
	if opts.Bucket == "" {
		return nil, errors.New("s3: bucket is required")
	}
	if opts.Region == "" {
		return nil, errors.New("s3: region is required")
	}
	if opts.Endpoint != "" && !absoluteHTTP(opts.Endpoint) {
		return nil, errors.New("s3: endpoint must be an absolute http(s) URL")
	}
	if opts.PublicURL != "" && !absoluteHTTP(opts.PublicURL) {
		return nil, errors.New("s3: public URL must be an absolute http(s) URL")
	}

	var cfg aws.Config
	if opts.Credentials != nil {
		// Configured explicitly, nothing is read from the environment, so
		// the provider behaves the same wherever it runs.
		creds := opts.Credentials
		if _, cached := creds.(*aws.CredentialsCache); !cached {
			creds = aws.NewCredentialsCache(creds)
		}
		cfg = aws.Config{Region: opts.Region, Credentials: creds}
	} else {
		var err error
		cfg, err = config.LoadDefaultConfig(ctx, config.WithRegion(opts.Region))
		if err != nil {
			return nil, fmt.Errorf("s3: load aws config: %w", err)
		}
	}
	switch hc := cfg.HTTPClient.(type) {
	case nil:
		cfg.HTTPClient = awshttp.NewBuildableClient().WithReadTimeout(DefaultReadTimeout)
	case *awshttp.BuildableClient:
		// LoadDefaultConfig's client, which carries AWS_CA_BUNDLE.
		cfg.HTTPClient = hc.WithReadTimeout(DefaultReadTimeout)
	}
	if opts.HTTPClient != nil {
		cfg.HTTPClient = opts.HTTPClient
	}

	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if opts.Endpoint != "" {
			o.BaseEndpoint = aws.String(opts.Endpoint)
		}
		o.UsePathStyle = opts.ForcePathStyle
		// R2 and MinIO refuse the CRC32 checksums the SDK's default
		// configuration (LoadDefaultConfig) sends with every upload and
		// asks for on every download.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})

	base, err := baseURL(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Provider{
		bucket:  opts.Bucket,
		client:  client,
		presign: s3.NewPresignClient(client),
		base:    base,
		clock:   kernel.SystemClock{},
	}, nil
}

// baseURL is the URL public objects are under: opts.PublicURL, or the
// bucket's own URL as the SDK's endpoint rules resolve it, path-style
// whenever an endpoint is set: a custom endpoint's subdomains rarely
// resolve for browsers.
func baseURL(ctx context.Context, opts Options) (string, error) {
	if opts.PublicURL != "" {
		return strings.TrimRight(opts.PublicURL, "/"), nil
	}
	params := s3.EndpointParameters{
		Bucket:         aws.String(opts.Bucket),
		Region:         aws.String(opts.Region),
		ForcePathStyle: aws.Bool(opts.ForcePathStyle || opts.Endpoint != ""),
	}
	if opts.Endpoint != "" {
		params.Endpoint = aws.String(opts.Endpoint)
	}
	ep, err := s3.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, params)
	if err != nil {
		return "", fmt.Errorf("s3: resolve the bucket's URL: %w", err)
	}
	return strings.TrimRight(ep.URI.String(), "/"), nil
}

func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Name returns "s3", the provider's STORAGE_PROVIDER value.
func (p *Provider) Name() string { return "s3" }

// Check calls HeadBucket. It returns an error naming the bucket, wrapped
// with application.Unavailable, when the bucket does not exist, the
// credentials are missing or refused, or the endpoint cannot be reached.
func (p *Provider) Check(ctx context.Context) error {
	if _, err := p.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(p.bucket)}); err != nil {
		return application.Unavailable(fmt.Sprintf("s3 check bucket %q", p.bucket), err)
	}
	return nil
}

// Put stores o with PutObject: its size, content type and cache policy
// (application.PublicCacheControl or PrivateCacheControl), and no ACL (see
// the package documentation). A body that is not an io.ReadSeeker is read
// into memory first. It returns a plain error when the body cannot be read
// or does not hold exactly o.Size bytes, and an application.Unavailable
// when S3 fails.
func (p *Provider) Put(ctx context.Context, o application.Object) error {
	op := fmt.Sprintf("s3 put %s/%s", p.bucket, o.Key)
	body, err := replayable(o.Body, o.Size)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	cacheControl := application.PublicCacheControl
	if o.Private {
		cacheControl = application.PrivateCacheControl
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(p.bucket),
		Key:           aws.String(o.Key),
		Body:          body,
		ContentLength: aws.Int64(o.Size),
		CacheControl:  aws.String(cacheControl),
	}
	if o.ContentType != "" {
		in.ContentType = aws.String(o.ContentType)
	}
	if _, err := p.client.PutObject(ctx, in); err != nil {
		return application.Unavailable(op, err)
	}
	return nil
}

// replayable returns body as a reader the SDK can hash for the signature
// and rewind for a retry, after checking it holds exactly size bytes.
func replayable(body io.Reader, size int64) (io.ReadSeeker, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative size %d", size)
	}
	if body == nil {
		body = http.NoBody
	}
	if rs, ok := body.(io.ReadSeeker); ok {
		// Some ReadSeekers (a pipe's *os.File) cannot seek; they are
		// buffered like any other reader.
		if start, err := rs.Seek(0, io.SeekCurrent); err == nil {
			end, err := rs.Seek(0, io.SeekEnd)
			if err != nil {
				return nil, fmt.Errorf("measure body: %w", err)
			}
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return nil, fmt.Errorf("rewind body: %w", err)
			}
			if end-start != size {
				return nil, fmt.Errorf("body holds %d bytes, size says %d", end-start, size)
			}
			return rs, nil
		}
	}
	b, err := io.ReadAll(io.LimitReader(body, size+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > size {
		return nil, fmt.Errorf("body holds more than the %d bytes size says", size)
	}
	if int64(len(b)) < size {
		return nil, fmt.Errorf("body holds %d bytes, size says %d", len(b), size)
	}
	return bytes.NewReader(b), nil
}

// Open calls GetObject and returns the object's body, its size and content
// type. It returns application.ErrNotFound when the bucket has no such key,
// and an application.Unavailable for any other failure (a missing bucket
// included).
func (p *Provider) Open(ctx context.Context, key string) (io.ReadCloser, application.Info, error) {
	out, err := p.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(p.bucket), Key: aws.String(key)})
	if err != nil {
		if missingKey(err) {
			return nil, application.Info{}, fmt.Errorf("s3 open %s/%s: %w", p.bucket, key, application.ErrNotFound)
		}
		return nil, application.Info{}, application.Unavailable(fmt.Sprintf("s3 open %s/%s", p.bucket, key), err)
	}
	return out.Body, application.Info{Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType)}, nil
}

// missingKey reports whether err is S3's answer for a key with no object:
// NoSuchKey (NotFound for a HEAD, which has no body). NoSuchBucket is not
// one: the bucket is part of the configuration.
func missingKey(err error) bool {
	ae, ok := errors.AsType[smithy.APIError](err)
	return ok && (ae.ErrorCode() == "NoSuchKey" || ae.ErrorCode() == "NotFound")
}

// Delete calls DeleteObject; S3 answers a key with no object with success,
// and so does Delete. It returns an application.Unavailable when S3 fails.
func (p *Provider) Delete(ctx context.Context, key string) error {
	_, err := p.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(p.bucket), Key: aws.String(key)})
	if err != nil && !missingKey(err) {
		return application.Unavailable(fmt.Sprintf("s3 delete %s/%s", p.bucket, key), err)
	}
	return nil
}

// URL returns where anyone fetches the public object key: Options.PublicURL
// followed by the key when it is set, otherwise the bucket's own URL as the
// SDK's endpoint rules make it: virtual-hosted
// (https://{bucket}.s3.{region}.amazonaws.com/{key}, China's partition
// included), or path-style ({endpoint}/{bucket}/{key}) when ForcePathStyle
// or Endpoint is set or the bucket's name cannot be a host name (one with
// dots, for TLS). The key's path segments are escaped. URL does no I/O;
// whether the URL is readable is the bucket policy's or the CDN's business.
func (p *Provider) URL(key string) string {
	return p.base + "/" + escapePath(key)
}

func escapePath(key string) string {
	segments := strings.Split(key, "/")
	for i, s := range segments {
		segments[i] = url.PathEscape(s)
	}
	return strings.Join(segments, "/")
}

// SignedURL returns a presigned GetObject URL for key that S3 honours until
// expires (to the second, never later). It returns a plain error when
// expires is less than a second ahead or more than
// application.MaxSignedURLExpiry ahead (the caller chooses the expiry; a
// wrong one is its bug), and an application.Unavailable when the
// credentials cannot be resolved.
func (p *Provider) SignedURL(ctx context.Context, key string, expires time.Time) (string, error) {
	op := fmt.Sprintf("s3 sign %s/%s", p.bucket, key)
	ttl := expires.Sub(p.clock.Now())
	if err := application.CheckExpiry(expires, p.clock.Now()); err != nil || ttl < time.Second {
		// S3 counts in whole seconds: less than one would sign a URL that
		// is dead on arrival.
		return "", application.ErrInvalidExpiry
	}
	req, err := p.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(p.bucket), Key: aws.String(key)},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", application.Unavailable(op, err)
	}
	return req.URL, nil
}
