package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// newSession mints a token and a session for u; nothing is stored yet.
func newSession(u *domain.User, now time.Time, meta Meta) (kernel.Token, *domain.Session, error) {
	t, err := kernel.NewToken()
	if err != nil {
		return kernel.Token{}, nil, err
	}
	return t, domain.NewSession(u.ID(), t, now, meta.IP, meta.UserAgent), nil
}

// SignIn verifies the password and creates a new session. An unknown email,
// a wrong password and a deactivated account all answer
// Unauthenticated INVALID_EMAIL_OR_PASSWORD in the same time; an unverified
// email under RequireEmailVerification answers Forbidden
// EMAIL_NOT_VERIFIED (only after the password checked out). RateLimited
// per IP and per email.
func (s *Service) SignIn(ctx context.Context, in SignInInput) (*Issued, error) {
	now := s.deps.Clock.Now()
	email, err := domain.ParseEmail(in.Email)
	if err != nil {
		// Better Auth answers a malformed address so, before any lookup; no
		// account can have one, so this tells nothing about accounts. It
		// still counts against the address's limit.
		if err := s.hitIP(ctx, "signin", in.Meta.IP, s.limits.SignInPerIP, now); err != nil {
			return nil, err
		}
		return nil, ErrInvalidEmail
	}
	// The address's and the email's counters, in one statement; the
	// address's refusal is the one reported when several refuse. The email's
	// count failures only: a sign-in that succeeds takes its attempt back.
	perEmail := []RateHit{
		{Key: "signin:email:" + email.String() + "|" + kernel.NetworkOf(in.Meta.IP), Limit: s.limits.SignInPerEmail.Attempts, Window: s.limits.SignInPerEmail.Window},
		{Key: "signin:email:" + email.String(), Limit: s.limits.SignInPerEmailAnywhere.Attempts, Window: s.limits.SignInPerEmailAnywhere.Window},
	}
	hits := perEmail
	if in.Meta.IP != "" {
		hits = append([]RateHit{{Key: "signin:ip:" + kernel.NetworkOf(in.Meta.IP), Limit: s.limits.SignInPerIP.Attempts, Window: s.limits.SignInPerIP.Window}}, hits...)
	}
	if err := s.hitAll(ctx, now, hits...); err != nil {
		// A refusal is no failed guess either; the IP's count stands.
		s.undo(ctx, now, perEmail...)
		return nil, err
	}
	iss, err := s.checkAndIssue(ctx, in, email, now)
	if err == nil {
		s.undo(ctx, now, perEmail...)
	}
	return iss, err
}

// checkAndIssue is signIn after the rate limits: the password check and
// the new session.
func (s *Service) checkAndIssue(ctx context.Context, in SignInInput, email domain.Email, now time.Time) (*Issued, error) {

	u, err := s.deps.Users.ByEmail(ctx, email)
	switch {
	case errors.Is(err, ErrUserNotFound):
		return nil, s.refuseSignIn(ctx, in.Password)
	case err != nil:
		return nil, fmt.Errorf("sign in: %w", err)
	case !u.HasPassword():
		return nil, s.refuseSignIn(ctx, in.Password)
	}
	verifiedHash := u.PasswordHash()
	ok, needsRehash, err := s.deps.Hasher.Verify(ctx, in.Password, verifiedHash)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// A stored hash that cannot be read is our fault, but answering it
		// differently would single the account out.
		s.log.ErrorContext(ctx, "sign in: unreadable password hash", "user_id", u.ID().String(), "error", err)
		return nil, ErrInvalidEmailOrPassword
	}
	if !ok {
		return nil, ErrInvalidEmailOrPassword
	}
	// A deactivated account is refused only now, to whoever proved its
	// password, after the same work as a wrong one: 403 BANNED_USER, as
	// Better Auth's admin plugin answers a banned user.
	if err := u.CanSignIn(now); err != nil {
		return nil, err
	}
	if s.cfg.RequireEmailVerification && !u.EmailVerified() {
		return nil, ErrEmailNotVerified
	}
	var rehash string
	if needsRehash {
		if rehash, err = s.deps.Hasher.Hash(ctx, in.Password); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// The old hash still works; try again at the next sign-in.
			s.log.WarnContext(ctx, "sign in: rehash failed", "user_id", u.ID().String(), "error", err)
			rehash = ""
		}
	}

	token, sess, err := newSession(u, now, in.Meta)
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		cur, err := s.recordSignIn(ctx, u.ID(), verifiedHash, rehash, now)
		if err != nil {
			return err
		}
		u = cur
		if err := s.deps.Sessions.Create(ctx, sess); err != nil {
			return err
		}
		return s.deps.Events.Publish(ctx, UserSignedIn{
			UserID: u.ID(), SessionID: sess.ID(), IP: sess.IPAddress(), UserAgent: sess.UserAgent(),
		})
	})
	if err != nil {
		return nil, fmt.Errorf("sign in: %w", err)
	}
	return &Issued{Token: token, Session: sessionView(sess), User: userView(u)}, nil
}

// recordSignIn records the sign-in of user, whose password hash was
// verifiedHash, storing rehash too when it is set, and returns the user as
// stored. A password change that landed since the verify wins
// (ErrInvalidEmailOrPassword), as does a deactivation (ErrUserDeactivated),
// and the caller's transaction rolls back.
func (s *Service) recordSignIn(ctx context.Context, user kernel.UserID, verifiedHash, rehash string, now time.Time) (*domain.User, error) {
	var (
		u   *domain.User
		err error
	)
	if rehash == "" {
		// The usual case, in one statement.
		u, err = s.deps.Users.RecordSignIn(ctx, user, verifiedHash, now)
	} else {
		err = s.deps.Users.Update(ctx, user, func(cur *domain.User) error {
			if cur.PasswordHash() != verifiedHash {
				return ErrUserNotFound
			}
			cur.RecordLogin(now)
			u = cur
			return cur.SetPasswordHash(rehash, now)
		})
	}
	switch {
	case errors.Is(err, ErrUserNotFound):
		return nil, ErrInvalidEmailOrPassword
	case err != nil:
		return nil, err
	case u.CanSignIn(now) != nil:
		return nil, domain.ErrUserDeactivated
	}
	return u, nil
}

// refuseSignIn spends the time of a password check before answering
// INVALID_EMAIL_OR_PASSWORD, so an unknown email (or one without a
// password) cannot be told from a wrong password by timing.
func (s *Service) refuseSignIn(ctx context.Context, password string) error {
	if err := s.deps.Hasher.DummyVerify(ctx, password); err != nil {
		return err
	}
	return ErrInvalidEmailOrPassword
}
