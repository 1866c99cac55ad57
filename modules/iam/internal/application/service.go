package application

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// Config tunes the iam use cases.
type Config struct {
	// RequireEmailVerification refuses sign-in (EMAIL_NOT_VERIFIED) until
	// the email is verified, and sign-up then creates no session.
	RequireEmailVerification bool
	// ServerURL is the public URL: links in emails point at it.
	ServerURL *url.URL
	// TrustedOrigins are the front-end origins (WEB_ORIGINS) a callback or
	// redirect URL may point at, besides ServerURL.
	TrustedOrigins []string
	// Limits are the abuse limits; zero fields take DefaultLimits.
	Limits Limits
	// NoRateLimits turns the abuse limits off (AUTH_RATE_LIMIT=false), for
	// tests and load runs.
	NoRateLimits bool
}

// Limit is attempts per window.
type Limit struct {
	Attempts int
	Window   time.Duration
}

// Limits are the rate limits, per client IP and per email address.
//
// Sign-in counts every attempt per IP, but only failures per email: per
// email and client network (SignInPerEmail), so a guesser locks out only
// their own network, and per email from anywhere (SignInPerEmailAnywhere,
// looser), so guessing spread over many networks is bounded too. A
// successful sign-in does not count, and the right password from a network
// that has not failed is refused only while the looser limit is exceeded.
type Limits struct {
	SignInPerIP, SignInPerEmail           Limit
	SignInPerEmailAnywhere                Limit
	SignUpPerIP                           Limit
	PasswordResetPerIP, ResetPerEmail     Limit
	VerificationPerIP, VerificationPerEml Limit
}

// DefaultLimits: generous for people, tight for scripts.
var DefaultLimits = Limits{
	SignInPerIP:            Limit{30, time.Minute},
	SignInPerEmail:         Limit{10, 15 * time.Minute},
	SignInPerEmailAnywhere: Limit{100, 15 * time.Minute},
	SignUpPerIP:            Limit{10, time.Hour},
	PasswordResetPerIP:     Limit{10, time.Hour},
	ResetPerEmail:          Limit{3, time.Hour},
	VerificationPerIP:      Limit{10, time.Hour},
	VerificationPerEml:     Limit{3, time.Hour},
}

// Deps are the service's collaborators.
type Deps struct {
	UoW      UnitOfWork
	Users    Users
	Sessions Sessions
	Tokens   VerificationTokens
	Limiter  RateLimiter
	Hasher   PasswordHasher
	Emails   Emails
	Mail     AccountMailQueue
	Members  Members
	Events   Publisher
	Clock    kernel.Clock
	Logger   *slog.Logger
}

// Service is the iam application service. Slow work (password hashing)
// happens before any transaction opens; each use case then runs in one
// transaction with its events and emails.
type Service struct {
	cfg     Config
	deps    Deps
	limits  Limits   // cfg.Limits with defaults filled in
	origins []origin // ServerURL's and TrustedOrigins', for TrustedURL
	log     *slog.Logger
}

// NewService returns the service. It does no I/O. Zero limits take
// DefaultLimits; a nil Clock is the system clock and a nil Logger discards.
func NewService(cfg Config, d Deps) *Service {
	if d.Clock == nil {
		d.Clock = kernel.SystemClock{}
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{
		cfg:     cfg,
		deps:    d,
		limits:  cfg.Limits.withDefaults(),
		origins: trustedOrigins(cfg),
		log:     log.With("module", "iam"),
	}
}

// Meta describes the request a use case serves.
type Meta struct {
	IP        string
	UserAgent string
}

// UserView is a user as the API shows it (Better Auth's user fields plus
// Groundwork's).
type UserView struct {
	ID            kernel.UserID
	Email         string
	EmailVerified bool
	Name          string
	Image         string
	Username      string
	Locale        string
	Active        bool
	PlatformAdmin bool
	LastLoginAt   *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// SessionView is a session as the API shows it. Handle is an opaque
// identifier (the session ID), never the credential.
type SessionView struct {
	ID        kernel.SessionID
	UserID    kernel.UserID
	ExpiresAt time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
	IPAddress string
	UserAgent string
	// ImpersonatedBy is set when a platform admin acts as the user.
	ImpersonatedBy kernel.UserID
}

// Issued is a new session: the token goes into the cookie, once.
type Issued struct {
	Token   domain.Token
	Session SessionView
	User    UserView
}

// Authenticated is the caller of a request with a valid session.
type Authenticated struct {
	Session SessionView
	User    UserView
	// Refreshed is true when this call slid the session's expiry, so the
	// cookie should be sent again with the new expiry.
	Refreshed bool
}

// SignUpInput is POST /api/auth/sign-up/email.
type SignUpInput struct {
	Email, Password, Name string
	Username, Locale      string
	Image                 string
	// CallbackURL is where the verification link leads after verifying; it
	// must be on ServerURL or a trusted origin (else kernel.Invalid).
	CallbackURL string
	Meta        Meta
}

// SignUp creates the user and, unless email verification is required, a
// session. It sends the verification email. Errors: kernel.Invalid with
// field errors (also PASSWORD_TOO_SHORT / PASSWORD_TOO_LONG), Conflict
// USER_ALREADY_EXISTS, RateLimited.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (UserView, *Issued, error) {
	return s.signUp(ctx, in)
}

// SignInInput is POST /api/auth/sign-in/email.
type SignInInput struct {
	Email, Password string
	Meta            Meta
}

// SignIn verifies the password and creates a new session. An unknown email,
// a wrong password and a deactivated account all answer
// Unauthenticated INVALID_EMAIL_OR_PASSWORD in the same time; an unverified
// email under RequireEmailVerification answers Forbidden
// EMAIL_NOT_VERIFIED (only after the password checked out). RateLimited
// per IP and per email.
func (s *Service) SignIn(ctx context.Context, in SignInInput) (*Issued, error) {
	return s.signIn(ctx, in)
}

// Authenticate resolves a session token (the cookie's value) to its
// session and user, sliding the expiry at most daily. A malformed,
// unknown or expired token, or a deactivated user, answers
// Unauthenticated "UNAUTHORIZED" — never a 500.
func (s *Service) Authenticate(ctx context.Context, token string) (*Authenticated, error) {
	return s.authenticate(ctx, token)
}

// SignOut revokes the session of token; an unknown token is not an error.
func (s *Service) SignOut(ctx context.Context, token string) error { return s.signOut(ctx, token) }

// ListSessions returns the user's active sessions.
func (s *Service) ListSessions(ctx context.Context, user kernel.UserID) ([]SessionView, error) {
	return s.listSessions(ctx, user)
}

// RevokeSession revokes one of the user's sessions by its handle (ID); an
// unknown handle or another user's answers NotFound.
func (s *Service) RevokeSession(ctx context.Context, user kernel.UserID, handle string) error {
	return s.revokeSession(ctx, user, handle)
}

// RevokeOtherSessions revokes every session of the user but current.
func (s *Service) RevokeOtherSessions(ctx context.Context, user kernel.UserID, current kernel.SessionID) error {
	return s.revokeAll(ctx, user, current)
}

// RevokeAllSessions revokes every session of the user.
func (s *Service) RevokeAllSessions(ctx context.Context, user kernel.UserID) error {
	return s.revokeAll(ctx, user, kernel.SessionID{})
}

// ChangePasswordInput is POST /api/auth/change-password.
type ChangePasswordInput struct {
	User                         kernel.UserID
	Session                      kernel.SessionID
	CurrentPassword, NewPassword string
	RevokeOtherSessions          bool
	Meta                         Meta
}

// ChangePassword checks the current password and sets the new one, emailing
// the user. With RevokeOtherSessions every other session ends and a new
// session replaces the current one (returned; else nil). Errors:
// Invalid INVALID_PASSWORD for a wrong current password, the policy errors.
func (s *Service) ChangePassword(ctx context.Context, in ChangePasswordInput) (*Issued, error) {
	return s.changePassword(ctx, in)
}

// UpdateProfile applies the signed-in user's own changes (name, image,
// username, locale). Errors: Invalid with field errors, Conflict
// USERNAME_IS_ALREADY_TAKEN.
func (s *Service) UpdateProfile(ctx context.Context, user kernel.UserID, p domain.UserPatch) (UserView, error) {
	return s.updateProfile(ctx, user, p)
}

// SendVerificationEmail queues a new verification link for the account
// with that email, if it exists and is unverified; it answers the same,
// doing the same work, either way (no enumeration). RateLimited per IP and
// email.
func (s *Service) SendVerificationEmail(ctx context.Context, email, callbackURL string, meta Meta) error {
	return s.sendVerificationEmail(ctx, email, callbackURL, meta)
}

// VerifyEmail spends a verification token and marks the email verified. A
// used, expired or unknown token answers Invalid INVALID_TOKEN, nothing
// changed. It returns the user and, when the token carried one, the
// callback URL to redirect to (already checked to be trusted).
func (s *Service) VerifyEmail(ctx context.Context, token string) (UserView, error) {
	return s.verifyEmail(ctx, token)
}

// RequestPasswordReset queues a reset link for the account with that email
// (the answer and the work done are the same whether it exists or not). redirectTo, if given, must be trusted;
// the link then leads there with ?token=. RateLimited per IP and email.
func (s *Service) RequestPasswordReset(ctx context.Context, email, redirectTo string, meta Meta) error {
	return s.requestPasswordReset(ctx, email, redirectTo, meta)
}

// ResetPassword spends a reset (or set-password) token, sets the new
// password and revokes every session. Errors: Invalid INVALID_TOKEN, the
// policy errors.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	return s.resetPassword(ctx, token, newPassword)
}

// DeleteUser deletes the signed-in user's account after checking the
// password: personal data and sessions are removed; audit keeps the ID.
func (s *Service) DeleteUser(ctx context.Context, user kernel.UserID, password string) error {
	return s.deleteUser(ctx, user, password)
}

// PurgeExpired removes expired sessions and spent or expired tokens.
func (s *Service) PurgeExpired(ctx context.Context) (sessions, tokens int, err error) {
	return s.purgeExpired(ctx)
}

// TrustedURL reports whether u may be used as a redirect or callback: a
// relative path ("/dashboard", not "//host") or an absolute URL on
// ServerURL's origin or a trusted origin.
func (s *Service) TrustedURL(u string) bool { return s.trustedURL(u) }
