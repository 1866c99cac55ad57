package localfs_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/localfs"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/providertest"
)

// serve runs the provider's handler at /uploads/ on a test server whose
// URL is the provider's base URL.
func serve(t *testing.T, now func() time.Time) (*localfs.Provider, *httptest.Server, string) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL)
	dir := filepath.Join(t.TempDir(), "uploads")
	p, err := localfs.New(localfs.Options{Dir: dir, BaseURL: base, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	mux.Handle("GET /uploads/{key...}", p.Handler())
	return p, srv, dir
}

func TestProvider(t *testing.T) {
	p, _, _ := serve(t, time.Now)
	providertest.Run(t, p, providertest.Options{})
}

func put(t *testing.T, p *localfs.Provider, key, body, ctype string, private bool) {
	t.Helper()
	if err := p.Put(t.Context(), application.Object{Key: key, Body: strings.NewReader(body), Size: int64(len(body)), ContentType: ctype, Private: private}); err != nil {
		t.Fatalf("Put %s: %v", key, err)
	}
}

func get(t *testing.T, rawURL string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// A public object goes with the immutable cache header, nosniff, its
// stored type and a CSP that runs nothing.
func TestServe_headers(t *testing.T) {
	p, _, _ := serve(t, time.Now)
	put(t, p, "avatars/usr_1-0123456789abcdef.png", "png bytes", "image/png", false)
	res, body := get(t, p.URL("avatars/usr_1-0123456789abcdef.png"))
	h := res.Header
	if res.StatusCode != http.StatusOK || body != "png bytes" {
		t.Fatalf("GET = %d %q", res.StatusCode, body)
	}
	for name, want := range map[string]string{
		"Cache-Control":           "public, max-age=31536000, immutable",
		"X-Content-Type-Options":  "nosniff",
		"Content-Type":            "image/png",
		"Content-Security-Policy": "default-src 'none'; sandbox",
		"Content-Length":          "9",
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	// A conditional request with the ETag is a 304.
	req, _ := http.NewRequest(http.MethodGet, p.URL("avatars/usr_1-0123456789abcdef.png"), nil)
	req.Header.Set("If-None-Match", h.Get("ETag"))
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match = %d", res2.StatusCode)
	}
}

// No request reaches outside the folder or a hidden file in it: "..",
// encoded or not, absolute paths, sidecars, the signing key and symbolic
// links are all 404, and so is an unknown key.
func TestServe_traversal(t *testing.T) {
	p, srv, dir := serve(t, time.Now)
	put(t, p, "files/org_1/0123456789abcdef.txt", "inside", "text/plain", false)
	secret := filepath.Join(filepath.Dir(dir), "secret.txt")
	if err := os.WriteFile(secret, []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "files", "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(dir), filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/uploads/../secret.txt", "/uploads/%2e%2e/secret.txt", "/uploads/files/..%2f..%2fsecret.txt",
		"/uploads//etc/passwd", "/uploads/%2Fetc%2Fpasswd", "/uploads/files/org_1/.0123456789abcdef.txt.meta",
		"/uploads/.signing-key", "/uploads/files/link.txt", "/uploads/escape/secret.txt", "/uploads/files/org_1/nope.txt",
		"/uploads/FILES/org_1/0123456789abcdef.txt", "/uploads/files/org_1/0123456789abcdef.txt%00",
	} {
		res, body := get(t, srv.URL+path)
		if strings.Contains(body, "outside") || strings.Contains(body, "contentType") || (res.StatusCode == http.StatusOK) {
			t.Errorf("GET %s = %d %q", path, res.StatusCode, body)
		}
	}
	for _, key := range []string{"../x", "/abs", "files/link.txt", "escape/secret.txt", ".signing-key"} {
		if _, _, err := p.Open(t.Context(), key); !errors.Is(err, application.ErrNotFound) {
			t.Errorf("Open(%q) = %v", key, err)
		}
		err := p.Put(t.Context(), application.Object{Key: key, Body: strings.NewReader("x"), Size: 1, ContentType: "text/plain"})
		if err == nil {
			t.Errorf("Put(%q) succeeded", key)
		}
	}
	if b, _ := os.ReadFile(secret); string(b) != "outside" {
		t.Fatalf("the file outside was changed: %q", b)
	}
}

// A private object is served only at a signed URL before it expires: not
// without a signature, not with a tampered one or another key's, and an
// expired one is 403 storage.url_expired.
func TestServe_signed(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	p, _, _ := serve(t, clock)
	key := "files/org_1/0123456789abcdef.pdf"
	put(t, p, key, "%PDF private", "application/pdf", true)
	put(t, p, "files/org_1/fedcba9876543210.pdf", "%PDF other", "application/pdf", true)

	if res, _ := get(t, p.URL(key)); res.StatusCode != http.StatusNotFound {
		t.Errorf("unsigned = %d", res.StatusCode)
	}
	signed, err := p.SignedURL(t.Context(), key, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	res, body := get(t, signed)
	if res.StatusCode != http.StatusOK || body != "%PDF private" || res.Header.Get("Cache-Control") != application.PrivateCacheControl {
		t.Fatalf("signed = %d %q %q", res.StatusCode, body, res.Header.Get("Cache-Control"))
	}
	u, _ := url.Parse(signed)
	q := u.Query()
	tampered := func(name, value string) string {
		v := url.Values{}
		for k := range q {
			v.Set(k, q.Get(k))
		}
		v.Set(name, value)
		return p.URL(key) + "?" + v.Encode()
	}
	for what, rawURL := range map[string]string{
		"signature changed":    tampered("signature", strings.ToUpper(q.Get("signature"))),
		"expiry pushed":        tampered("expires", "99999999999"),
		"another key's URL":    strings.Replace(signed, "0123456789abcdef", "fedcba9876543210", 1),
		"signature left empty": tampered("signature", ""),
	} {
		if res, body := get(t, rawURL); res.StatusCode != http.StatusNotFound || strings.Contains(body, "PDF") {
			t.Errorf("%s: %d %q", what, res.StatusCode, body)
		}
	}
	now = now.Add(2 * time.Minute)
	if res, body := get(t, signed); res.StatusCode != http.StatusForbidden || !strings.Contains(body, "storage.url_expired") {
		t.Errorf("expired = %d %q", res.StatusCode, body)
	}
	for _, exp := range []time.Time{time.Now().Add(-time.Second), time.Now().Add(application.MaxSignedURLExpiry + time.Hour)} {
		if _, err := p.SignedURL(t.Context(), key, exp); !errors.Is(err, application.ErrInvalidExpiry) {
			t.Errorf("SignedURL(%v) = %v", exp, err)
		}
	}
}

// A second provider on the same folder (another process) reads the same
// signing key, so its signed URLs are served by the first.
func TestSigningKey_shared(t *testing.T) {
	p, _, dir := serve(t, time.Now)
	put(t, p, "files/org_1/0123456789abcdef.bin", "shared", "application/octet-stream", true)
	base, _ := url.Parse(strings.TrimSuffix(p.URL(""), "/uploads/"))
	other, err := localfs.New(localfs.Options{Dir: dir, BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	signed, err := other.SignedURL(t.Context(), "files/org_1/0123456789abcdef.bin", time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if res, body := get(t, signed); res.StatusCode != http.StatusOK || body != "shared" {
		t.Fatalf("GET = %d %q", res.StatusCode, body)
	}
	if fi, err := os.Stat(filepath.Join(dir, ".signing-key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("signing key: %v %v", fi, err)
	}
}

// A body shorter or longer than its declared size is refused and leaves
// nothing behind, not even a temporary file.
func TestPut_sizeMismatch(t *testing.T) {
	p, _, dir := serve(t, time.Now)
	for _, size := range []int64{3, 20} {
		err := p.Put(t.Context(), application.Object{Key: "files/org_1/0123456789abcdef.txt", Body: bytes.NewReader([]byte("ten bytes!")), Size: size, ContentType: "text/plain"})
		if err == nil {
			t.Errorf("size %d: no error", size)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "files", "org_1"))
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".meta") {
			t.Errorf("left %s", e.Name())
		}
	}
	if _, _, err := p.Open(t.Context(), "files/org_1/0123456789abcdef.txt"); !errors.Is(err, application.ErrNotFound) {
		t.Errorf("Open = %v", err)
	}
}
