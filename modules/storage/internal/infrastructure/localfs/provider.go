// Package localfs is the local storage provider: objects are files under
// one folder (DATA_DIR/uploads), served by the server itself at /uploads/.
//
// Every path goes through an os.Root on the folder, after domain.ValidKey
// has refused anything that is not a key the storage makes (no "..", no
// absolute paths, no hidden names), and no component may be a symbolic
// link, so a key never reaches outside the folder. Each object has a
// sidecar ".{name}.meta" beside it (a hidden name, which no key can be)
// holding its content type and whether it is private. Writes go to a
// temporary file renamed into place, so a reader sees the old object or
// the new one, never half of one.
//
// Public objects are served to anyone with Cache-Control
// application.PublicCacheControl (keys are content-addressed); private
// ones only at a URL signed with HMAC-SHA256 under a key kept in the
// folder (".signing-key", created on first use), until the URL expires.
package localfs

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain"
)

// Options configure the provider.
type Options struct {
	// Dir is the folder objects live in (DATA_DIR/uploads); it is created
	// on first use.
	Dir string
	// BaseURL is the server's public URL (SERVER_URL): objects are at
	// BaseURL/uploads/{key}.
	BaseURL *url.URL
	// Now is the clock signed URLs are checked against (nil: time.Now).
	Now func() time.Time
}

// Provider keeps objects under Options.Dir.
type Provider struct {
	opts Options
	base string // BaseURL + "/uploads/"

	mu   sync.Mutex
	root *os.Root
	key  []byte // the signing key
}

var _ application.Provider = (*Provider)(nil)

// New returns the provider over opts. It does no I/O.
func New(opts Options) (*Provider, error) {
	if opts.Dir == "" {
		return nil, errors.New("localfs: no folder")
	}
	if opts.BaseURL == nil || opts.BaseURL.Host == "" {
		return nil, errors.New("localfs: no base URL")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Provider{opts: opts, base: strings.TrimSuffix(opts.BaseURL.String(), "/") + "/uploads/"}, nil
}

// Name returns "local".
func (p *Provider) Name() string { return "local" }

// signingKeyFile holds the key signed URLs are signed with.
const signingKeyFile = ".signing-key"

// open opens the folder, creating it and the signing key when missing.
func (p *Provider) open() (*os.Root, []byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.root != nil {
		return p.root, p.key, nil
	}
	if err := os.MkdirAll(p.opts.Dir, 0o750); err != nil {
		return nil, nil, application.Unavailable("create the uploads folder", err)
	}
	root, err := os.OpenRoot(p.opts.Dir)
	if err != nil {
		return nil, nil, application.Unavailable("open the uploads folder", err)
	}
	key, err := signingKey(root)
	if err != nil {
		_ = root.Close()
		return nil, nil, application.Unavailable("read the signing key", err)
	}
	p.root, p.key = root, key
	return root, key, nil
}

// signingKey reads the folder's signing key, creating it if there is
// none; of two processes creating it at once, one wins and both read its.
func signingKey(root *os.Root) ([]byte, error) {
	if b, err := root.ReadFile(signingKeyFile); err == nil && len(b) >= 32 {
		return b, nil
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	f, err := root.OpenFile(signingKeyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		_, err = f.Write(key)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	for range 50 { // the other process is writing it
		if b, err := root.ReadFile(signingKeyFile); err == nil && len(b) >= 32 {
			return b, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, errors.New("the signing key is unreadable")
}

// Check creates the folder and the signing key if need be and checks the
// folder can be written.
func (p *Provider) Check(context.Context) error {
	root, _, err := p.open()
	if err != nil {
		return err
	}
	name := ".check-" + rand.Text()
	if err := root.WriteFile(name, nil, 0o600); err != nil {
		return application.Unavailable("write to the uploads folder", err)
	}
	_ = root.Remove(name)
	return nil
}

// meta is an object's sidecar.
type meta struct {
	ContentType string `json:"contentType"`
	Private     bool   `json:"private,omitempty"`
}

// metaName is the sidecar of key: ".{name}.meta" in the key's folder.
func metaName(key string) string {
	dir, name := path.Split(key)
	return dir + "." + name + ".meta"
}

// checkPath refuses key unless it is a valid key none of whose existing
// components is a symbolic link.
func checkPath(root *os.Root, key string) error {
	if !domain.ValidKey(key) {
		return application.ErrNotFound
	}
	for i := 0; i <= len(key); i++ {
		if i < len(key) && key[i] != '/' {
			continue
		}
		fi, err := root.Lstat(key[:i])
		if errors.Is(err, fs.ErrNotExist) {
			return nil // nothing further exists to be a link
		}
		if err != nil {
			return application.Unavailable("look up "+key, err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return application.ErrNotFound
		}
	}
	return nil
}

// Put writes the object and its sidecar, each through a temporary file
// renamed into place.
func (p *Provider) Put(_ context.Context, o application.Object) error {
	root, _, err := p.open()
	if err != nil {
		return err
	}
	if err := checkPath(root, o.Key); err != nil {
		if errors.Is(err, application.ErrNotFound) {
			return fmt.Errorf("localfs: put: invalid key %q", o.Key)
		}
		return err
	}
	if dir := path.Dir(o.Key); dir != "." {
		if err := root.MkdirAll(dir, 0o750); err != nil {
			return application.Unavailable("create the folder of "+o.Key, err)
		}
	}
	m, _ := json.Marshal(meta{ContentType: o.ContentType, Private: o.Private})
	if err := writeFile(root, metaName(o.Key), strings.NewReader(string(m)), int64(len(m))); err != nil {
		return err
	}
	return writeFile(root, o.Key, o.Body, o.Size)
}

// writeFile writes exactly size bytes of r to name through a temporary
// file beside it.
func writeFile(root *os.Root, name string, r io.Reader, size int64) error {
	dir, base := path.Split(name)
	tmp := dir + "." + base + ".tmp-" + rand.Text()
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return application.Unavailable("create "+name, err)
	}
	n, err := io.Copy(f, io.LimitReader(r, size+1))
	if err == nil && n != size {
		err = fmt.Errorf("got %d bytes, want %d", n, size)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
		return application.Unavailable("write "+name, err)
	}
	return nil
}

// Open returns the object's file (an *os.File, so it can be served with
// ranges) and its sidecar's content type.
func (p *Provider) Open(ctx context.Context, key string) (io.ReadCloser, application.Info, error) {
	f, _, info, err := p.openObject(key)
	if err != nil {
		return nil, application.Info{}, err
	}
	return f, info, nil
}

// openObject opens key's file and reads its sidecar.
func (p *Provider) openObject(key string) (*os.File, meta, application.Info, error) {
	root, _, err := p.open()
	if err != nil {
		return nil, meta{}, application.Info{}, err
	}
	if err := checkPath(root, key); err != nil {
		return nil, meta{}, application.Info{}, err
	}
	b, err := root.ReadFile(metaName(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, meta{}, application.Info{}, application.ErrNotFound
	}
	if err != nil {
		return nil, meta{}, application.Info{}, application.Unavailable("read "+key, err)
	}
	var m meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, meta{}, application.Info{}, application.Unavailable("read the sidecar of "+key, err)
	}
	f, err := root.Open(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, meta{}, application.Info{}, application.ErrNotFound
	}
	if err != nil {
		return nil, meta{}, application.Info{}, application.Unavailable("open "+key, err)
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		_ = f.Close()
		return nil, meta{}, application.Info{}, application.ErrNotFound
	}
	return f, m, application.Info{Size: fi.Size(), ContentType: m.ContentType}, nil
}

// Delete removes the object and its sidecar.
func (p *Provider) Delete(_ context.Context, key string) error {
	root, _, err := p.open()
	if err != nil {
		return err
	}
	if err := checkPath(root, key); err != nil {
		if errors.Is(err, application.ErrNotFound) {
			return nil
		}
		return err
	}
	for _, name := range []string{key, metaName(key)} {
		if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return application.Unavailable("delete "+name, err)
		}
	}
	return nil
}

// URL is BaseURL/uploads/{key}.
func (p *Provider) URL(key string) string { return p.base + key }

// SignedURL is URL with the expiry (Unix seconds) and an HMAC-SHA256 of
// the key and the expiry: ?expires=…&signature=….
func (p *Provider) SignedURL(_ context.Context, key string, expires time.Time) (string, error) {
	if err := application.CheckExpiry(expires, p.opts.Now()); err != nil {
		return "", err
	}
	_, sk, err := p.open()
	if err != nil {
		return "", err
	}
	exp := strconv.FormatInt(expires.Unix(), 10)
	q := url.Values{"expires": {exp}, "signature": {sign(sk, key, exp)}}
	return p.URL(key) + "?" + q.Encode(), nil
}

func sign(sk []byte, key, expires string) string {
	h := hmac.New(sha256.New, sk)
	h.Write([]byte(key + "\n" + expires))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// verify reports whether signature signs key and expires, and whether
// expires is still ahead of now.
func (p *Provider) verify(key, expires, signature string, now time.Time) (valid, live bool) {
	_, sk, err := p.open()
	if err != nil || expires == "" || signature == "" {
		return false, false
	}
	if !hmac.Equal([]byte(sign(sk, key, expires)), []byte(signature)) {
		return false, false
	}
	exp, err := strconv.ParseInt(expires, 10, 64)
	return err == nil, err == nil && now.Unix() < exp
}

// Close closes the folder.
func (p *Provider) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.root == nil {
		return nil
	}
	err := p.root.Close()
	p.root = nil
	return err
}
