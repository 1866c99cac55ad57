package utfs_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/providertest"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/utfs"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/utfs/utfstest"
)

// bundle is what a test works with: the fake UploadThing and a provider
// pointed at it.
type bundle struct {
	fake *utfstest.Fake
	p    *utfs.Provider
}

func setup(t *testing.T) bundle {
	t.Helper()
	fake := utfstest.New(t)
	return bundle{fake: fake, p: newProvider(t, fake, nil)}
}

// newProvider returns a provider on fake's hosts; edit changes its options.
func newProvider(t *testing.T, fake *utfstest.Fake, edit func(*utfs.Options)) *utfs.Provider {
	t.Helper()
	opts := utfs.Options{Token: utfstest.Token(utfstest.APIKey), APIBase: fake.API.URL, FileHost: fake.Files.URL}
	if edit != nil {
		edit(&opts)
	}
	p, err := utfs.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

func put(t *testing.T, p *utfs.Provider, key string, body []byte, ctype string, private bool) {
	t.Helper()
	if err := p.Put(t.Context(), application.Object{Key: key, Body: bytes.NewReader(body), Size: int64(len(body)), ContentType: ctype, Private: private}); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
}

func read(t *testing.T, p *utfs.Provider, key string) ([]byte, application.Info) {
	t.Helper()
	rc, info, err := p.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b, info
}

// fetch GETs u as a browser would and returns the status and body.
func fetch(t *testing.T, u string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// fixedClock stands still at t. (testkit.Clock would do, but testkit
// imports the whole app.)
func fixedClock(t time.Time) kernel.Clock { return kernel.ClockFunc(func() time.Time { return t }) }

// noSecret fails the test when err's text holds secret.
func noSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Fatalf("error shows the secret: %v", err)
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	b := setup(t)
	providertest.Run(t, b.p, providertest.Options{})
}

func TestNew(t *testing.T) {
	t.Parallel()
	fake := utfstest.New(t)

	p := newProvider(t, fake, nil)
	if got := p.Name(); got != "uploadthing" {
		t.Errorf("Name = %q", got)
	}
	if n := fake.RequestCount(); n != 0 {
		t.Errorf("New made %d requests, want none", n)
	}
	if s := fmt.Sprintf("%v %+v %s", p, p, p); strings.Contains(s, utfstest.APIKey) {
		t.Errorf("the provider prints its key: %s", s)
	}

	def, err := utfs.New(utfs.Options{Token: utfstest.Token(utfstest.APIKey)})
	if err != nil {
		t.Fatalf("New with defaults: %v", err)
	}
	if got, want := def.URL("avatars/usr_1-0123456789abcdef.png"), "https://"+utfstest.AppID+".ufs.sh/f/avatars~usr_1-0123456789abcdef.png"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}

	for name, opts := range map[string]utfs.Options{
		"bad token":     {Token: "eyJub3QiOiJ0aGlzIn0" + utfstest.APIKey},
		"no token":      {},
		"bad API base":  {Token: utfstest.Token(utfstest.APIKey), APIBase: "ftp://api.example.com"},
		"relative base": {Token: utfstest.Token(utfstest.APIKey), APIBase: "/v7"},
		"bad file host": {Token: utfstest.Token(utfstest.APIKey), FileHost: "https://cdn.example.com/?x=1"},
	} {
		if _, err := utfs.New(opts); err == nil {
			t.Errorf("%s: New succeeded", name)
		} else {
			noSecret(t, err, utfstest.APIKey)
		}
	}
}

func TestCheckAndPutWithAWrongKey(t *testing.T) {
	t.Parallel()
	fake := utfstest.New(t)
	const wrong = "sk_live_ffffeeeeddddccccbbbbaaaa9999888877776666555544443333222211110000"
	p := newProvider(t, fake, func(o *utfs.Options) { o.Token = utfstest.Token(wrong) })

	err := p.Check(t.Context())
	if !errors.Is(err, application.ErrUnavailable) {
		t.Fatalf("Check = %v, want ErrUnavailable", err)
	}
	noSecret(t, err, wrong)
	var ae *utfs.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("Check = %v, want an *APIError in the chain", err)
	}
	if ae.Endpoint != "POST /v6/listFiles" || ae.StatusCode != http.StatusUnauthorized || ae.Message != "Invalid API key" {
		t.Errorf("APIError = %+v", *ae)
	}
	if !strings.Contains(err.Error(), "UPLOADTHING_TOKEN") {
		t.Errorf("Check error does not point at UPLOADTHING_TOKEN: %v", err)
	}

	err = p.Put(t.Context(), application.Object{Key: "avatars/a.png", Body: strings.NewReader("png"), Size: 3, ContentType: "image/png"})
	if !errors.Is(err, application.ErrUnavailable) {
		t.Fatalf("Put = %v, want ErrUnavailable", err)
	}
	noSecret(t, err, wrong)
	if fake.FilesWithCustomID(utfs.CustomID("avatars/a.png")) != 0 {
		t.Error("Put with a wrong key stored a file")
	}
}

func TestPrivateFileNeedsAValidSignature(t *testing.T) {
	t.Parallel()
	b := setup(t)
	key := "files/org_1/0123456789abcdef.pdf"
	body := []byte("%PDF-1.7 private")
	put(t, b.p, key, body, "application/pdf", true)

	signed, err := b.p.SignedURL(t.Context(), key, time.Now().Add(10*time.Minute))
	if err != nil {
		t.Fatalf("SignedURL: %v", err)
	}
	if status, got := fetch(t, signed); status != http.StatusOK || !bytes.Equal(got, body) {
		t.Fatalf("GET signed = %d %q", status, got)
	}

	u, err := url.Parse(signed)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	sig := q.Get("signature")
	flipped := sig[:len(sig)-1] + map[bool]string{true: "0", false: "1"}[sig[len(sig)-1] != '0']
	expires, _ := strconv.ParseInt(q.Get("expires"), 10, 64)

	past := fixedClock(time.Now().Add(-time.Hour))
	stale := newProvider(t, b.fake, func(o *utfs.Options) { o.Clock = past })
	expired, err := stale.SignedURL(t.Context(), key, past.Now().Add(10*time.Minute))
	if err != nil {
		t.Fatalf("SignedURL on the past clock: %v", err)
	}

	for name, u := range map[string]string{
		"no signature":       b.p.URL(key),
		"expires only":       b.p.URL(key) + "?expires=" + q.Get("expires"),
		"tampered signature": b.p.URL(key) + "?expires=" + q.Get("expires") + "&signature=" + url.QueryEscape(flipped),
		"extended expiry":    b.p.URL(key) + "?expires=" + strconv.FormatInt(expires+60_000, 10) + "&signature=" + url.QueryEscape(sig),
		"expired":            expired,
	} {
		if status, got := fetch(t, u); status != http.StatusForbidden {
			t.Errorf("%s: GET = %d %q, want 403", name, status, got)
		}
	}

	// Open signs for itself.
	if got, info := read(t, b.p, key); !bytes.Equal(got, body) || info.ContentType != "application/pdf" || info.Size != int64(len(body)) {
		t.Errorf("Open = %q, %+v", got, info)
	}
}

func TestSignedURL(t *testing.T) {
	t.Parallel()
	fake := utfstest.New(t)
	clock := fixedClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	p := newProvider(t, fake, func(o *utfs.Options) { o.Clock = clock })
	key := "files/org_1/0123456789abcdef.pdf"

	for name, expires := range map[string]time.Time{
		"now":            clock.Now(),
		"past":           clock.Now().Add(-time.Second),
		"beyond the max": clock.Now().Add(application.MaxSignedURLExpiry + time.Second),
	} {
		if u, err := p.SignedURL(t.Context(), key, expires); err == nil {
			t.Errorf("%s: SignedURL = %q, want an error", name, u)
		}
	}

	expires := clock.Now().Add(application.MaxSignedURLExpiry)
	got, err := p.SignedURL(t.Context(), key, expires)
	if err != nil {
		t.Fatalf("SignedURL at the max: %v", err)
	}
	// UploadThing's SDK (generateSignedURL): expires in Unix milliseconds,
	// then signature=hmac-sha256={hex HMAC-SHA256 of the URL before it}.
	unsigned := fake.Files.URL + "/f/" + utfs.CustomID(key) + "?expires=" + strconv.FormatInt(expires.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(utfstest.APIKey))
	mac.Write([]byte(unsigned))
	if want := unsigned + "&signature=hmac-sha256%3D" + hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("SignedURL =\n %q\nwant\n %q", got, want)
	}
}

func TestPutAsksForWhatTheObjectIs(t *testing.T) {
	t.Parallel()
	b := setup(t)
	put(t, b.p, "files/org_1/0123456789abcdef.pdf", []byte("%PDF-1.7"), "application/pdf", true)
	put(t, b.p, "logos/org_1-0123456789abcdef.png", []byte("png"), "image/png", false)
	put(t, b.p, "files/org_1/untyped", []byte("??"), "", false)

	prepared := b.fake.CallsTo("/v7/prepareUpload")
	if len(prepared) != 3 {
		t.Fatalf("prepareUpload was called %d times, want 3", len(prepared))
	}
	want := []map[string]any{
		{"fileName": "0123456789abcdef.pdf", "fileSize": 8.0, "fileType": "application/pdf", "customId": "files~org_1~0123456789abcdef.pdf", "contentDisposition": "inline", "acl": "private"},
		{"fileName": "org_1-0123456789abcdef.png", "fileSize": 3.0, "fileType": "image/png", "customId": "logos~org_1-0123456789abcdef.png", "contentDisposition": "inline", "acl": "public-read"},
		{"fileName": "untyped", "fileSize": 2.0, "fileType": "application/octet-stream", "customId": "files~org_1~untyped", "contentDisposition": "inline", "acl": "public-read"},
	}
	for i, c := range prepared {
		if len(c.Body) != len(want[i]) {
			t.Errorf("prepareUpload %d = %v, want %v", i, c.Body, want[i])
		}
		for k, v := range want[i] {
			if c.Body[k] != v {
				t.Errorf("prepareUpload %d: %s = %v, want %v", i, k, c.Body[k], v)
			}
		}
		if got := c.Headers.Get("x-uploadthing-api-key"); got != utfstest.APIKey {
			t.Errorf("prepareUpload %d: x-uploadthing-api-key is not the token's key", i)
		}
		if c.Headers.Get("x-uploadthing-version") == "" || c.Headers.Get("x-uploadthing-be-adapter") != "server-sdk" {
			t.Errorf("prepareUpload %d: headers %v", i, c.Headers)
		}
	}

	// Each Put first deleted whatever held its customId.
	deleted := b.fake.CallsTo("/v6/deleteFiles")
	if len(deleted) != 3 {
		t.Fatalf("deleteFiles was called %d times, want 3", len(deleted))
	}
	for i, c := range deleted {
		ids, _ := c.Body["customIds"].([]any)
		if len(ids) != 1 || ids[0] != want[i]["customId"] || len(c.Body) != 1 {
			t.Errorf("deleteFiles %d = %v", i, c.Body)
		}
	}
}

func TestReplacingServesTheNewBytes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	key := "avatars/usr_1-0123456789abcdef.png"
	put(t, b.p, key, []byte("first"), "image/png", false)
	put(t, b.p, key, []byte("second, longer"), "image/png", false)

	if got, info := read(t, b.p, key); string(got) != "second, longer" || info.Size != 14 {
		t.Errorf("Open = %q, %+v", got, info)
	}
	if status, got := fetch(t, b.p.URL(key)); status != http.StatusOK || string(got) != "second, longer" {
		t.Errorf("GET URL = %d %q", status, got)
	}
	if n := b.fake.FilesWithCustomID(utfs.CustomID(key)); n != 1 {
		t.Errorf("%d files hold the customId, want 1", n)
	}

	// A public object replaced by a private one is no longer public.
	put(t, b.p, key, []byte("third, private"), "image/png", true)
	if status, _ := fetch(t, b.p.URL(key)); status != http.StatusForbidden {
		t.Errorf("GET unsigned after going private = %d, want 403", status)
	}
	if got, _ := read(t, b.p, key); string(got) != "third, private" {
		t.Errorf("Open = %q", got)
	}
}

func TestLongKeysGetAHashedCustomID(t *testing.T) {
	t.Parallel()
	b := setup(t)
	key := "files/org_1/" + strings.Repeat("abcdef0123", 20) + ".bin"
	put(t, b.p, key, []byte("long"), "application/octet-stream", false)

	prepared := b.fake.CallsTo("/v7/prepareUpload")
	if len(prepared) != 1 {
		t.Fatalf("prepareUpload was called %d times", len(prepared))
	}
	cid, _ := prepared[0].Body["customId"].(string)
	if cid != utfs.CustomID(key) || len(cid) > utfs.MaxCustomIDLength || !strings.HasPrefix(cid, "sha256-") {
		t.Errorf("customId = %q", cid)
	}
	if got := b.p.URL(key); got != b.fake.Files.URL+"/f/"+cid {
		t.Errorf("URL = %q", got)
	}
	if got, _ := read(t, b.p, key); string(got) != "long" {
		t.Errorf("Open = %q", got)
	}
	if err := b.p.Delete(t.Context(), key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, _, err := b.p.Open(t.Context(), key); !errors.Is(err, application.ErrNotFound) {
		t.Errorf("Open after Delete = %v, want ErrNotFound", err)
	}
}

func TestCustomID(t *testing.T) {
	t.Parallel()
	hashed := func(k string) string {
		s := sha256.Sum256([]byte(k))
		return "sha256-" + hex.EncodeToString(s[:])
	}
	max := "files/" + strings.Repeat("x", utfs.MaxCustomIDLength-len("files/"))
	for _, tc := range []struct{ key, want string }{
		{"avatars/usr_01abc-0123456789abcdef.png", "avatars~usr_01abc-0123456789abcdef.png"},
		{"files/org_1/x.tar.gz", "files~org_1~x.tar.gz"},
		{"files~org_1~x.tar.gz", hashed("files~org_1~x.tar.gz")},
		{max, strings.ReplaceAll(max, "/", "~")},
		{max + "x", hashed(max + "x")},
		{"sha256-" + strings.Repeat("0", 64), hashed("sha256-" + strings.Repeat("0", 64))},
		{"files/a b.png", hashed("files/a b.png")},
		{"files/100%.png", hashed("files/100%.png")},
		{"files/é.png", hashed("files/é.png")},
		{"", hashed("")},
	} {
		if got := utfs.CustomID(tc.key); got != tc.want {
			t.Errorf("CustomID(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
}

func TestAPIFailuresNameTheEndpoint(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetFail(func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v7/prepareUpload" {
			return false
		}
		utfstest.Error(w, http.StatusInternalServerError, "Internal server error")
		return true
	})
	err := b.p.Put(t.Context(), application.Object{Key: "avatars/a.png", Body: strings.NewReader("png"), Size: 3, ContentType: "image/png"})
	if !errors.Is(err, application.ErrUnavailable) {
		t.Fatalf("Put = %v, want ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "/v7/prepareUpload") {
		t.Errorf("Put error does not name the endpoint: %v", err)
	}
	var ae *utfs.APIError
	if !errors.As(err, &ae) || ae.Endpoint != "POST /v7/prepareUpload" || ae.StatusCode != 500 || ae.Message != "Internal server error" {
		t.Errorf("APIError = %+v", ae)
	}
}

func TestIngestFailureIsUnavailable(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.fake.SetFail(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPut {
			return false
		}
		utfstest.Error(w, http.StatusBadGateway, "Storage backend unavailable")
		return true
	})
	err := b.p.Put(t.Context(), application.Object{Key: "avatars/a.png", Body: strings.NewReader("png"), Size: 3, ContentType: "image/png"})
	var ae *utfs.APIError
	if !errors.Is(err, application.ErrUnavailable) || !errors.As(err, &ae) || ae.Endpoint != "PUT ingest" || ae.StatusCode != http.StatusBadGateway {
		t.Fatalf("Put = %v", err)
	}
	if strings.Contains(err.Error(), "signature=") {
		t.Errorf("the error shows the presigned URL: %v", err)
	}
}

func TestErrorBodies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body        string
		status            int
		wantCode, wantMsg string
	}{
		{"error string", `{"error":"Invalid API key"}`, 401, "", "Invalid API key"},
		{"code and message", `{"code":"BAD_REQUEST","message":"Invalid acl"}`, 400, "BAD_REQUEST", "Invalid acl"},
		{"error object", `{"error":{"code":"TOO_LARGE","message":"File too large"}}`, 413, "TOO_LARGE", "File too large"},
		{"plain text", "upstream request timeout\n", 504, "", "upstream request timeout"},
		{"echoed key", `{"error":"key ` + utfstest.APIKey + ` is revoked"}`, 403, "", "key [REDACTED] is revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.fake.SetFail(func(w http.ResponseWriter, r *http.Request) bool {
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
				return true
			})
			err := b.p.Check(t.Context())
			var ae *utfs.APIError
			if !errors.Is(err, application.ErrUnavailable) || !errors.As(err, &ae) {
				t.Fatalf("Check = %v", err)
			}
			if ae.StatusCode != tc.status || ae.Code != tc.wantCode || ae.Message != tc.wantMsg {
				t.Errorf("APIError = %+v, want %d %q %q", *ae, tc.status, tc.wantCode, tc.wantMsg)
			}
			noSecret(t, err, utfstest.APIKey)
		})
	}
}

func TestBodyOfTheWrongSize(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for name, body := range map[string]string{"shorter": "12", "longer": "1234"} {
		err := b.p.Put(t.Context(), application.Object{Key: "files/org_1/" + name, Body: strings.NewReader(body), Size: 3, ContentType: "text/plain"})
		if err == nil || errors.Is(err, application.ErrUnavailable) {
			t.Errorf("%s: Put = %v, want an error that is not ErrUnavailable", name, err)
		}
		if n := b.fake.FilesWithCustomID(utfs.CustomID("files/org_1/" + name)); n != 0 {
			t.Errorf("%s: the fake stored %d files", name, n)
		}
	}
	if err := b.p.Put(t.Context(), application.Object{Key: "files/org_1/neg", Body: strings.NewReader(""), Size: -1}); err == nil {
		t.Error("Put with a negative size succeeded")
	}
}

func TestTimeoutsComeFromTheContext(t *testing.T) {
	t.Parallel()
	b := setup(t)
	put(t, b.p, "avatars/a.png", []byte("png"), "image/png", false)
	// Every host hangs until the client gives up (the server notices once
	// it has read the body) or the test ends.
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	b.fake.SetFail(func(w http.ResponseWriter, r *http.Request) bool {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		case <-time.After(3 * time.Second): // never hang the suite
		}
		return true
	})
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if err := b.p.Check(ctx); !errors.Is(err, application.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Check = %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, _, err := b.p.Open(ctx, "avatars/a.png")
	if !errors.Is(err, application.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Open = %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	if err != nil && strings.Contains(err.Error(), "signature=") {
		t.Errorf("the error shows the signed URL: %v", err)
	}
}

func TestUnreachableFileHost(t *testing.T) {
	t.Parallel()
	fake := utfstest.New(t)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	p := newProvider(t, fake, func(o *utfs.Options) { o.FileHost = gone.URL })
	_, _, err := p.Open(t.Context(), "avatars/a.png")
	if !errors.Is(err, application.ErrUnavailable) {
		t.Fatalf("Open = %v, want ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), "signature=") {
		t.Errorf("the error shows the signed URL: %v", err)
	}
}
