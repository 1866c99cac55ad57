package application

import (
	"context"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain/imaging"
)

// File is a product's file of an organization.
type File struct {
	Key         string
	Name        string
	ContentType string
	Size        int64
	Private     bool
	CreatedAt   time.Time
}

// NewFile is what PutFile stores.
type NewFile struct {
	// Name is the file's name as the product knows it (at most 255 bytes
	// of UTF-8); its extension, if any, ends the key.
	Name string
	// ContentType is the file's media type; "" sniffs it from the bytes
	// (Deps.Sniff).
	ContentType string
	Body        io.Reader
	// Public files are served to anyone at their URL, cached forever;
	// files are private by default, fetched through signed URLs.
	Public bool
	// MaxBytes caps the file (0: Deps.MaxFileBytes); more is 413
	// storage.too_large.
	MaxBytes int64
}

// Errors of products' files.
var (
	// ErrPrivateFile: a private file has no public URL (409
	// storage.private_file); sign one.
	ErrPrivateFile = kernel.Conflict("storage.private_file", "This file is private: it has only signed URLs.")
	errInvalidName = kernel.Invalid("storage.invalid_file", "The file needs a name of at most 255 characters and a valid media type.",
		kernel.FieldError{Field: "name", Code: "invalid", Message: "must be 1 to 255 bytes of UTF-8 without control characters"})
	errInvalidType = kernel.Invalid("storage.invalid_file", "The file needs a name of at most 255 characters and a valid media type.",
		kernel.FieldError{Field: "contentType", Code: "invalid", Message: "must be a media type such as application/pdf"})
)

// PutFile stores a product's file of org under a content-addressed key
// (files/{orgId}/{sha256:16}.{ext}) and returns it. It does I/O with the
// provider: call it outside a transaction. Storing the same bytes again
// returns the same file.
func (s *Service) PutFile(ctx context.Context, org kernel.OrganizationID, in NewFile) (File, error) {
	if in.Name == "" || len(in.Name) > 255 || !utf8.ValidString(in.Name) || strings.ContainsFunc(in.Name, isControl) {
		return File{}, errInvalidName
	}
	limit := in.MaxBytes
	if limit <= 0 {
		limit = s.deps.MaxFileBytes
	}
	b, err := io.ReadAll(io.LimitReader(in.Body, limit+1))
	if err != nil {
		return File{}, fmt.Errorf("read the file: %w", err)
	}
	if int64(len(b)) > limit {
		return File{}, imaging.ErrTooLarge
	}
	ctype := in.ContentType
	if ctype == "" && s.deps.Sniff != nil {
		ctype = s.deps.Sniff(b)
	}
	if _, _, err := mime.ParseMediaType(ctype); err != nil || len(ctype) > 255 {
		return File{}, errInvalidType
	}
	now := s.deps.Clock.Now()
	rec := Record{Key: domain.FileKey(org, b, domain.Ext(in.Name)), Kind: domain.KindFile, Owner: org.String(),
		Size: int64(len(b)), ContentType: ctype, Private: !in.Public, Name: in.Name}
	if err := s.store(ctx, rec, b); err != nil {
		return File{}, err
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Store.MarkLive(ctx, rec.Key, now); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, FileStored{OrganizationID: org, Key: rec.Key, Size: rec.Size, ContentType: ctype, Private: rec.Private})
	})
	if err != nil {
		s.abandon(ctx, rec.Key)
		return File{}, err
	}
	return File{Key: rec.Key, Name: in.Name, ContentType: ctype, Size: rec.Size, Private: rec.Private, CreatedAt: now}, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// File returns org's live file under key; ErrNotFound for any other key,
// another organization's included.
func (s *Service) File(ctx context.Context, org kernel.OrganizationID, key string) (File, error) {
	r, ok, err := s.deps.Store.Object(ctx, key)
	if err != nil {
		return File{}, err
	}
	if !ok || r.Kind != domain.KindFile || r.Owner != org.String() || r.State != StateLive {
		return File{}, ErrNotFound
	}
	return File{Key: r.Key, Name: r.Name, ContentType: r.ContentType, Size: r.Size, Private: r.Private, CreatedAt: r.CreatedAt}, nil
}

// OpenFile returns org's file and its bytes; the caller closes them.
func (s *Service) OpenFile(ctx context.Context, org kernel.OrganizationID, key string) (io.ReadCloser, File, error) {
	f, err := s.File(ctx, org, key)
	if err != nil {
		return nil, File{}, err
	}
	rc, _, err := s.deps.Provider.Open(ctx, key)
	if err != nil {
		return nil, File{}, err
	}
	return rc, f, nil
}

// FileURL is the public URL of org's public file; ErrPrivateFile for a
// private one.
func (s *Service) FileURL(ctx context.Context, org kernel.OrganizationID, key string) (string, error) {
	f, err := s.File(ctx, org, key)
	if err != nil {
		return "", err
	}
	if f.Private {
		return "", ErrPrivateFile
	}
	return s.deps.Provider.URL(key), nil
}

// SignedFileURL is a URL serving org's file until expires (at most
// MaxSignedURLExpiry ahead).
func (s *Service) SignedFileURL(ctx context.Context, org kernel.OrganizationID, key string, expires time.Time) (string, error) {
	if err := CheckExpiry(expires, s.deps.Clock.Now()); err != nil {
		return "", err
	}
	if _, err := s.File(ctx, org, key); err != nil {
		return "", err
	}
	return s.deps.Provider.SignedURL(ctx, key, expires)
}

// DeleteFile deletes org's file: at once for its users, its object by a
// job after commit. ErrNotFound when org has no such file.
func (s *Service) DeleteFile(ctx context.Context, org kernel.OrganizationID, key string) error {
	return s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		r, ok, err := s.deps.Store.Object(ctx, key)
		if err != nil {
			return err
		}
		if !ok || r.Kind != domain.KindFile {
			return ErrNotFound
		}
		doomed, err := s.deps.Store.DoomKey(ctx, key, org.String(), s.deps.Clock.Now())
		if err != nil {
			return err
		}
		if !doomed {
			return ErrNotFound
		}
		if err := s.deps.Events.Publish(ctx, FileDeleted{OrganizationID: org, Key: key}); err != nil {
			return err
		}
		return s.deps.Deletions.Enqueue(ctx, []string{key})
	})
}
