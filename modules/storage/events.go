package storage

import "github.com/groundworkhq/groundwork/modules/storage/internal/application"

// The events storage publishes, in the transaction of the change.
type (
	// AvatarUpdated ("storage.avatar_updated"): a user uploaded an avatar.
	AvatarUpdated = application.AvatarUpdated
	// AvatarRemoved ("storage.avatar_removed"): a user removed theirs.
	AvatarRemoved = application.AvatarRemoved
	// LogoUpdated ("storage.logo_updated"): a member uploaded the
	// organization's logo.
	LogoUpdated = application.LogoUpdated
	// LogoRemoved ("storage.logo_removed"): a member removed it.
	LogoRemoved = application.LogoRemoved
	// FileStored ("storage.file_stored"): a product stored a file.
	FileStored = application.FileStored
	// FileDeleted ("storage.file_deleted"): a product deleted one.
	FileDeleted = application.FileDeleted
)
