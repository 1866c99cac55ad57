// Package application holds the iam use cases: sign-up, sign-in and
// sessions, email verification, password change and reset, profile updates,
// account deletion and tenant-scoped user administration. It declares the
// ports its adapters satisfy; it never touches HTTP or a database driver.
package application

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// Users stores the User aggregate. Every method runs in the transaction ctx
// carries, if any.
type Users interface {
	// Create stores a new user. It returns kernel.Conflict with code
	// "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" when the email is taken and
	// "USERNAME_IS_ALREADY_TAKEN" when the username is.
	Create(ctx context.Context, u *domain.User) error
	// ByID returns the user, or ErrUserNotFound.
	ByID(ctx context.Context, id kernel.UserID) (*domain.User, error)
	// ByEmail returns the user with that (normalized) email, or
	// ErrUserNotFound.
	ByEmail(ctx context.Context, e domain.Email) (*domain.User, error)
	// Update loads the user for update (locking the row on PostgreSQL),
	// applies fn and saves the result unless fn fails. Unique violations
	// map as in Create. It returns ErrUserNotFound for an unknown user.
	Update(ctx context.Context, id kernel.UserID, fn func(u *domain.User) error) error
	// RecordSignIn records a sign-in at at (User.RecordLogin) if the user's
	// password hash is still verifiedHash, in one statement, and returns
	// the user as stored; ErrUserNotFound when the user is gone or the
	// password changed since it was verified. The caller still checks
	// User.CanSignIn and, in a transaction, rolls back on refusal.
	RecordSignIn(ctx context.Context, id kernel.UserID, verifiedHash string, at time.Time) (*domain.User, error)
	// Delete removes the user row (sessions and tokens cascade).
	Delete(ctx context.Context, id kernel.UserID) error
	// List returns users among ids (nil: no restriction) matching q, ordered
	// by ID, after q.After, at most q.Limit.
	List(ctx context.Context, q UserQuery) ([]*domain.User, error)
	// Profiles returns the public profiles of the users among ids that
	// exist, in ID order: a lean read for lists of members.
	Profiles(ctx context.Context, ids []kernel.UserID) ([]Profile, error)
	// Count returns how many users match q's filters (its page ignored).
	Count(ctx context.Context, q UserQuery) (int, error)
	// CountPlatformAdmins returns how many users are platform admins.
	CountPlatformAdmins(ctx context.Context) (int, error)
	// LockPlatformAdmins takes, until the transaction ctx carries ends, the
	// lock that serializes every change that may remove a platform admin,
	// so that the last-admin check cannot race. Take it before any user's
	// row lock.
	LockPlatformAdmins(ctx context.Context) error
}

// Profile is a user's public face: what a member list shows.
type Profile struct {
	ID    kernel.UserID
	Email string
	Name  string
	Image string
}

// UserQuery filters Users.List.
type UserQuery struct {
	// IDs restricts the result to these users; nil means no restriction,
	// an empty non-nil slice means none.
	IDs []kernel.UserID
	// Search matches a case-insensitive substring of email or name.
	Search string
	// EmailPrefix matches the start of the email, case-insensitively.
	EmailPrefix string
	// Name matches a case-insensitive substring of the name.
	Name string
	// Verified and PlatformAdmin, when set, keep only users with (true) or
	// without (false).
	Verified, PlatformAdmin *bool
	// Active, when set, keeps only users who may (true) or may not (false)
	// sign in at Now: active, or deactivated until a time that has come.
	Active *bool
	Now    time.Time
	// CreatedFrom (inclusive) and CreatedTo (exclusive) bound created_at;
	// zero is unbounded.
	CreatedFrom, CreatedTo time.Time
	// NewestFirst orders by ID descending (After is then the last ID of
	// the previous page, and the page holds smaller ones).
	NewestFirst bool
	// Matches are case-insensitive conditions on the email or the name, all
	// of which must hold (Better Auth's search and filter).
	Matches []TextMatch
	// SortBy orders by "id" (the default), "email", "name", "createdAt" or
	// "updatedAt", descending with SortDesc; Offset skips that many first
	// (Better Auth's page). Both leave After alone.
	SortBy   string
	SortDesc bool
	Offset   int
	// After is the last ID of the previous page (keyset pagination).
	After kernel.UserID
	Limit int
}

// TextMatch is a case-insensitive condition on Field ("email" or "name").
type TextMatch struct {
	Field string
	Op    MatchOp
	Value string
}

// MatchOp is how a TextMatch compares.
type MatchOp string

// The MatchOps.
const (
	MatchContains MatchOp = "contains"
	MatchPrefix   MatchOp = "starts_with"
	MatchSuffix   MatchOp = "ends_with"
	MatchEqual    MatchOp = "eq"
	MatchNotEqual MatchOp = "ne"
)

// Sessions stores sign-in sessions.
type Sessions interface {
	Create(ctx context.Context, s *domain.Session) error
	// ByTokenHash returns the session with that token hash and its user in
	// one round trip, or ErrSessionNotFound. It is the hot path of every
	// authenticated request.
	ByTokenHash(ctx context.Context, hash [32]byte) (*domain.Session, *domain.User, error)
	// Refresh stores a refreshed session's expiry and update time.
	Refresh(ctx context.Context, s *domain.Session) error
	// ListByUser returns the user's unexpired sessions, newest first.
	ListByUser(ctx context.Context, user kernel.UserID, now time.Time) ([]*domain.Session, error)
	// Delete removes one of the user's sessions; ErrSessionNotFound if the
	// user has no session with that ID.
	Delete(ctx context.Context, user kernel.UserID, id kernel.SessionID) error
	// UserOf returns the user whose session id is, or ErrSessionNotFound.
	UserOf(ctx context.Context, id kernel.SessionID) (kernel.UserID, error)
	// DeleteAllForUser removes the user's sessions except keep (zero: all)
	// and returns the IDs removed.
	DeleteAllForUser(ctx context.Context, user kernel.UserID, keep kernel.SessionID) ([]kernel.SessionID, error)
	// DeleteExpired removes sessions expired before now; returns how many.
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
}

// VerificationTokens stores single-use email verification, password reset
// and set-password tokens (hashed).
type VerificationTokens interface {
	Create(ctx context.Context, t *domain.VerificationToken) error
	// ByHash returns the token with that hash, or ErrTokenNotFound.
	ByHash(ctx context.Context, hash [32]byte) (*domain.VerificationToken, error)
	// MarkUsed sets used_at if it is still unset and reports whether it did,
	// so two concurrent uses of one token cannot both succeed.
	MarkUsed(ctx context.Context, id domain.VerificationTokenID, now time.Time) (bool, error)
	// DeleteForUser removes the user's unused tokens of a purpose (a new
	// reset link invalidates older ones).
	DeleteForUser(ctx context.Context, user kernel.UserID, purpose domain.VerificationPurpose) error
	// DeleteExpired removes tokens expired or used before now.
	DeleteExpired(ctx context.Context, now time.Time) (int, error)
}

// RateLimiter counts attempts per key in fixed windows, in the database so
// limits hold across processes.
type RateLimiter interface {
	// Hit records one attempt for key and reports whether it is within
	// limit attempts per window; when not, how long until the window ends.
	Hit(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (allowed bool, retryAfter time.Duration, err error)
	// HitAll is Hit for several distinct keys at once, in one statement:
	// each counts one attempt. The results are in the order of hits.
	HitAll(ctx context.Context, now time.Time, hits ...RateHit) ([]RateResult, error)
	// Undo takes back one attempt HitAll counted for each key, in the
	// window still running (never below zero).
	Undo(ctx context.Context, now time.Time, hits ...RateHit) error
}

// RateHit is one attempt against a key's limit.
type RateHit struct {
	Key    string
	Limit  int
	Window time.Duration
}

// RateResult is whether a RateHit was within its limit and, when not, how
// long until its window ends.
type RateResult struct {
	Allowed    bool
	RetryAfter time.Duration
}

// PasswordHasher hashes and verifies passwords (argon2id; see package
// password). It bounds concurrent hashing itself.
type PasswordHasher interface {
	Hash(ctx context.Context, password string) (string, error)
	Verify(ctx context.Context, password, phc string) (ok, needsRehash bool, err error)
	DummyVerify(ctx context.Context, password string) error
}

// Emails sends the account emails. Implementations enqueue in the
// transaction ctx carries (notifications' durable queue), so an email is
// sent only if the change that caused it commits. url is the full link.
type Emails interface {
	VerifyEmail(ctx context.Context, u *domain.User, url string) error
	PasswordReset(ctx context.Context, u *domain.User, url string) error
	// SetPassword sends the first-password link of an account an
	// operator created.
	SetPassword(ctx context.Context, u *domain.User, url string) error
	PasswordChanged(ctx context.Context, u *domain.User) error
}

// AccountMailQueue hands an account email request to the job queue, in the
// transaction ctx carries (or committed at once without one). Its worker
// calls Service.DeliverAccountMail. The requests that must not reveal
// whether an account exists (a reset link, a verification link) do only
// their rate limits and this one insert in the request, whoever the
// address belongs to; the lookup, the token and the email happen in the
// job.
type AccountMailQueue interface {
	Enqueue(ctx context.Context, req AccountMail) error
}

// AccountMail is a queued request for a link by email.
type AccountMail struct {
	// Purpose is domain.PurposePasswordReset or
	// domain.PurposeEmailVerification.
	Purpose domain.VerificationPurpose
	// Email is the address asked for, normalized.
	Email string
	// URL is the trusted redirect (reset) or callback (verification) URL
	// the link leads to; empty for the default.
	URL string
}

// Members answers who belongs to an organization, for the tenant-scoped
// /api/users. It is satisfied by an adapter over tenancy; until tenancy is
// wired, by NoMembers.
type Members interface {
	// Membership returns user's membership of org (Member false when they
	// do not belong to it).
	Membership(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (Membership, error)
	// MemberIDs lists the members of org.
	MemberIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error)
	// SuspendedIDs lists the members of org whose membership is suspended.
	SuspendedIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error)
	// Invite sends email an invitation to org with the built-in "member"
	// role, on behalf of the principal in ctx.
	Invite(ctx context.Context, org kernel.OrganizationID, email string) (Invitation, error)
	// Suspend suspends (suspended true) or reinstates user's membership of
	// org, on behalf of the principal in ctx; the account is not touched.
	Suspend(ctx context.Context, org kernel.OrganizationID, user kernel.UserID, suspended bool) error
	// Remove removes user from org (not from Groundwork).
	Remove(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) error
	// Organizations lists the organizations user belongs to, with their
	// role: what platform administration shows of a user.
	Organizations(ctx context.Context, user kernel.UserID) ([]UserOrganization, error)
}

// UserOrganization is an organization a user belongs to.
type UserOrganization struct {
	ID        kernel.OrganizationID
	Name      string
	Slug      string
	Role      string
	Suspended bool
}

// Membership is a user's membership of an organization, as /api/users
// shows it.
type Membership struct {
	// Member is false when the user does not belong to the organization.
	Member bool
	// Suspended is true when the organization suspended the membership.
	Suspended bool
}

// The not-found errors repositories return.
var (
	ErrUserNotFound    = kernel.NotFound("iam.user_not_found", "User not found.")
	ErrSessionNotFound = kernel.NotFound("iam.session_not_found", "Session not found.")
	ErrTokenNotFound   = kernel.NotFound("iam.token_not_found", "Token not found.")
)
