package application

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// withDefaults replaces every unset limit (no attempts or no window) by
// DefaultLimits' value.
func (l Limits) withDefaults() Limits {
	or := func(v, d Limit) Limit {
		if v.Attempts <= 0 || v.Window <= 0 {
			return d
		}
		return v
	}
	d := DefaultLimits
	return Limits{
		SignInPerIP:            or(l.SignInPerIP, d.SignInPerIP),
		SignInPerEmail:         or(l.SignInPerEmail, d.SignInPerEmail),
		SignInPerEmailAnywhere: or(l.SignInPerEmailAnywhere, d.SignInPerEmailAnywhere),
		SignUpPerIP:            or(l.SignUpPerIP, d.SignUpPerIP),
		PasswordResetPerIP:     or(l.PasswordResetPerIP, d.PasswordResetPerIP),
		ResetPerEmail:          or(l.ResetPerEmail, d.ResetPerEmail),
		VerificationPerIP:      or(l.VerificationPerIP, d.VerificationPerIP),
		VerificationPerEml:     or(l.VerificationPerEml, d.VerificationPerEml),
	}
}

// hit counts one attempt against key and returns the 429 error when the
// limit is exceeded. It runs outside any use-case transaction: an attempt
// counts even when the use case then fails.
func (s *Service) hit(ctx context.Context, key string, l Limit, now time.Time) error {
	if s.cfg.NoRateLimits {
		return nil
	}
	ok, retry, err := s.deps.Limiter.Hit(ctx, key, l.Attempts, l.Window, now)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if !ok {
		return tooManyRequests(retry)
	}
	return nil
}

// hitAll counts one attempt against each key, in one statement, and
// returns the 429 error of the first whose limit is exceeded.
func (s *Service) hitAll(ctx context.Context, now time.Time, hits ...RateHit) error {
	if s.cfg.NoRateLimits || len(hits) == 0 {
		return nil
	}
	res, err := s.deps.Limiter.HitAll(ctx, now, hits...)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	for _, r := range res {
		if !r.Allowed {
			return tooManyRequests(r.RetryAfter)
		}
	}
	return nil
}

// undo takes back the attempts hitAll counted against keys, as for a
// sign-in that turned out not to be a failure.
func (s *Service) undo(ctx context.Context, now time.Time, hits ...RateHit) {
	if s.cfg.NoRateLimits || len(hits) == 0 {
		return
	}
	if err := s.deps.Limiter.Undo(ctx, now, hits...); err != nil {
		// The attempt stays counted: a limit reached a little early.
		s.log.WarnContext(ctx, "rate limit: undo", "error", err)
	}
}

// hitIP counts one attempt from ip under prefix ("signin" → "signin:ip:…");
// requests whose address is unknown are not limited by address.
func (s *Service) hitIP(ctx context.Context, prefix, ip string, l Limit, now time.Time) error {
	if ip == "" {
		return nil
	}
	return s.hit(ctx, prefix+":ip:"+kernel.NetworkOf(ip), l, now)
}
