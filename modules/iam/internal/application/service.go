package application

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
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
	// ImpersonationMax is how long an impersonation session lasts
	// (IMPERSONATION_MAX); zero means DefaultImpersonationMax.
	ImpersonationMax time.Duration
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
	UoW      kernel.UnitOfWork
	Users    Users
	Sessions Sessions
	Tokens   VerificationTokens
	Limiter  RateLimiter
	Hasher   PasswordHasher
	Emails   Emails
	Mail     AccountMailQueue
	Members  Members
	Events   kernel.Publisher
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
// DefaultLimits. Every dependency is required; the module defaults the
// clock and the logger before it gets here.
func NewService(cfg Config, d Deps) *Service {
	return &Service{
		cfg:     cfg,
		deps:    d,
		limits:  cfg.Limits.withDefaults(),
		origins: trustedOrigins(cfg),
		log:     d.Logger,
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
	// DeactivationReason and DeactivatedUntil describe a deactivation:
	// why, and until when (nil: until reactivated).
	DeactivationReason string
	DeactivatedUntil   *time.Time
	PlatformAdmin      bool
	LastLoginAt        *time.Time
	CreatedAt          time.Time
	UpdatedAt          time.Time
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
	Token   kernel.Token
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

// SignInInput is POST /api/auth/sign-in/email.
type SignInInput struct {
	Email, Password string
	Meta            Meta
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
