package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// accountFor returns the active account with email, or nil when there is
// none (or the address is no longer valid).
func (s *Service) accountFor(ctx context.Context, email string) (*domain.User, error) {
	e, err := domain.ParseEmail(email)
	if err != nil {
		return nil, nil
	}
	u, err := s.deps.Users.ByEmail(ctx, e)
	if errors.Is(err, ErrUserNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up account: %w", err)
	}
	if !u.Active() {
		return nil, nil
	}
	return u, nil
}

// RequestPasswordReset queues a reset link for the account with that email
// (the answer and the work done are the same whether it exists or not). redirectTo, if given, must be trusted;
// the link then leads there with ?token=. RateLimited per IP and email.
func (s *Service) RequestPasswordReset(ctx context.Context, email, redirectTo string, meta Meta) error {
	return s.queueLink(ctx, linkRequest{
		purpose: domain.PurposePasswordReset, email: email, url: redirectTo, meta: meta,
		limitKey: "reset", perIP: s.limits.PasswordResetPerIP, perEmail: s.limits.ResetPerEmail, untrusted: ErrInvalidRedirectURL,
	})
}

// linkRequest is a request for a link by email: what it is for, where the
// link leads, and its limits.
type linkRequest struct {
	purpose         domain.VerificationPurpose
	email, url      string
	meta            Meta
	limitKey        string // "reset": reset:ip:…, reset:email:…
	perIP, perEmail Limit
	untrusted       error // the answer to an untrusted url
}

// queueLink is the request side of every link by email: the client's
// limit, the url's trust, the address, the address's limit, then one job —
// the same work whoever the address belongs to. Its errors name the
// request ("request password_reset link: …").
func (s *Service) queueLink(ctx context.Context, r linkRequest) error {
	if err := s.queueLinkJob(ctx, r); err != nil {
		return fmt.Errorf("request %s link: %w", r.purpose, err)
	}
	return nil
}

func (s *Service) queueLinkJob(ctx context.Context, r linkRequest) error {
	now := s.deps.Clock.Now()
	if err := s.hitIP(ctx, r.limitKey, r.meta.IP, r.perIP, now); err != nil {
		return err
	}
	if r.url != "" && !s.TrustedURL(r.url) {
		return r.untrusted
	}
	e, err := domain.ParseEmail(r.email)
	if err != nil {
		return ErrInvalidEmail
	}
	if err := s.hit(ctx, r.limitKey+":email:"+e.String(), r.perEmail, now); err != nil {
		return err
	}
	return s.deps.Mail.Enqueue(ctx, AccountMail{Purpose: r.purpose, Email: e.String(), URL: r.url})
}

// DeliverAccountMail does the work of a queued AccountMail: when an
// account has the address (active and, for a verification link, not yet
// verified) it issues a token and queues the email in one transaction;
// otherwise nothing. It runs in a job, so that the request's answer cannot
// tell. A retry issues a new link; a reset's new link voids the older ones.
func (s *Service) DeliverAccountMail(ctx context.Context, req AccountMail) error {
	if req.URL != "" && !s.TrustedURL(req.URL) {
		req.URL = "" // trusted when asked; no longer (the origins changed since)
	}
	u, err := s.accountFor(ctx, req.Email)
	if err != nil || u == nil {
		return err
	}
	switch req.Purpose {
	case domain.PurposePasswordReset:
		// A new link makes the older ones useless.
		err = s.mailLink(ctx, u, req.Purpose, true, func(ctx context.Context, t kernel.Token) error {
			return s.deps.Emails.PasswordReset(ctx, u, s.passwordLinkURL(t, req.URL))
		})
	case domain.PurposeSetPassword:
		if u.HasPassword() {
			return nil // set meanwhile (a reset): nothing left to set
		}
		err = s.mailLink(ctx, u, req.Purpose, true, func(ctx context.Context, t kernel.Token) error {
			return s.deps.Emails.SetPassword(ctx, u, s.passwordLinkURL(t, req.URL))
		})
	case domain.PurposeEmailVerification:
		if u.EmailVerified() {
			return nil
		}
		// Earlier links stay valid until they expire: someone who asks
		// twice and clicks the first email should not be told the link is
		// invalid.
		err = s.mailLink(ctx, u, req.Purpose, false, func(ctx context.Context, t kernel.Token) error {
			return s.deps.Emails.VerifyEmail(ctx, u, s.verifyEmailURL(t, req.URL))
		})
	default:
		err = fmt.Errorf("unknown purpose %q", req.Purpose)
	}
	if err != nil {
		return fmt.Errorf("deliver account mail (%s): %w", req.Purpose, err)
	}
	return nil
}

// mailLink issues u a new token of purpose and, in one transaction (the
// caller's, when ctx carries one), stores it and sends the email send
// writes with it. replace first spends u's earlier tokens of that purpose.
func (s *Service) mailLink(ctx context.Context, u *domain.User, purpose domain.VerificationPurpose, replace bool,
	send func(ctx context.Context, t kernel.Token) error,
) error {
	t, err := kernel.NewToken()
	if err != nil {
		return err
	}
	vt, err := domain.NewVerificationToken(purpose, u.ID(), u.Email(), t, s.deps.Clock.Now())
	if err != nil {
		return err
	}
	return s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		if replace {
			if err := s.deps.Tokens.DeleteForUser(ctx, u.ID(), purpose); err != nil {
				return err
			}
		}
		if err := s.deps.Tokens.Create(ctx, vt); err != nil {
			return err
		}
		return send(ctx, t)
	})
}

// ResetPassword spends a reset (or set-password) token, sets the new
// password and revokes every session. Errors: Invalid INVALID_TOKEN, the
// policy errors.
//
// It spends a password_reset or set_password token. The token is
// checked once without a transaction so that a dead token costs no hash;
// the hash is computed outside any transaction; the transaction then spends
// the token atomically (MarkUsed), so two uses cannot both succeed.
//
// A reset also marks the email verified: the link reached that mailbox,
// which is the same proof a verification link gives.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	if err := domain.CheckPasswordPolicy(newPassword); err != nil {
		return err
	}
	t, ok := kernel.ParseToken(token)
	if !ok {
		return domain.ErrInvalidToken
	}
	purposes := []domain.VerificationPurpose{domain.PurposePasswordReset, domain.PurposeSetPassword}
	if err := s.precheckToken(ctx, t, purposes...); err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	hash, err := s.deps.Hasher.Hash(ctx, newPassword)
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	now := s.deps.Clock.Now()
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		vt, err := s.spendToken(ctx, t, now, purposes...)
		if err != nil {
			return err
		}
		var (
			u        *domain.User
			verified bool
		)
		err = s.deps.Users.Update(ctx, vt.UserID(), func(cur *domain.User) error {
			if !vt.IssuedFor(cur.Email()) {
				return domain.ErrInvalidToken
			}
			if err := cur.SetPasswordHash(hash, now); err != nil {
				return err
			}
			verified = cur.VerifyEmail(now)
			u = cur
			return nil
		})
		if errors.Is(err, ErrUserNotFound) {
			return domain.ErrInvalidToken
		}
		if err != nil {
			return err
		}
		// Any other outstanding link is spent with this one.
		for _, p := range purposes {
			if err := s.deps.Tokens.DeleteForUser(ctx, u.ID(), p); err != nil {
				return err
			}
		}
		if err := s.revokeAllInTx(ctx, u.ID(), kernel.SessionID{}, "password_reset"); err != nil {
			return err
		}
		if err := s.deps.Emails.PasswordChanged(ctx, u); err != nil {
			return err
		}
		events := []kernel.Event{UserPasswordReset{UserID: u.ID()}}
		if verified {
			events = append(events, UserEmailVerified{UserID: u.ID()})
		}
		return s.deps.Events.Publish(ctx, events...)
	})
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	return nil
}

// ResetTokenLive reports whether token is a reset (or set-password) token
// that would still set a password now: well formed, unspent, unexpired,
// for its user's current address. A GET of the link asks it before handing
// the token on.
func (s *Service) ResetTokenLive(ctx context.Context, token string) (bool, error) {
	t, ok := kernel.ParseToken(token)
	if !ok {
		return false, nil
	}
	err := s.precheckToken(ctx, t, domain.PurposePasswordReset, domain.PurposeSetPassword)
	if kernel.CodeOf(err) == domain.ErrInvalidToken.Code {
		return false, nil
	}
	return err == nil, err
}

// precheckToken is the read-only check ResetPassword makes before hashing:
// the token is live and its user still has the address it was sent to.
// The transaction checks it all again.
func (s *Service) precheckToken(ctx context.Context, t kernel.Token, purposes ...domain.VerificationPurpose) error {
	vt, err := s.liveToken(ctx, t, s.deps.Clock.Now(), purposes...)
	if err != nil {
		return err
	}
	u, err := s.deps.Users.ByID(ctx, vt.UserID())
	if errors.Is(err, ErrUserNotFound) {
		return domain.ErrInvalidToken
	}
	if err != nil {
		return err
	}
	if !vt.IssuedFor(u.Email()) {
		return domain.ErrInvalidToken
	}
	return nil
}
