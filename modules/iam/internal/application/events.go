package application

import (
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// The events iam publishes. Secrets (passwords, tokens) never travel in an
// event. Names are stable.

// UserCreated: a user signed up or was created by an admin.
type UserCreated struct {
	UserID kernel.UserID
	Email  string
	Name   string
	Locale string
	// ByAdmin is the admin who created the user (zero for a sign-up).
	ByAdmin kernel.UserID
	// OrganizationID is the organization an admin created the user into.
	OrganizationID kernel.OrganizationID
	// ByOperator is true for an account created from the command line
	// (groundwork admin create).
	ByOperator bool
}

func (UserCreated) EventName() string { return "user.created" }

// UserEmailVerified: the user proved they own their email.
type UserEmailVerified struct {
	UserID kernel.UserID
	// By is the platform admin who marked it verified; zero when the user
	// followed a link.
	By kernel.UserID
}

func (UserEmailVerified) EventName() string { return "user.email_verified" }

// UserSignedIn: a session was created by email and password.
type UserSignedIn struct {
	UserID    kernel.UserID
	SessionID kernel.SessionID
	IP        string
	UserAgent string
}

func (UserSignedIn) EventName() string { return "user.signed_in" }

// UserPasswordChanged: the user changed their password while signed in.
type UserPasswordChanged struct {
	UserID               kernel.UserID
	OtherSessionsRevoked bool
}

func (UserPasswordChanged) EventName() string { return "user.password_changed" }

// UserPasswordReset: the password was set through a reset (or set-password)
// link; every session was revoked.
type UserPasswordReset struct{ UserID kernel.UserID }

func (UserPasswordReset) EventName() string { return "user.password_reset" }

// UserUpdated: profile fields changed (by the user or an admin).
type UserUpdated struct {
	UserID kernel.UserID
	// Changes names the fields that changed ("name", "username", …).
	Changes []string
	// By is who made the change (the user themselves, or an admin).
	By kernel.UserID
}

func (UserUpdated) EventName() string { return "user.updated" }

// UserDeactivated: an admin deactivated the user; their sessions are gone.
type UserDeactivated struct {
	UserID, By kernel.UserID
	// Reason is the admin's; Until the end, nil for "until reactivated".
	Reason string
	Until  *time.Time
}

func (UserDeactivated) EventName() string { return "user.deactivated" }

// UserReactivated: an admin reactivated the user.
type UserReactivated struct{ UserID, By kernel.UserID }

func (UserReactivated) EventName() string { return "user.reactivated" }

// PlatformAdminGranted: By (zero: the operator, from the command line)
// made the user a platform admin.
type PlatformAdminGranted struct{ UserID, By kernel.UserID }

// EventName returns "user.platform_admin_granted".
func (PlatformAdminGranted) EventName() string { return "user.platform_admin_granted" }

// PlatformAdminRevoked: By (zero: the operator) ended the user's platform
// administration.
type PlatformAdminRevoked struct{ UserID, By kernel.UserID }

// EventName returns "user.platform_admin_revoked".
func (PlatformAdminRevoked) EventName() string { return "user.platform_admin_revoked" }

// ImpersonationStarted: the platform admin AdminID opened SessionID, in
// which they act as UserID until ExpiresAt, for Reason.
type ImpersonationStarted struct {
	AdminID, UserID kernel.UserID
	SessionID       kernel.SessionID
	Reason          string
	ExpiresAt       time.Time
}

// EventName returns "impersonation.started".
func (ImpersonationStarted) EventName() string { return "impersonation.started" }

// ImpersonationStopped: the platform admin AdminID ended the impersonation
// of UserID (its session SessionID is gone).
type ImpersonationStopped struct {
	AdminID, UserID kernel.UserID
	SessionID       kernel.SessionID
}

// EventName returns "impersonation.stopped".
func (ImpersonationStopped) EventName() string { return "impersonation.stopped" }

// PasswordResetSent: a platform admin (By) sent the user a password reset
// link.
type PasswordResetSent struct{ UserID, By kernel.UserID }

// EventName returns "user.password_reset_sent".
func (PasswordResetSent) EventName() string { return "user.password_reset_sent" }

// UserDeleted: the user deleted their account; personal data is gone. Audit
// keeps the pseudonymous UserID only.
type UserDeleted struct {
	UserID kernel.UserID
	// By is the platform admin who deleted the account; zero when the user
	// deleted it.
	By kernel.UserID
}

func (UserDeleted) EventName() string { return "user.deleted" }

// SessionRevoked: sessions ended other than by expiry (sign-out, revoke,
// password change or reset, deactivation).
type SessionRevoked struct {
	UserID     kernel.UserID
	SessionIDs []kernel.SessionID
	Reason     string // "sign_out", "revoked", "password_changed", "password_reset", "deactivated", "deleted"
}

func (SessionRevoked) EventName() string { return "session.revoked" }
