// Package nullstore is the provider of STORAGE_PROVIDER=null: storage is
// turned off, and everything that would store or read a file answers 503
// storage.unavailable, so nothing fails silently.
package nullstore

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
)

// Provider stores nothing.
type Provider struct{}

var _ application.Provider = Provider{}

var errOff = errors.New("STORAGE_PROVIDER is null")

// Name returns "null".
func (Provider) Name() string { return "null" }

// Check succeeds: storage is off on purpose.
func (Provider) Check(context.Context) error { return nil }

// Put answers ErrUnavailable.
func (Provider) Put(context.Context, application.Object) error {
	return application.Unavailable("put", errOff)
}

// Open answers ErrUnavailable.
func (Provider) Open(context.Context, string) (io.ReadCloser, application.Info, error) {
	return nil, application.Info{}, application.Unavailable("open", errOff)
}

// Delete answers ErrUnavailable, so a clean-up job waits for a provider.
func (Provider) Delete(context.Context, string) error {
	return application.Unavailable("delete", errOff)
}

// URL is "": there is nowhere to fetch from.
func (Provider) URL(string) string { return "" }

// SignedURL answers ErrUnavailable.
func (Provider) SignedURL(context.Context, string, time.Time) (string, error) {
	return "", application.Unavailable("sign a URL", errOff)
}
