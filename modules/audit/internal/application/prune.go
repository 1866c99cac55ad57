package application

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

// PruneBatch is how many entries one pruning transaction removes at most,
// so the writer (and on SQLite, the database) is not held for long.
const PruneBatch = 5000

// PruneResult says what Prune removed.
type PruneResult struct {
	// Entries is how many entries were deleted, Chains from how many
	// chains.
	Entries int64
	Chains  int
}

// Prune deletes, chain by chain, the oldest entries that occurred before
// before: the longest prefix of the chain that is entirely older, so no
// hole is ever left and no entry younger than the cutoff goes (an entry
// written out of time order keeps the ones after it). The last deleted
// entry's seq and hash become the chain's anchor, from which the rest
// still verifies. Each batch of at most PruneBatch entries is checked and
// deleted in one transaction; a batch that does not verify is kept and
// Prune returns ErrChainBroken, so tampering is never erased. Other errors
// are the database's.
func (s *Service) Prune(ctx context.Context, before time.Time) (PruneResult, error) {
	chains, err := s.store.Chains(ctx)
	if err != nil {
		return PruneResult{}, fmt.Errorf("prune audit log: %w", err)
	}
	var res PruneResult
	var errs []error
	for _, chain := range chains {
		var n int64
		for {
			deleted, err := s.pruneBatch(ctx, chain, before)
			n += deleted
			if err != nil {
				errs = append(errs, fmt.Errorf("prune audit chain %s: %w", chain, err))
				break
			}
			if deleted == 0 {
				break
			}
		}
		if n > 0 {
			res.Entries += n
			res.Chains++
			s.logger.InfoContext(ctx, "audit entries pruned", "chain", chain, "entries", n)
		}
	}
	return res, errors.Join(errs...)
}

// pruneBatch deletes the next batch of the chain's prunable prefix and
// returns how many entries it deleted: 0 when there are none left.
func (s *Service) pruneBatch(ctx context.Context, chain string, before time.Time) (int64, error) {
	var deleted int64
	err := s.uow.Tx(ctx, func(ctx context.Context) error {
		head, err := s.store.LockHead(ctx, chain)
		if err != nil {
			return err
		}
		through := head.LastSeq
		if kept, ok, err := s.store.FirstSeqFrom(ctx, chain, head.AnchorSeq, before); err != nil {
			return err
		} else if ok {
			through = kept - 1
		}
		through = min(through, head.AnchorSeq+PruneBatch)
		if through <= head.AnchorSeq {
			return nil
		}
		// The batch must verify before it goes, down to the link into
		// the first entry kept: pruning never erases evidence.
		walk := domain.NewWalk(head)
		var last domain.Entry
		if err := s.store.Range(ctx, chain, head.AnchorSeq+1, through+1, func(e domain.Entry) bool {
			if !walk.Next(e) {
				return false
			}
			if e.Seq <= through {
				last = e
			}
			return true
		}); err != nil {
			return err
		}
		switch {
		case walk.Broken() != nil:
			return ErrChainBroken.WithCause(errors.New(walk.Broken().String()))
		case last.Seq != through:
			return ErrChainBroken.WithCause(fmt.Errorf("chain %s: entry %d is missing", chain, last.Seq+1))
		case through == head.LastSeq && !bytes.Equal(last.Hash, head.LastHash):
			return ErrChainBroken.WithCause(fmt.Errorf("chain %s: the head does not hold the hash of entry %d", chain, through))
		}
		n, err := s.store.DeleteThrough(ctx, chain, through)
		if err != nil {
			return err
		}
		head.AnchorSeq, head.AnchorHash = through, last.Hash
		if err := s.store.SetAnchor(ctx, head); err != nil {
			return err
		}
		deleted = n
		return nil
	})
	return deleted, err
}
