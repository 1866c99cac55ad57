package app

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/storage"
	"github.com/groundworkhq/groundwork/modules/tenancy"
)

// The audit log's target types of storage's changes.
const (
	targetAvatar = "avatar"
	targetLogo   = "logo"
	targetFile   = "file"
)

// newStorage builds the storage module over iam (a user's image, the
// shared rate limiter) and tenancy (an organization's logo, a member's
// grants).
func newStorage(d Deps, b builtins) (*storage.Module, error) {
	return storage.New(context.Background(), storage.Deps{
		Services:      d.Services,
		Storage:       d.Config.Storage,
		ServerURL:     d.Config.Server.URL,
		DataDir:       d.Config.Database.DataDir,
		Users:         b.iam,
		Organizations: b.tenancy,
		Limiter: func(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
			return b.iam.RateLimit(ctx, key, limit, window)
		},
	})
}

// subscribeStorage deletes a deleted account's avatar and a deleted
// organization's logo and files (jobs, once the deletion commits), and
// records storage's changes in the audit log: avatars in the platform
// chain, logos and files in the organization's.
func subscribeStorage(d Deps, b builtins) {
	eventbus.Subscribe(d.Bus, "storage", func(ctx context.Context, e iam.UserDeleted) error {
		return b.storage.UserDeleted(ctx, e.UserID)
	})
	eventbus.Subscribe(d.Bus, "storage", func(ctx context.Context, e tenancy.OrganizationDeleted) error {
		return b.storage.OrganizationDeleted(ctx, e.OrganizationID)
	})
	m, bus := b.audit, d.Bus
	audit.On(m, bus, func(_ context.Context, e storage.AvatarUpdated) (audit.Entry, bool) {
		return audit.Entry{ActorID: e.UserID.String(), TargetType: targetAvatar, TargetID: e.Key,
			Metadata: map[string]any{"size": e.Size}}, true
	})
	audit.On(m, bus, func(_ context.Context, e storage.AvatarRemoved) (audit.Entry, bool) {
		return audit.Entry{ActorID: e.UserID.String(), TargetType: targetAvatar, TargetID: e.Key}, true
	})
	audit.On(m, bus, func(_ context.Context, e storage.LogoUpdated) (audit.Entry, bool) {
		return audit.Entry{ActorID: actor(e.By), OrganizationID: e.OrganizationID, TargetType: targetLogo, TargetID: e.Key,
			Metadata: map[string]any{"size": e.Size}}, true
	})
	audit.On(m, bus, func(_ context.Context, e storage.LogoRemoved) (audit.Entry, bool) {
		return audit.Entry{ActorID: actor(e.By), OrganizationID: e.OrganizationID, TargetType: targetLogo, TargetID: e.Key}, true
	})
	audit.On(m, bus, func(_ context.Context, e storage.FileStored) (audit.Entry, bool) {
		return audit.Entry{OrganizationID: e.OrganizationID, TargetType: targetFile, TargetID: e.Key,
			Metadata: map[string]any{"size": e.Size, "contentType": e.ContentType, "private": e.Private}}, true
	})
	audit.On(m, bus, func(_ context.Context, e storage.FileDeleted) (audit.Entry, bool) {
		return audit.Entry{OrganizationID: e.OrganizationID, TargetType: targetFile, TargetID: e.Key}, true
	})
}

// Storage returns the storage module, for products that keep files of
// their organizations (PutFile, OpenFile, SignedFileURL…).
func (a *App) Storage() *storage.Module { return a.builtins.storage }
