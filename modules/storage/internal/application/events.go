package application

import "github.com/groundworkhq/groundwork/kernel"

// AvatarUpdated ("storage.avatar_updated"): the user uploaded a new
// avatar; Key is its object.
type AvatarUpdated struct {
	UserID kernel.UserID
	Key    string
	Size   int64
}

// EventName implements kernel.Event.
func (AvatarUpdated) EventName() string { return "storage.avatar_updated" }

// AvatarRemoved ("storage.avatar_removed"): the user removed their avatar.
type AvatarRemoved struct {
	UserID kernel.UserID
	Key    string
}

// EventName implements kernel.Event.
func (AvatarRemoved) EventName() string { return "storage.avatar_removed" }

// LogoUpdated ("storage.logo_updated"): a member uploaded the
// organization's logo.
type LogoUpdated struct {
	OrganizationID kernel.OrganizationID
	By             kernel.UserID
	Key            string
	Size           int64
}

// EventName implements kernel.Event.
func (LogoUpdated) EventName() string { return "storage.logo_updated" }

// LogoRemoved ("storage.logo_removed"): a member removed the
// organization's logo.
type LogoRemoved struct {
	OrganizationID kernel.OrganizationID
	By             kernel.UserID
	Key            string
}

// EventName implements kernel.Event.
func (LogoRemoved) EventName() string { return "storage.logo_removed" }

// FileStored ("storage.file_stored"): a product stored a file of the
// organization.
type FileStored struct {
	OrganizationID kernel.OrganizationID
	Key            string
	Size           int64
	ContentType    string
	Private        bool
}

// EventName implements kernel.Event.
func (FileStored) EventName() string { return "storage.file_stored" }

// FileDeleted ("storage.file_deleted"): a product deleted a file of the
// organization.
type FileDeleted struct {
	OrganizationID kernel.OrganizationID
	Key            string
}

// EventName implements kernel.Event.
func (FileDeleted) EventName() string { return "storage.file_deleted" }
