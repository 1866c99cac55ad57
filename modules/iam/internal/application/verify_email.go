package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

// SendVerificationEmail queues a new verification link for the account
// with that email, if it exists and is unverified; it answers the same,
// doing the same work, either way (no enumeration). RateLimited per IP and
// email.
func (s *Service) SendVerificationEmail(ctx context.Context, email, callbackURL string, meta Meta) error {
	return s.queueLink(ctx, linkRequest{
		purpose: domain.PurposeEmailVerification, email: email, url: callbackURL, meta: meta,
		limitKey: "verify", perIP: s.limits.VerificationPerIP, perEmail: s.limits.VerificationPerEml, untrusted: ErrInvalidCallbackURL,
	})
}

// VerifyEmail spends a verification token and marks the email verified. A
// used, expired or unknown token answers Invalid INVALID_TOKEN, nothing
// changed. It returns the user as verified; the HTTP layer checks the
// link's callback URL and redirects.
func (s *Service) VerifyEmail(ctx context.Context, token string) (UserView, error) {
	t, ok := kernel.ParseToken(token)
	if !ok {
		return UserView{}, domain.ErrInvalidToken
	}
	now := s.deps.Clock.Now()
	var u *domain.User
	err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		vt, err := s.spendToken(ctx, t, now, domain.PurposeEmailVerification)
		if err != nil {
			return err
		}
		var changed bool
		err = s.deps.Users.Update(ctx, vt.UserID(), func(cur *domain.User) error {
			// A link sent to an address the user has since left proves
			// nothing about the current one.
			if !vt.IssuedFor(cur.Email()) {
				return domain.ErrInvalidToken
			}
			changed = cur.VerifyEmail(now)
			u = cur
			return nil
		})
		if errors.Is(err, ErrUserNotFound) {
			return domain.ErrInvalidToken
		}
		if err != nil || !changed {
			return err
		}
		return s.deps.Events.Publish(ctx, UserEmailVerified{UserID: u.ID()})
	})
	if err != nil {
		return UserView{}, fmt.Errorf("verify email: %w", err)
	}
	return userView(u), nil
}

// spendToken looks t up and marks it used, in the caller's transaction. A
// token that is unknown, of another purpose, expired or already used (also
// by a concurrent request) gives domain.ErrInvalidToken; which of those it
// was is not said.
func (s *Service) spendToken(ctx context.Context, t kernel.Token, now time.Time, purposes ...domain.VerificationPurpose) (*domain.VerificationToken, error) {
	vt, err := s.liveToken(ctx, t, now, purposes...)
	if err != nil {
		return nil, err
	}
	if err := vt.Use(now); err != nil {
		return nil, err
	}
	used, err := s.deps.Tokens.MarkUsed(ctx, vt.ID(), now)
	if err != nil {
		return nil, err
	}
	if !used {
		return nil, domain.ErrInvalidToken
	}
	return vt, nil
}

// liveToken looks t up and checks its purpose and that it is neither used
// nor expired, without spending it.
func (s *Service) liveToken(ctx context.Context, t kernel.Token, now time.Time, purposes ...domain.VerificationPurpose) (*domain.VerificationToken, error) {
	vt, err := s.deps.Tokens.ByHash(ctx, t.Hash())
	if errors.Is(err, ErrTokenNotFound) {
		return nil, domain.ErrInvalidToken
	}
	if err != nil {
		return nil, err
	}
	purposeOK := false
	for _, p := range purposes {
		purposeOK = purposeOK || vt.Purpose() == p
	}
	_, used := vt.UsedAt()
	if !purposeOK || used || vt.Expired(now) || !vt.MatchesToken(t) {
		return nil, domain.ErrInvalidToken
	}
	return vt, nil
}
