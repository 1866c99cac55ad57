package utfs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
)

// DefaultAPIBase is UploadThing's API.
const DefaultAPIBase = "https://api.uploadthing.com"

// openURLExpiry is how long the URL Open signs for itself stays valid.
const openURLExpiry = 15 * time.Minute

// Options configure the provider.
type Options struct {
	// Token is UPLOADTHING_TOKEN (required).
	Token string
	// APIBase is UploadThing's API (UPLOADTHING_API_BASE, default
	// DefaultAPIBase).
	APIBase string
	// FileHost is where files are served (default https://{appId}.ufs.sh,
	// the app's own subdomain of UploadThing's CDN).
	FileHost string
	// HTTPClient makes every request (default http.DefaultClient). It
	// needs no timeout of its own: each call's ctx bounds it.
	HTTPClient *http.Client
	// Clock tells the time signed URLs expire from (default
	// kernel.SystemClock).
	Clock kernel.Clock
}

// Provider keeps objects at UploadThing. It is safe for concurrent use.
type Provider struct {
	token    Token
	apiBase  string
	fileHost string
	client   *http.Client
	clock    kernel.Clock
}

var _ application.Provider = (*Provider)(nil)

// New returns the provider over opts: it decodes the token (an error says
// what is wrong with it and never contains it) and checks the URLs. It
// does no I/O; Check is the first call that reaches UploadThing.
func New(opts Options) (*Provider, error) {
	tok, err := DecodeToken(opts.Token)
	if err != nil {
		return nil, fmt.Errorf("uploadthing: %w", err)
	}
	if opts.APIBase == "" {
		opts.APIBase = DefaultAPIBase
	}
	apiBase, err := baseURL(opts.APIBase)
	if err != nil {
		return nil, fmt.Errorf("uploadthing: API base: %w", err)
	}
	if opts.FileHost == "" {
		opts.FileHost = "https://" + tok.AppID + ".ufs.sh"
	}
	fileHost, err := baseURL(opts.FileHost)
	if err != nil {
		return nil, fmt.Errorf("uploadthing: file host: %w", err)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	if opts.Clock == nil {
		opts.Clock = kernel.SystemClock{}
	}
	return &Provider{token: tok, apiBase: apiBase, fileHost: fileHost, client: opts.HTTPClient, clock: opts.Clock}, nil
}

// baseURL checks that s is an absolute http(s) URL with no query and
// returns it the way a WHATWG URL parser writes it (lower-case scheme and
// host) without a trailing slash: signatures are over that form.
func baseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q is not an absolute http(s) URL without a query", s)
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	return strings.TrimSuffix(u.String(), "/"), nil
}

// Name returns "uploadthing".
func (p *Provider) Name() string { return "uploadthing" }

// String names the provider and its app, never its key.
func (p *Provider) String() string { return "uploadthing(" + p.token.AppID + ")" }

// Check lists at most one file (POST /v6/listFiles): the cheapest call
// that proves the API key is accepted. Every failure, a refused key
// included, wraps application.ErrUnavailable.
func (p *Provider) Check(ctx context.Context) error {
	var out struct {
		Files []struct{} `json:"files"`
	}
	if err := p.call(ctx, "/v6/listFiles", map[string]int{"limit": 1}, &out); err != nil {
		return application.Unavailable("uploadthing check", err)
	}
	return nil
}

// prepareUpload is the body of POST /v7/prepareUpload.
type prepareUpload struct {
	FileName           string `json:"fileName"`
	FileSize           int64  `json:"fileSize"`
	FileType           string `json:"fileType"`
	CustomID           string `json:"customId"`
	ContentDisposition string `json:"contentDisposition"`
	ACL                string `json:"acl"`
}

// Put stores o under CustomID(o.Key): it deletes whatever file holds that
// customId (POST /v6/deleteFiles), asks for a presigned ingest URL (POST
// /v7/prepareUpload, acl public-read or private) and PUTs the bytes there
// as the multipart form field "file". Replacing is therefore not atomic:
// between the delete and the upload there is no object under the key. A
// body that is not exactly o.Size bytes aborts the upload with an error
// that is not ErrUnavailable (the caller's fault); every other failure
// wraps application.ErrUnavailable.
func (p *Provider) Put(ctx context.Context, o application.Object) error {
	op := "uploadthing put " + o.Key
	if o.Size < 0 {
		return fmt.Errorf("%s: negative size %d", op, o.Size)
	}
	cid := CustomID(o.Key)
	if err := p.deleteCustomID(ctx, cid); err != nil {
		return application.Unavailable(op, fmt.Errorf("delete the file it replaces: %w", err))
	}
	ctype := o.ContentType
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	acl := "public-read"
	if o.Private {
		acl = "private"
	}
	name := path.Base(o.Key)
	var presigned struct {
		Key string `json:"key"`
		URL string `json:"url"`
	}
	in := prepareUpload{FileName: name, FileSize: o.Size, FileType: ctype, CustomID: cid, ContentDisposition: "inline", ACL: acl}
	if err := p.call(ctx, "/v7/prepareUpload", in, &presigned); err != nil {
		return application.Unavailable(op, err)
	}
	if presigned.URL == "" {
		return application.Unavailable(op, errors.New("uploadthing POST /v7/prepareUpload: the answer has no url"))
	}
	if err := p.ingest(ctx, presigned.URL, name, ctype, o); err != nil {
		if errors.Is(err, errBodySize) {
			return fmt.Errorf("%s: %w", op, err)
		}
		return application.Unavailable(op, err)
	}
	return nil
}

// ingest PUTs o's bytes to the presigned URL as UploadThing's SDK does:
// a multipart form whose field "file" holds them, with "Range: bytes=0-"
// (a fresh, not a resumed, upload). The body streams; its length is
// known, so it is not sent chunked.
func (p *Provider) ingest(ctx context.Context, presigned, name, ctype string, o application.Object) error {
	const endpoint = "PUT ingest"
	var env bytes.Buffer
	mw := multipart.NewWriter(&env)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+quoteEscaper.Replace(name)+`"`)
	h.Set("Content-Type", ctype)
	if _, err := mw.CreatePart(h); err != nil {
		return fmt.Errorf("uploadthing %s: %w", endpoint, err)
	}
	headLen := env.Len()
	if err := mw.Close(); err != nil {
		return fmt.Errorf("uploadthing %s: %w", endpoint, err)
	}
	head, tail := env.Bytes()[:headLen], env.Bytes()[headLen:]
	body := io.MultiReader(bytes.NewReader(head), &exactReader{r: o.Body, left: o.Size}, bytes.NewReader(tail))
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, presigned, body)
	if err != nil {
		return fmt.Errorf("uploadthing %s: %w", endpoint, err)
	}
	req.ContentLength = int64(len(head)) + o.Size + int64(len(tail))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Range", "bytes=0-")
	req.Header.Set("x-uploadthing-version", sdkVersion)
	res, err := p.client.Do(req)
	if err != nil {
		return fmt.Errorf("uploadthing %s: %w", endpoint, withoutURL(err))
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return p.apiError(endpoint, res)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxErrorBody))
	return nil
}

var quoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// errBodySize is an Object whose Body is not Size bytes long.
var errBodySize = errors.New("the body is not as long as its size says")

// exactReader reads exactly left bytes from r and fails when r has fewer
// or more, before the form's closing boundary is sent, so UploadThing
// never stores a truncated or overlong object.
type exactReader struct {
	r    io.Reader
	left int64
}

func (e *exactReader) Read(b []byte) (int, error) {
	if e.left == 0 {
		var one [1]byte
		if n, _ := io.ReadFull(e.r, one[:]); n > 0 {
			return 0, fmt.Errorf("%w: it is longer", errBodySize)
		}
		return 0, io.EOF
	}
	if int64(len(b)) > e.left {
		b = b[:e.left]
	}
	n, err := e.r.Read(b)
	e.left -= int64(n)
	switch {
	case errors.Is(err, io.EOF) && e.left > 0:
		return n, fmt.Errorf("%w: it is %d bytes shorter", errBodySize, e.left)
	case errors.Is(err, io.EOF):
		return n, nil
	}
	return n, err
}

// withoutURL drops the request URL from a transport error: a presigned or
// signed URL is a credential and stays out of the logs.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Open GETs the file from the file host at a URL it signs for itself (a
// public file ignores the signature, a private one needs it) and returns
// the body with the Content-Length and Content-Type the host sent (Size
// is -1 when the host did not say). A 404 is application.ErrNotFound;
// every other failure wraps application.ErrUnavailable.
func (p *Provider) Open(ctx context.Context, key string) (io.ReadCloser, application.Info, error) {
	op := "uploadthing open " + key
	const endpoint = "GET file"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.sign(p.URL(key), p.clock.Now().Add(openURLExpiry)), nil)
	if err != nil {
		return nil, application.Info{}, application.Unavailable(op, err)
	}
	// Asking for no encoding keeps Content-Length the object's size: the
	// transport would otherwise ask for gzip and drop the length.
	req.Header.Set("Accept-Encoding", "identity")
	res, err := p.client.Do(req)
	if err != nil {
		return nil, application.Info{}, application.Unavailable(op, fmt.Errorf("uploadthing %s: %w", endpoint, withoutURL(err)))
	}
	switch {
	case res.StatusCode == http.StatusOK:
		return res.Body, application.Info{Size: res.ContentLength, ContentType: res.Header.Get("Content-Type")}, nil
	case res.StatusCode == http.StatusNotFound:
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxErrorBody))
		res.Body.Close()
		return nil, application.Info{}, application.ErrNotFound
	default:
		e := p.apiError(endpoint, res)
		res.Body.Close()
		return nil, application.Info{}, application.Unavailable(op, e)
	}
}

// Delete deletes the file holding CustomID(key) (POST /v6/deleteFiles
// with customIds). A key with no file is not an error; every failure
// wraps application.ErrUnavailable.
func (p *Provider) Delete(ctx context.Context, key string) error {
	if err := p.deleteCustomID(ctx, CustomID(key)); err != nil {
		return application.Unavailable("uploadthing delete "+key, err)
	}
	return nil
}

// deleteCustomID deletes the files holding cid; UploadThing answers 2xx
// with a deletedCount of 0 when there are none, and a 404 is taken the
// same way.
func (p *Provider) deleteCustomID(ctx context.Context, cid string) error {
	err := p.call(ctx, "/v6/deleteFiles", map[string][]string{"customIds": {cid}}, nil)
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
		return nil
	}
	return err
}

// URL is https://{appId}.ufs.sh/f/{customId} (or under Options.FileHost):
// UploadThing serves a file at its customId as at its own file key. It
// does no I/O.
func (p *Provider) URL(key string) string {
	return p.fileHost + "/f/" + CustomID(key)
}

// SignedURL is URL(key) signed the way UploadThing's SDK signs file URLs
// locally (UTApi.generateSignedURL): "expires" in Unix milliseconds, then
// "signature" = "hmac-sha256=" and the hexadecimal HMAC-SHA256, under the
// API key, of the URL up to and including expires. It does no I/O. An
// expiry that is not in the future, or is more than
// application.MaxSignedURLExpiry away, is an error.
func (p *Provider) SignedURL(_ context.Context, key string, expires time.Time) (string, error) {
	if err := application.CheckExpiry(expires, p.clock.Now()); err != nil {
		return "", err
	}
	return p.sign(p.URL(key), expires), nil
}

// sign appends expires and signature to u, which has no query.
func (p *Provider) sign(u string, expires time.Time) string {
	u += "?expires=" + strconv.FormatInt(expires.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(p.token.APIKey))
	mac.Write([]byte(u))
	return u + "&signature=" + url.QueryEscape("hmac-sha256="+hex.EncodeToString(mac.Sum(nil)))
}
