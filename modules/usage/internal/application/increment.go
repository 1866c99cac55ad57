package application

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

// MaxIdempotencyKeyLen is the longest idempotency key, in bytes.
const MaxIdempotencyKeyLen = 200

// Codes of the increment's refusals of bad input.
const (
	CodeInvalidAmount = "usage.invalid_amount"
	CodeInvalidKey    = "usage.invalid_idempotency_key"
)

// errInvalidAmount refuses an amount of zero or less.
var errInvalidAmount = kernel.Invalid(CodeInvalidAmount, "The amount to count must be 1 or more.",
	kernel.FieldError{Field: "n", Code: "too_small", Message: "must be 1 or more"})

// meterFor returns the meter an increment or refund of n names, after
// checking n.
func (s *Service) meterFor(key string, n int64) (domain.Meter, error) {
	if n <= 0 {
		return domain.Meter{}, errInvalidAmount
	}
	return s.meters.Meter(key)
}

// CheckAndIncrement counts n of meter for org when the plan's cap allows
// it, in the transaction ctx carries (or one of its own): one conditional
// statement, so concurrent callers never pass the cap together. It
// returns what the cap leaves (domain.Unlimited for an unlimited meter,
// and whenever enforcement is off, when nothing is written). Errors:
// kernel Invalid for n <= 0, usage.unknown_meter for a meter no one
// registered, *domain.QuotaExceeded (402) when n more would pass the cap
// — a meter the plan does not name has a cap of 0 — and a listener's or
// the database's error; on any error the caller's transaction must roll
// back.
func (s *Service) CheckAndIncrement(ctx context.Context, org kernel.OrganizationID, meter string, n int64) (int64, error) {
	m, err := s.meterFor(meter, n)
	if err != nil {
		return 0, err
	}
	if !s.deps.Enabled {
		return domain.Unlimited, nil
	}
	var remaining int64
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		remaining, err = s.increment(ctx, org, m, n)
		return err
	})
	return remaining, err
}

// CheckAndIncrementOnce is CheckAndIncrement counted once per idempotency
// key (1 to MaxIdempotencyKeyLen bytes of UTF-8) of the organization's
// meter: the key is recorded in the same transaction, and a retry with a
// key already recorded counts nothing and returns what the cap leaves
// now. A refused increment records no key, so a retry after the cap is
// raised counts. Errors as CheckAndIncrement's, and kernel Invalid for a
// bad key.
func (s *Service) CheckAndIncrementOnce(ctx context.Context, org kernel.OrganizationID, meter string, n int64, key string) (int64, error) {
	m, err := s.meterFor(meter, n)
	if err != nil {
		return 0, err
	}
	if key == "" || len(key) > MaxIdempotencyKeyLen || !utf8.ValidString(key) {
		return 0, kernel.Invalid(CodeInvalidKey, "The idempotency key must be 1 to 200 bytes of UTF-8.",
			kernel.FieldError{Field: "key", Code: "invalid", Message: fmt.Sprintf("must be 1 to %d bytes of UTF-8", MaxIdempotencyKeyLen)})
	}
	if !s.deps.Enabled {
		return domain.Unlimited, nil
	}
	var remaining int64
	err = s.deps.UoW.Tx(ctx, func(ctx context.Context) error {
		k := Key{Org: org, Meter: m.Key}
		fresh, err := s.deps.Store.ClaimKey(ctx, k, key, s.deps.Clock.Now())
		if err != nil {
			return fmt.Errorf("claim idempotency key: %w", err)
		}
		if !fresh {
			st, err := s.status(ctx, org, m)
			remaining = st.Remaining
			return err
		}
		remaining, err = s.increment(ctx, org, m, n)
		var qe *domain.QuotaExceeded
		if errors.As(err, &qe) {
			// The statement changed nothing and the transaction is sound:
			// forget the key, in case the caller commits anyway.
			if rerr := s.deps.Store.ReleaseKey(ctx, k, key); rerr != nil {
				return fmt.Errorf("release idempotency key: %w", rerr)
			}
		}
		return err
	})
	return remaining, err
}

// increment is CheckAndIncrement's work, in a transaction.
func (s *Service) increment(ctx context.Context, org kernel.OrganizationID, m domain.Meter, n int64) (int64, error) {
	sub, err := s.deps.Subscriptions.ActiveSubscription(ctx, org)
	if err != nil {
		return 0, fmt.Errorf("read the plan: %w", err)
	}
	limit, now := sub.Cap(m.Key), s.deps.Clock.Now()
	start, end := domain.CurrentWindow(now, sub.Period(), m.Window)
	c, ok, err := s.deps.Store.Increment(ctx, Increment{Org: org, Meter: m.Key, N: n, Cap: limit, WindowStart: start, WindowEnd: end, Now: now})
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", m.Key, err)
	}
	if !ok {
		st, err := s.statusOf(ctx, org, m, sub, now)
		if err != nil {
			return 0, err
		}
		return 0, &domain.QuotaExceeded{Meter: m.Key, Limit: st.Limit, Used: st.Used, ResetsAt: st.ResetsAt}
	}
	// The counter holds the cap the statement counted against: the
	// override's when there is one.
	if err := s.notify(ctx, c, c.Cap, m.Window); err != nil {
		return 0, err
	}
	return domain.Remaining(c.Used, c.Cap), nil
}

// notify publishes ThresholdReached when c, just counted, reached a
// threshold of limit not yet published in its window. The counter's row is
// locked by the increment, so one transaction publishes each threshold.
func (s *Service) notify(ctx context.Context, c domain.Counter, limit int64, w domain.Window) error {
	p := domain.Threshold(c.Used, limit)
	if p <= c.Notified {
		return nil
	}
	end, raised, err := s.deps.Store.MarkNotified(ctx, Key{Org: c.OrganizationID, Meter: c.Meter}, p)
	if err != nil || !raised {
		return err
	}
	e := ThresholdReached{OrganizationID: c.OrganizationID, Meter: c.Meter, Percent: p, Used: c.Used, Limit: limit}
	if w != domain.Lifetime {
		e.ResetsAt = end
	}
	return s.deps.Events.Publish(ctx, e)
}
