package iam

import "github.com/groundworkhq/groundwork/modules/iam/internal/application"

// The events iam publishes, inside the transaction of the change they
// describe (a handler's error rolls the change back). Secrets never travel
// in an event.
type (
	// UserCreated ("user.created"): a user signed up, or an admin created
	// one (ByAdmin and OrganizationID set).
	UserCreated = application.UserCreated
	// UserEmailVerified ("user.email_verified"): the user proved they own
	// their email, by the verification link or a password reset link.
	UserEmailVerified = application.UserEmailVerified
	// UserSignedIn ("user.signed_in"): a session was opened by email and
	// password (sign-in, or sign-up without required verification).
	UserSignedIn = application.UserSignedIn
	// UserPasswordChanged ("user.password_changed"): the signed-in user
	// changed their password.
	UserPasswordChanged = application.UserPasswordChanged
	// UserPasswordReset ("user.password_reset"): the password was set by a
	// reset or set-password link; every session was revoked.
	UserPasswordReset = application.UserPasswordReset
	// UserUpdated ("user.updated"): profile fields changed, by the user or
	// an admin.
	UserUpdated = application.UserUpdated
	// UserDeactivated ("user.deactivated"): an admin deactivated the user;
	// their sessions are gone.
	UserDeactivated = application.UserDeactivated
	// UserReactivated ("user.reactivated"): an admin reactivated the user.
	UserReactivated = application.UserReactivated
	// PlatformAdminGranted ("user.platform_admin_granted"): By (zero: the
	// operator, from the command line) made the user a platform admin.
	PlatformAdminGranted = application.PlatformAdminGranted
	// PlatformAdminRevoked ("user.platform_admin_revoked"): By ended the
	// user's platform administration.
	PlatformAdminRevoked = application.PlatformAdminRevoked
	// PasswordResetSent ("user.password_reset_sent"): a platform admin sent
	// the user a password reset link.
	PasswordResetSent = application.PasswordResetSent
	// ImpersonationStarted ("impersonation.started"): a platform admin
	// opened a session acting as the user, with a reason.
	ImpersonationStarted = application.ImpersonationStarted
	// ImpersonationStopped ("impersonation.stopped"): the admin ended it.
	ImpersonationStopped = application.ImpersonationStopped
	// UserDeleted ("user.deleted"): the user deleted their account; only the
	// ID remains (for the audit log).
	UserDeleted = application.UserDeleted
	// SessionRevoked ("session.revoked"): sessions ended other than by
	// expiry; Reason says why.
	SessionRevoked = application.SessionRevoked
)
