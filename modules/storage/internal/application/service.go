// Package application holds storage's use cases: avatars, organization
// logos and products' files through the Provider port, and the clean-up
// of the objects nothing uses any more.
package application

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain/imaging"
)

// Deps are the service's ports and settings.
type Deps struct {
	UoW           kernel.UnitOfWork
	Store         Store
	Provider      Provider
	Users         Users
	Organizations Organizations
	Deletions     Deletions
	Limiter       Limiter // nil: no rate limit
	Events        kernel.Publisher
	Clock         kernel.Clock
	Logger        *slog.Logger
	// MaxImageBytes is the largest avatar or logo accepted
	// (UPLOAD_MAX_BYTES).
	MaxImageBytes int64
	// MaxFileBytes is the default largest product file.
	MaxFileBytes int64
	// Sniff tells a file's media type from its first bytes
	// (http.DetectContentType).
	Sniff func([]byte) string
	// WebP decodes WebP images (golang.org/x/image/webp); without it they
	// are refused.
	WebP imaging.Codec
}

// The limits of uploads.
const (
	// UploadsPerWindow uploads (avatars and logos) per user per
	// UploadWindow; more are 429 storage.too_many_uploads.
	UploadsPerWindow = 20
	UploadWindow     = 10 * time.Minute
	// ImageBox is the box an avatar or logo is resized to fit.
	ImageBox = 512
	// MaxImageSide is the largest width or height accepted.
	MaxImageSide = 8000
	// PendingTimeout is how long a claimed object may stay unstored
	// before the sweep takes it for the leftover of an upload that died.
	PendingTimeout = time.Hour
	// claimWait is how long an upload waits for a clean-up job deleting
	// the same key to finish.
	claimWait = 5 * time.Second
)

// Service runs the use cases.
type Service struct{ deps Deps }

// NewService returns the service over d.
func NewService(d Deps) *Service { return &Service{deps: d} }

// Provider returns the provider objects are kept in.
func (s *Service) Provider() Provider { return s.deps.Provider }

// errTooManyUploads answers the upload past the limit.
func errTooManyUploads(retryAfter time.Duration) error {
	secs := max(int((retryAfter+time.Second-1)/time.Second), 1)
	return kernel.RateLimited("storage.too_many_uploads", "Too many uploads; try again later.", secs)
}

// limit counts one upload of user.
func (s *Service) limit(ctx context.Context, user kernel.UserID) error {
	if s.deps.Limiter == nil {
		return nil
	}
	ok, retry, err := s.deps.Limiter(ctx, "storage:upload:"+user.String(), UploadsPerWindow, UploadWindow)
	if err != nil {
		return err
	}
	if !ok {
		return errTooManyUploads(retry)
	}
	return nil
}

// image is one avatar or logo on its way: whose, and what to do once it
// is stored.
type image struct {
	kind  domain.Kind
	owner string
	by    kernel.UserID
	key   func(img imaging.Image) string
	// apply sets the owner's URL to url ("" clears it) and publishes the
	// change, in the transaction.
	apply func(ctx context.Context, url, key string, size int64) error
}

// SetAvatar stores body as the user's avatar and makes it the user's
// image; the avatar it replaces is deleted by a job after commit. It
// returns the avatar's URL.
func (s *Service) SetAvatar(ctx context.Context, user kernel.UserID, body io.Reader) (string, error) {
	return s.setImage(ctx, body, image{
		kind: domain.KindAvatar, owner: user.String(), by: user,
		key: func(img imaging.Image) string { return domain.AvatarKey(user, img.Bytes, img.Ext) },
		apply: func(ctx context.Context, url, key string, size int64) error {
			if err := s.deps.Users.SetImage(ctx, user, url); err != nil {
				return err
			}
			return s.deps.Events.Publish(ctx, AvatarUpdated{UserID: user, Key: key, Size: size})
		},
	})
}

// SetLogo stores body as the organization's logo, for the member by.
func (s *Service) SetLogo(ctx context.Context, by kernel.UserID, org kernel.OrganizationID, body io.Reader) (string, error) {
	return s.setImage(ctx, body, image{
		kind: domain.KindLogo, owner: org.String(), by: by,
		key: func(img imaging.Image) string { return domain.LogoKey(org, img.Bytes, img.Ext) },
		apply: func(ctx context.Context, url, key string, size int64) error {
			if err := s.deps.Organizations.SetLogo(ctx, org, url); err != nil {
				return err
			}
			return s.deps.Events.Publish(ctx, LogoUpdated{OrganizationID: org, By: by, Key: key, Size: size})
		},
	})
}

// setImage is the pipeline of avatars and logos: the rate limit, the
// image checked, resized and re-encoded, its key claimed, the object
// stored, then in one transaction the owner's URL set, the object made
// live and the one it replaces doomed. A provider failure is 503 with
// nothing changed.
func (s *Service) setImage(ctx context.Context, body io.Reader, im image) (string, error) {
	if err := s.limit(ctx, im.by); err != nil {
		return "", err
	}
	img, err := imaging.Normalize(body, imaging.Options{MaxBytes: s.deps.MaxImageBytes, MaxSide: MaxImageSide, Box: ImageBox, WebP: s.deps.WebP})
	if err != nil {
		return "", err
	}
	rec := Record{Key: im.key(img), Kind: im.kind, Owner: im.owner, Size: int64(len(img.Bytes)), ContentType: img.ContentType}
	if err := s.store(ctx, rec, img.Bytes); err != nil {
		return "", err
	}
	url := s.deps.Provider.URL(rec.Key)
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := im.apply(ctx, url, rec.Key, rec.Size); err != nil {
			return err
		}
		doomed, err := s.deps.Store.Promote(ctx, rec.Key, im.kind, im.owner, s.deps.Clock.Now())
		if err != nil {
			return err
		}
		return s.deps.Deletions.Enqueue(ctx, doomed)
	})
	if err != nil {
		s.abandon(ctx, rec.Key)
		return "", err
	}
	return url, nil
}

// store claims rec's key and puts the bytes; on a provider failure the
// claim is abandoned. A claim refused because a clean-up job is deleting
// the same key waits for it, for up to claimWait.
func (s *Service) store(ctx context.Context, rec Record, b []byte) error {
	deadline := time.Now().Add(claimWait)
	for {
		now := s.deps.Clock.Now()
		rec.CreatedAt, rec.UpdatedAt, rec.State = now, now, StatePending
		ok, err := s.deps.Store.Claim(ctx, rec)
		if err != nil {
			return fmt.Errorf("claim %s: %w", rec.Key, err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return Unavailable("claim "+rec.Key, errors.New("a clean-up job is still deleting it"))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	err := s.deps.Provider.Put(ctx, Object{Key: rec.Key, Body: bytes.NewReader(b), Size: int64(len(b)), ContentType: rec.ContentType, Private: rec.Private})
	if err != nil {
		s.abandon(ctx, rec.Key)
		return err
	}
	return nil
}

// abandon dooms the claim of an upload that failed, if it is still
// pending (a live object under the same key is someone else's).
func (s *Service) abandon(ctx context.Context, key string) {
	ctx = context.WithoutCancel(ctx)
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		ok, err := s.deps.Store.DoomPending(ctx, key, s.deps.Clock.Now())
		if err != nil || !ok {
			return err
		}
		return s.deps.Deletions.Enqueue(ctx, []string{key})
	})
	if err != nil {
		s.deps.Logger.ErrorContext(ctx, "abandon an upload", "key", key, "error", err)
	}
}

// RemoveAvatar clears the user's image and deletes their avatar after
// commit. Without an avatar it only clears the image.
func (s *Service) RemoveAvatar(ctx context.Context, user kernel.UserID) error {
	return s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Users.SetImage(ctx, user, ""); err != nil {
			return err
		}
		doomed, err := s.deps.Store.DoomLive(ctx, domain.KindAvatar, user.String(), s.deps.Clock.Now())
		if err != nil {
			return err
		}
		for _, k := range doomed {
			if err := s.deps.Events.Publish(ctx, AvatarRemoved{UserID: user, Key: k}); err != nil {
				return err
			}
		}
		return s.deps.Deletions.Enqueue(ctx, doomed)
	})
}

// RemoveLogo clears the organization's logo and deletes it after commit.
func (s *Service) RemoveLogo(ctx context.Context, by kernel.UserID, org kernel.OrganizationID) error {
	return s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if err := s.deps.Organizations.SetLogo(ctx, org, ""); err != nil {
			return err
		}
		doomed, err := s.deps.Store.DoomLive(ctx, domain.KindLogo, org.String(), s.deps.Clock.Now())
		if err != nil {
			return err
		}
		for _, k := range doomed {
			if err := s.deps.Events.Publish(ctx, LogoRemoved{OrganizationID: org, By: by, Key: k}); err != nil {
				return err
			}
		}
		return s.deps.Deletions.Enqueue(ctx, doomed)
	})
}

// OwnerDeleted dooms every object of a deleted user or organization, in
// the deleting transaction; the jobs delete them once it commits.
func (s *Service) OwnerDeleted(ctx context.Context, owner string) error {
	doomed, err := s.deps.Store.DoomOwner(ctx, owner, s.deps.Clock.Now())
	if err != nil {
		return fmt.Errorf("storage: doom the objects of %s: %w", owner, err)
	}
	return s.deps.Deletions.Enqueue(ctx, doomed)
}

// DeleteObject is the clean-up job's work: it deletes key's object unless
// an upload claimed the key again, then forgets the key. A provider's
// failure returns an error, so the job is retried.
func (s *Service) DeleteObject(ctx context.Context, key string) error {
	ok, err := s.deps.Store.StartDeleting(ctx, key, s.deps.Clock.Now())
	if err != nil || !ok {
		return err
	}
	if err := s.deps.Provider.Delete(ctx, key); err != nil {
		return err
	}
	return s.deps.Store.Forget(ctx, key)
}

// Sweep dooms the claims of uploads that never finished (a process that
// died between claiming and storing) and reports how many.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		keys, err := s.deps.Store.StalePending(ctx, s.deps.Clock.Now().Add(-PendingTimeout), 500)
		if err != nil || len(keys) == 0 {
			return total, err
		}
		var doomed []string
		err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
			for _, k := range keys {
				ok, err := s.deps.Store.DoomPending(ctx, k, s.deps.Clock.Now())
				if err != nil {
					return err
				}
				if ok {
					doomed = append(doomed, k)
				}
			}
			return s.deps.Deletions.Enqueue(ctx, doomed)
		})
		if err != nil {
			return total, err
		}
		total += len(doomed)
		if len(keys) < 500 {
			return total, nil
		}
	}
}
