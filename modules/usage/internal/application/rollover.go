package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

// KeyRetention is how long an idempotency key is remembered: a retry
// later than this counts again.
const KeyRetention = 30 * 24 * time.Hour

// rolloverBatch is how many counters one read of Rollover takes.
const rolloverBatch = 200

// RolloverResult says what Rollover did: windows recorded in the history,
// counters moved on (or removed, for a meter no longer registered), and
// idempotency keys forgotten.
type RolloverResult struct {
	Recorded, Counters, Keys int
}

// Rollover records every window that is over — ended, or rolled past by
// an increment since the last run — in the history, once each, and starts
// each ended counter again at zero in the window that holds now (after
// the organization's billing period). A counter of a meter no longer
// registered is recorded and removed, with its override. Each counter moves in a transaction
// of its own, with its row locked, so increments wait rather than race;
// running it twice records nothing twice. It also forgets idempotency
// keys older than KeyRetention.
func (s *Service) Rollover(ctx context.Context) (RolloverResult, error) {
	var res RolloverResult
	now := s.deps.Clock.Now()
	subs := map[kernel.OrganizationID]Subscription{}
	for {
		due, err := s.deps.Store.Due(ctx, now, rolloverBatch)
		if err != nil {
			return res, fmt.Errorf("rollover: %w", err)
		}
		for _, k := range due {
			if err := s.deps.UoW.Tx(ctx, func(ctx context.Context) error { return s.roll(ctx, k, now, subs, &res) }); err != nil {
				return res, fmt.Errorf("rollover %s of %s: %w", k.Meter, k.Org, err)
			}
		}
		if len(due) < rolloverBatch {
			break
		}
	}
	n, err := s.deps.Store.PruneKeys(ctx, now.Add(-KeyRetention))
	if err != nil {
		return res, fmt.Errorf("rollover: prune idempotency keys: %w", err)
	}
	res.Keys = n
	return res, nil
}

// roll records and moves on one counter, in a transaction.
func (s *Service) roll(ctx context.Context, k Key, now time.Time, subs map[kernel.OrganizationID]Subscription, res *RolloverResult) error {
	c, ok, err := s.deps.Store.LockCounter(ctx, k)
	if err != nil || !ok {
		return err
	}
	closed := c.Closed(now)
	if len(closed) == 0 {
		return nil // an increment moved it on meanwhile
	}
	n, err := s.deps.Store.AddHistory(ctx, k, closed, now)
	if err != nil {
		return err
	}
	res.Recorded += n
	res.Counters++
	m, err := s.meters.Meter(k.Meter)
	if errors.Is(err, domain.ErrUnknownMeter) {
		if c.Ended(now) {
			return s.deps.Store.DeleteCounter(ctx, k)
		}
		return s.deps.Store.SaveCounter(ctx, c.Next(now, c.WindowStart, c.WindowEnd))
	}
	var start, end time.Time
	if c.Ended(now) {
		sub, ok := subs[k.Org]
		if !ok {
			if sub, err = s.deps.Subscriptions.ActiveSubscription(ctx, k.Org); err != nil {
				return fmt.Errorf("read the plan: %w", err)
			}
			subs[k.Org] = sub
		}
		start, end = domain.CurrentWindow(now, sub.Period(), m.Window)
	}
	return s.deps.Store.SaveCounter(ctx, c.Next(now, start, end))
}
