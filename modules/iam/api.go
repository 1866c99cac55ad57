package iam

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
	"github.com/groundworkhq/groundwork/modules/iam/internal/interfaces/httpapi"
)

// SessionCookieName is the name of the cookie carrying the session token
// under the default AUTH_COOKIE_PREFIX; another prefix replaces
// "groundwork".
const SessionCookieName = httpapi.SessionCookieName

// The permissions the tenant-scoped /api/users checks in the active
// organization's grants.
const (
	PermUsersRead   = httpapi.PermUsersRead
	PermUsersCreate = httpapi.PermUsersCreate
	PermUsersUpdate = httpapi.PermUsersUpdate
	PermUsersDelete = httpapi.PermUsersDelete
)

// ErrUserNotFound is User's answer for an unknown ID (404); other modules
// may compare with errors.Is.
var ErrUserNotFound = application.ErrUserNotFound

// User is a user as other modules and products see it; never the password.
type User = application.UserView

// User returns the user with that ID, reading in the transaction ctx
// carries, if any. It returns ErrUserNotFound for an unknown ID.
func (m *Module) User(ctx context.Context, id kernel.UserID) (User, error) {
	u, err := m.svc.User(ctx, id)
	if err != nil {
		return User{}, fmt.Errorf("iam: user: %w", err)
	}
	return u, nil
}

// UserByEmail returns the user with that email (any case), or
// ErrUserNotFound.
func (m *Module) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := m.svc.UserByEmail(ctx, email)
	if err != nil {
		return User{}, fmt.Errorf("iam: user by email: %w", err)
	}
	return u, nil
}

// Profile is a user's public face: ID, email, name and image.
type Profile = application.Profile

// Profiles returns the public profiles of the users among ids that exist,
// in ID order (at most 1000 IDs). It reads only those columns: use it for
// lists.
func (m *Module) Profiles(ctx context.Context, ids []kernel.UserID) ([]Profile, error) {
	ps, err := m.svc.Profiles(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("iam: profiles: %w", err)
	}
	return ps, nil
}

// Permissions are the permissions iam declares for organization roles:
// /api/users checks them.
func (m *Module) Permissions() []kernel.Permission {
	return []kernel.Permission{
		{Name: PermUsersRead, Description: "List and view the organization's users."},
		{Name: PermUsersCreate, Description: "Invite people to the organization through /api/users."},
		{Name: PermUsersUpdate, Description: "Suspend or reinstate members in the organization through /api/users."},
		{Name: PermUsersDelete, Description: "Remove users from the organization."},
	}
}

// Recipient is whom an account email goes to.
type Recipient struct {
	UserID kernel.UserID
	Email  string
	// Name is the display name; may be empty.
	Name string
	// Locale is the user's preferred locale (BCP 47); empty for none.
	Locale string
}

// Emails is the port iam sends its account emails through; the composition
// root satisfies it over notifications. Every method is called inside the
// transaction of the change that causes the email (ctx carries it) and
// must enqueue in that transaction, so the email goes out only if the
// change commits. url is the complete link; expiresIn is how long it
// works.
type Emails interface {
	// VerifyEmail sends the email verification link (sign-up, or
	// send-verification-email).
	VerifyEmail(ctx context.Context, to Recipient, url string, expiresIn time.Duration) error
	// PasswordReset sends the password reset link; also the first-password
	// link of an account an operator created (expiresIn says which).
	PasswordReset(ctx context.Context, to Recipient, url string, expiresIn time.Duration) error
	// PasswordChanged tells the user their password changed at at.
	PasswordChanged(ctx context.Context, to Recipient, at time.Time) error
}

// Members answers who belongs to an organization, for /api/users; tenancy
// provides it. Until tenancy is wired, NoMembers: nobody belongs anywhere.
type Members = application.Members

// Invitation is what Members.Invite answers: the invitation sent.
type Invitation = application.Invitation

// UserOrganization is what Members.Organizations answers: an organization
// a user belongs to.
type UserOrganization = application.UserOrganization

// Membership is what Members.Membership answers.
type Membership = application.Membership

// NoMembers is the Members of an app without tenancy: /api/users lists
// nobody, finds nobody (404) and cannot add (503 iam.no_tenancy).
type NoMembers = application.NoMembers

// emailPort adapts the public Emails port to the application's, which
// speaks in domain users.
type emailPort struct {
	emails Emails
	clock  kernel.Clock
}

var _ application.Emails = emailPort{}

func recipient(u *domain.User) Recipient {
	return Recipient{UserID: u.ID(), Email: u.Email().String(), Name: u.Name().String(), Locale: u.Locale().String()}
}

func (p emailPort) VerifyEmail(ctx context.Context, u *domain.User, url string) error {
	return p.emails.VerifyEmail(ctx, recipient(u), url, domain.PurposeEmailVerification.TTL())
}

func (p emailPort) PasswordReset(ctx context.Context, u *domain.User, url string) error {
	return p.emails.PasswordReset(ctx, recipient(u), url, domain.PurposePasswordReset.TTL())
}

func (p emailPort) SetPassword(ctx context.Context, u *domain.User, url string) error {
	return p.emails.PasswordReset(ctx, recipient(u), url, domain.PurposeSetPassword.TTL())
}

func (p emailPort) PasswordChanged(ctx context.Context, u *domain.User) error {
	return p.emails.PasswordChanged(ctx, recipient(u), p.clock.Now())
}

// SetImage sets the user's picture URL ("" clears it) in the transaction
// ctx carries, or one of its own, locking the user's row, and publishes
// user.updated with the "image" change when it changed. The storage
// module calls it with an uploaded avatar's URL. Errors: ErrUserNotFound,
// Invalid for a URL that is not absolute http(s).
func (m *Module) SetImage(ctx context.Context, user kernel.UserID, url string) error {
	if _, err := m.svc.UpdateProfile(ctx, user, domain.UserPatch{Image: &url}); err != nil {
		return fmt.Errorf("iam: set image: %w", err)
	}
	return nil
}

// RateLimit counts one attempt against key's limit of limit attempts per
// window (at most a day), in the database so that it holds across
// processes, and reports whether it is allowed and, when not, how long
// until the window ends (at least a second). Call it outside a
// transaction. Other modules share this one limiter: prefix keys with
// the module's name ("storage:upload:<user>").
func (m *Module) RateLimit(ctx context.Context, key string, limit int, window time.Duration) (allowed bool, retryAfter time.Duration, err error) {
	allowed, retryAfter, err = m.store.Limiter.Hit(ctx, key, limit, window, m.deps.Clock.Now())
	if err != nil {
		return false, 0, fmt.Errorf("iam: rate limit: %w", err)
	}
	return allowed, retryAfter, nil
}
