package storage

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain/imaging"
)

// File is a product's file of an organization: its content-addressed key,
// the name and media type it was stored with, its size, and whether it is
// private (the default: fetched only through signed URLs).
type File = application.File

// NewFile is what PutFile stores.
type NewFile = application.NewFile

// Errors other modules may compare with errors.Is.
var (
	// ErrNotFound: no such file in the organization (404
	// storage.not_found); another organization's file is not found too.
	ErrNotFound = application.ErrNotFound
	// ErrUnavailable: the provider failed, or STORAGE_PROVIDER is null
	// (503 storage.unavailable).
	ErrUnavailable = application.ErrUnavailable
	// ErrPrivateFile: a private file has no public URL (409
	// storage.private_file).
	ErrPrivateFile = application.ErrPrivateFile
	// ErrInvalidExpiry: a signed URL's expiry is past or more than seven
	// days ahead (422 storage.invalid_expiry).
	ErrInvalidExpiry = application.ErrInvalidExpiry
	// ErrTooLarge: the file is over its cap (413 storage.too_large).
	ErrTooLarge = imaging.ErrTooLarge
	// ErrUnsupportedType: an avatar or logo that is not a PNG, JPEG, WebP
	// or GIF (415 storage.unsupported_type).
	ErrUnsupportedType = imaging.ErrUnsupportedType
	// ErrInvalidImage: a truncated or corrupt image (422
	// storage.invalid_image).
	ErrInvalidImage = imaging.ErrInvalidImage
)

// MaxSignedURLExpiry is how far ahead a signed URL may expire.
const MaxSignedURLExpiry = application.MaxSignedURLExpiry

// PutFile stores a file of org under a content-addressed key
// (files/{orgId}/{sha256:16}.{ext}), private unless in.Public, and
// returns it; storing the same bytes again returns the same file. It
// talks to the provider, so call it outside a transaction. The
// organization's deletion deletes its files.
func (m *Module) PutFile(ctx context.Context, org kernel.OrganizationID, in NewFile) (File, error) {
	f, err := m.svc.PutFile(ctx, org, in)
	if err != nil {
		return File{}, fmt.Errorf("storage: put a file: %w", err)
	}
	return f, nil
}

// FileInfo returns org's file under key, or ErrNotFound.
func (m *Module) FileInfo(ctx context.Context, org kernel.OrganizationID, key string) (File, error) {
	return m.svc.File(ctx, org, key)
}

// OpenFile returns org's file and its bytes, or ErrNotFound; the caller
// closes the reader.
func (m *Module) OpenFile(ctx context.Context, org kernel.OrganizationID, key string) (io.ReadCloser, File, error) {
	return m.svc.OpenFile(ctx, org, key)
}

// DeleteFile deletes org's file: at once for FileInfo and OpenFile, its
// bytes by a job after the transaction ctx carries (or its own) commits.
func (m *Module) DeleteFile(ctx context.Context, org kernel.OrganizationID, key string) error {
	return m.svc.DeleteFile(ctx, org, key)
}

// FileURL is the public URL of org's public file, cached forever;
// ErrPrivateFile for a private one.
func (m *Module) FileURL(ctx context.Context, org kernel.OrganizationID, key string) (string, error) {
	return m.svc.FileURL(ctx, org, key)
}

// SignedFileURL is a URL that serves org's file, public or private, until
// expires (at most MaxSignedURLExpiry ahead).
func (m *Module) SignedFileURL(ctx context.Context, org kernel.OrganizationID, key string, expires time.Time) (string, error) {
	return m.svc.SignedFileURL(ctx, org, key, expires)
}
