package storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/image/webp"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain/imaging"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/localfs"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/nullstore"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/s3store"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/modules/storage/internal/infrastructure/utfs"
	"github.com/groundworkhq/groundwork/modules/storage/internal/interfaces/httpapi"
	"github.com/groundworkhq/groundwork/web"
)

// Deps are what the module is built with.
type Deps struct {
	module.Services
	// Storage is the STORAGE_* configuration; it picks the provider.
	Storage config.Storage
	// ServerURL is the public URL: local objects are served under it.
	ServerURL *url.URL
	// DataDir holds the local provider's folder (DATA_DIR/uploads).
	DataDir string
	// Users sets a user's image (iam's SetImage; required).
	Users Users
	// Organizations sets an organization's logo and answers a member's
	// grants (tenancy; required).
	Organizations Organizations
	// Limiter rate-limits uploads per user (iam's RateLimit); nil: none.
	Limiter Limiter
	// MaxFileBytes caps a product's file by default (0: 25 MiB).
	MaxFileBytes int64
}

// Users is the port to the users (iam).
type Users = application.Users

// Organizations is the port to the organizations (tenancy): a logo's URL,
// and a user's grants in an organization (NotFound for a non-member).
type Organizations interface {
	application.Organizations
	Access(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (kernel.OrganizationContext, error)
}

// Limiter counts one attempt against key's limit per window across
// processes (iam's RateLimit).
type Limiter = application.Limiter

// DefaultMaxFileBytes is the default cap of a product's file.
const DefaultMaxFileBytes = 25 << 20

// Module is the storage bounded context.
type Module struct {
	deps     Deps
	provider application.Provider
	local    *localfs.Provider // the provider when it is local, for /uploads
	svc      *application.Service
	http     *httpapi.Handler
}

// New builds the module and the provider STORAGE_PROVIDER names, with its
// settings checked (a bad UPLOADTHING_TOKEN stops here); the provider's
// credentials are checked by Start. It does no I/O beyond what a
// provider's constructor needs (s3 reads the AWS credential chain).
func New(ctx context.Context, d Deps) (*Module, error) {
	var err error
	if d.Services, err = d.Services.Ready("storage"); err != nil {
		return nil, err
	}
	switch {
	case d.Bus == nil:
		return nil, errors.New("storage: no event bus")
	case d.Users == nil:
		return nil, errors.New("storage: no Users port")
	case d.Organizations == nil:
		return nil, errors.New("storage: no Organizations port")
	}
	if d.Storage.MaxUploadBytes <= 0 {
		d.Storage.MaxUploadBytes = 5 << 20
	}
	if d.MaxFileBytes <= 0 {
		d.MaxFileBytes = DefaultMaxFileBytes
	}
	m := &Module{deps: d}
	if m.provider, err = m.newProvider(ctx); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	m.svc = application.NewService(application.Deps{
		UoW: d.DB, Store: sqlstore.New(d.DB), Provider: m.provider, Users: d.Users, Organizations: d.Organizations,
		Deletions: deletions{m}, Limiter: d.Limiter, Events: d.Bus, Clock: d.Clock, Logger: d.Logger,
		MaxImageBytes: int64(d.Storage.MaxUploadBytes), MaxFileBytes: d.MaxFileBytes, Sniff: http.DetectContentType,
		WebP: imaging.Codec{DecodeConfigFunc: webp.DecodeConfig, DecodeFunc: webp.Decode},
	})
	m.http = httpapi.New(m.svc, d.Organizations.Access, int64(d.Storage.MaxUploadBytes))
	return m, nil
}

func (m *Module) newProvider(ctx context.Context) (application.Provider, error) {
	s := m.deps.Storage
	switch s.Provider {
	case config.StorageNull:
		return nullstore.Provider{}, nil
	case config.StorageS3:
		return s3store.New(ctx, s3store.Options{Bucket: s.S3.Bucket, Region: s.S3.Region, Endpoint: s.S3.Endpoint,
			PublicURL: s.S3.PublicURL, ForcePathStyle: s.S3.ForcePathStyle})
	case config.StorageUploadThing:
		return utfs.New(utfs.Options{Token: s.UploadThing.Token, APIBase: s.UploadThing.APIBase, FileHost: s.UploadThing.FileHost})
	case config.StorageLocal, "":
		if m.deps.ServerURL == nil {
			return nil, errors.New("the local provider needs SERVER_URL")
		}
		dir := m.deps.DataDir
		if dir == "" {
			dir = "data"
		}
		p, err := localfs.New(localfs.Options{Dir: filepath.Join(dir, "uploads"), BaseURL: m.deps.ServerURL, Now: m.deps.Clock.Now})
		m.local = p
		return p, err
	}
	return nil, fmt.Errorf("unknown STORAGE_PROVIDER %q", s.Provider)
}

// Name returns "storage".
func (m *Module) Name() string { return "storage" }

// Migrations returns storage's table for both dialects.
func (m *Module) Migrations() db.Migrations { return sqlstore.Migrations() }

// Routes mounts PUT and DELETE /api/users/me/avatar and
// /api/organizations/{id}/logo, and, with the local provider, GET
// /uploads/{key...}.
func (m *Module) Routes(r *web.Router) {
	m.http.Register(r)
	if m.local != nil {
		r.Handle("GET /uploads/{key...}", m.local.Handler())
	}
}

// Start checks the provider's credentials with one cheap call: a bucket
// that does not exist, a refused key or an unwritable folder stops
// start-up.
func (m *Module) Start(ctx context.Context) error {
	if err := m.provider.Check(ctx); err != nil {
		return fmt.Errorf("storage: %s provider: %w", m.provider.Name(), err)
	}
	return nil
}

// Stop closes the local provider's folder.
func (m *Module) Stop(context.Context) error {
	if m.local != nil {
		return m.local.Close()
	}
	return nil
}

// Provider is the STORAGE_PROVIDER in use: null, local, s3 or uploadthing.
func (m *Module) Provider() string { return m.provider.Name() }

// deleteArgs is the clean-up job of one object.
type deleteArgs struct {
	Key string `json:"key"`
}

// Kind returns "storage-delete-object".
func (deleteArgs) Kind() string { return "storage-delete-object" }

// sweepArgs names the periodic sweep of abandoned uploads.
type sweepArgs struct{}

// Kind returns "storage-sweep".
func (sweepArgs) Kind() string { return "storage-sweep" }

// deleteMaxAttempts is how many times a clean-up job is tried (River's
// backoff spreads them over weeks): "until done".
const deleteMaxAttempts = 100

// deletions queues clean-up jobs in the transaction ctx carries.
type deletions struct{ m *Module }

func (d deletions) Enqueue(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(keys))
	for i, k := range keys {
		params[i] = river.InsertManyParams{Args: deleteArgs{Key: k}, InsertOpts: &river.InsertOpts{MaxAttempts: deleteMaxAttempts}}
	}
	if _, err := d.m.deps.Jobs.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("storage: queue the deletion of %d objects: %w", len(keys), err)
	}
	return nil
}

// SweepInterval is how often abandoned uploads are swept.
const SweepInterval = 30 * time.Minute

// Workers registers the clean-up job (storage-delete-object, retried
// until the object is gone) and the half-hourly sweep of uploads that
// never finished (storage-sweep).
func (m *Module) Workers(reg *jobs.Registry) {
	jobs.AddWorker(reg, river.WorkFunc(func(ctx context.Context, j *river.Job[deleteArgs]) error {
		return m.svc.DeleteObject(ctx, j.Args.Key)
	}))
	jobs.Every[sweepArgs](reg, SweepInterval, false, func(ctx context.Context) error {
		n, err := m.svc.Sweep(ctx)
		if n > 0 {
			m.deps.Logger.InfoContext(ctx, "storage swept abandoned uploads", "objects", n)
		}
		return err
	})
}

// UserDeleted dooms the user's avatar in the deleting transaction; a job
// deletes it once that commits.
func (m *Module) UserDeleted(ctx context.Context, user kernel.UserID) error {
	return m.svc.OwnerDeleted(ctx, user.String())
}

// OrganizationDeleted dooms the organization's logo and files in the
// deleting transaction; jobs delete them once that commits.
func (m *Module) OrganizationDeleted(ctx context.Context, org kernel.OrganizationID) error {
	return m.svc.OwnerDeleted(ctx, org.String())
}
