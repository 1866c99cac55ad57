package application

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// Provider is where objects are kept: the local disk, an S3 bucket or
// UploadThing. Keys are the storage's own (domain.Key checked them): a
// provider never sees a key from outside. Every method may be called
// concurrently.
type Provider interface {
	// Name is the provider's STORAGE_PROVIDER value.
	Name() string
	// Check verifies, with one cheap call, that the provider can be
	// reached with the credentials it was given; start-up runs it and
	// stops on an error.
	Check(ctx context.Context) error
	// Put stores o.Body (exactly o.Size bytes) under o.Key, replacing an
	// object there was, with its content type and cache policy.
	Put(ctx context.Context, o Object) error
	// Open returns the object's bytes and what was stored with them, or
	// ErrNotFound. The caller closes the reader.
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Delete removes the object; a key with no object is not an error.
	Delete(ctx context.Context, key string) error
	// URL is where anyone fetches a public object; it does no I/O.
	URL(key string) string
	// SignedURL is where the holder fetches a private object until
	// expires (at most MaxSignedURLExpiry from now).
	SignedURL(ctx context.Context, key string, expires time.Time) (string, error)
}

// Object is what Put stores.
type Object struct {
	Key         string
	Body        io.Reader
	Size        int64
	ContentType string
	// Private objects are fetched only through a signed URL; public ones
	// are served to anyone at URL with Cache-Control
	// PublicCacheControl (their keys are content-addressed).
	Private bool
}

// Info is what Open returns with an object's bytes.
type Info struct {
	Size        int64
	ContentType string
}

// PublicCacheControl is the Cache-Control of every public object: keys
// are content-addressed, so an object never changes under its key.
const PublicCacheControl = "public, max-age=31536000, immutable"

// PrivateCacheControl is the Cache-Control of a private object served
// through a signed URL.
const PrivateCacheControl = "private, max-age=0, no-store"

// MaxSignedURLExpiry is how far ahead a signed URL may expire (S3's own
// limit for presigned requests).
const MaxSignedURLExpiry = 7 * 24 * time.Hour

// CheckExpiry is every provider's rule for SignedURL: the expiry must be
// after now and at most MaxSignedURLExpiry after it.
func CheckExpiry(expires, now time.Time) error {
	if !expires.After(now) || expires.Sub(now) > MaxSignedURLExpiry {
		return ErrInvalidExpiry
	}
	return nil
}

// Errors a provider returns.
var (
	// ErrNotFound: no object under the key (404 storage.not_found).
	ErrNotFound = kernel.NotFound("storage.not_found", "There is no such file.")
	// ErrUnavailable: the provider failed or none is configured (503
	// storage.unavailable). A provider wraps its own failures with
	// Unavailable so the cause is logged and the caller sees a 503.
	ErrUnavailable = kernel.Unavailable("storage.unavailable", "File storage is unavailable; try again later.")
	// ErrInvalidExpiry: a signed URL's expiry is past or more than
	// MaxSignedURLExpiry ahead (422 storage.invalid_expiry).
	ErrInvalidExpiry = kernel.Invalid("storage.invalid_expiry", "A signed URL must expire in the future, at most 7 days ahead.",
		kernel.FieldError{Field: "expires", Code: "out_of_range", Message: "must be in the future, at most 7 days ahead"})
)

// Unavailable wraps a provider's failure of op: errors.Is(err,
// ErrUnavailable) holds, so the HTTP edge answers 503
// storage.unavailable, and the cause stays in the chain for the logs.
func Unavailable(op string, cause error) error {
	return ErrUnavailable.WithCause(fmt.Errorf("%s: %w", op, cause))
}
