// Package providertest is the behaviour every storage provider shares,
// run against each adapter over the real protocol's local peer: put, open
// and delete, replacing an object, a missing key, public and signed URLs
// that really fetch the bytes, concurrent puts.
package providertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
)

// Options says what the provider under test serves.
type Options struct {
	// Fetch gets a URL the provider returned (URL or SignedURL); nil uses
	// http.DefaultClient. A test whose peer is in-process routes it there.
	Fetch func(ctx context.Context, url string) (*http.Response, error)
	// NoPublicFetch skips fetching public URLs (a peer that cannot serve
	// them); the URL is still checked to name the key.
	NoPublicFetch bool
	// NoSignedFetch skips fetching signed URLs.
	NoSignedFetch bool
}

// Run runs the shared behaviour against p.
func Run(t *testing.T, p application.Provider, opts Options) {
	t.Helper()
	fetch := opts.Fetch
	if fetch == nil {
		fetch = func(ctx context.Context, url string) (*http.Response, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
			if err != nil {
				return nil, err
			}
			return http.DefaultClient.Do(req)
		}
	}
	get := func(t *testing.T, url string) (int, []byte, http.Header) {
		t.Helper()
		res, err := fetch(t.Context(), url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		return res.StatusCode, b, res.Header
	}
	put := func(t *testing.T, key string, body []byte, ctype string, private bool) {
		t.Helper()
		err := p.Put(t.Context(), application.Object{Key: key, Body: bytes.NewReader(body), Size: int64(len(body)), ContentType: ctype, Private: private})
		if err != nil {
			t.Fatalf("Put %s: %v", key, err)
		}
	}
	read := func(t *testing.T, key string) ([]byte, application.Info) {
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

	t.Run("check", func(t *testing.T) {
		if err := p.Check(t.Context()); err != nil {
			t.Fatalf("Check: %v", err)
		}
	})

	t.Run("put, open, replace, delete", func(t *testing.T) {
		key := uniqueKey("avatars", "png")
		body := []byte("\x89PNG\r\n\x1a\nnot really an image, but bytes")
		put(t, key, body, "image/png", false)
		got, info := read(t, key)
		if !bytes.Equal(got, body) || info.Size != int64(len(body)) || info.ContentType != "image/png" {
			t.Fatalf("Open = %q, %+v", got, info)
		}
		other := []byte("other bytes")
		put(t, key, other, "image/png", false)
		if got, _ := read(t, key); !bytes.Equal(got, other) {
			t.Fatalf("after replacing = %q", got)
		}
		if err := p.Delete(t.Context(), key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, _, err := p.Open(t.Context(), key); !errors.Is(err, application.ErrNotFound) {
			t.Fatalf("Open after Delete = %v, want ErrNotFound", err)
		}
		if err := p.Delete(t.Context(), key); err != nil {
			t.Fatalf("Delete again = %v, want nil", err)
		}
	})

	t.Run("missing key", func(t *testing.T) {
		if _, _, err := p.Open(t.Context(), uniqueKey("files", "bin")); !errors.Is(err, application.ErrNotFound) {
			t.Fatalf("Open = %v, want ErrNotFound", err)
		}
	})

	t.Run("public URL", func(t *testing.T) {
		key := uniqueKey("logos", "jpg")
		body := []byte("jpeg bytes")
		put(t, key, body, "image/jpeg", false)
		url := p.URL(key)
		if other := p.URL(uniqueKey("logos", "jpg")); url == "" || other == url {
			t.Fatalf("URL %q is empty or another key's too (%q)", url, other)
		}
		if opts.NoPublicFetch {
			return
		}
		status, got, h := get(t, url)
		if status != http.StatusOK || !bytes.Equal(got, body) {
			t.Fatalf("GET %s = %d %q", url, status, got)
		}
		if ct := h.Get("Content-Type"); ct != "image/jpeg" {
			t.Errorf("Content-Type = %q", ct)
		}
	})

	t.Run("signed URL", func(t *testing.T) {
		key := uniqueKey("files", "pdf")
		body := []byte("%PDF-1.7 private")
		put(t, key, body, "application/pdf", true)
		url, err := p.SignedURL(t.Context(), key, time.Now().Add(10*time.Minute))
		if err != nil {
			t.Fatalf("SignedURL: %v", err)
		}
		if opts.NoSignedFetch {
			return
		}
		if status, got, _ := get(t, url); status != http.StatusOK || !bytes.Equal(got, body) {
			t.Fatalf("GET signed %s = %d %q", url, status, got)
		}
	})

	t.Run("concurrent puts", func(t *testing.T) {
		var wg sync.WaitGroup
		keys := make([]string, 8)
		errs := make([]error, len(keys))
		for i := range keys {
			keys[i] = uniqueKey("files", "txt")
			wg.Go(func() {
				body := fmt.Appendf(nil, "object %d", i)
				errs[i] = p.Put(t.Context(), application.Object{Key: keys[i], Body: bytes.NewReader(body), Size: int64(len(body)), ContentType: "text/plain"})
			})
		}
		wg.Wait()
		for i, key := range keys {
			if errs[i] != nil {
				t.Fatalf("Put %s: %v", key, errs[i])
			}
			if got, _ := read(t, key); string(got) != fmt.Sprintf("object %d", i) {
				t.Fatalf("%s = %q", key, got)
			}
		}
	})
}

var (
	mu   sync.Mutex
	seq  int
	base = time.Now().UnixNano()
)

// uniqueKey is a key of the storage's shape, unique in the process.
func uniqueKey(folder, ext string) string {
	mu.Lock()
	defer mu.Unlock()
	seq++
	return fmt.Sprintf("%s/test-%x-%04d.%s", folder, base, seq, ext)
}
