package application

import (
	"context"
	"fmt"

	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

// ChainReport is the outcome of checking one chain.
type ChainReport struct {
	Chain string
	// Entries is how many entries were found intact.
	Entries int64
	// AnchorSeq is the seq of the last pruned entry (0: none pruned);
	// LastSeq the seq of the newest entry the head names.
	AnchorSeq int64
	LastSeq   int64
	// Broken is the first broken link, nil when the chain is intact.
	Broken *domain.Break
}

// Report is the outcome of checking every chain.
type Report struct {
	Chains []ChainReport
}

// Intact reports whether no chain is broken.
func (r Report) Intact() bool { return len(r.Broken()) == 0 }

// Broken returns the first broken link of each broken chain.
func (r Report) Broken() []domain.Break {
	var out []domain.Break
	for _, c := range r.Chains {
		if c.Broken != nil {
			out = append(out, *c.Broken)
		}
	}
	return out
}

// Verify walks every chain from its anchor, recomputing each entry's hash
// and checking its link to the one before and the seq order, and reports
// the first broken link of each. Each chain is read from one snapshot, so
// entries written or pruned meanwhile do not show as breaks. Entries of a
// chain without a head are reported broken. The error is for a failure to
// read, never for a broken chain.
func (s *Service) Verify(ctx context.Context) (Report, error) {
	chains, err := s.store.Chains(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("verify audit log: %w", err)
	}
	var r Report
	for _, chain := range chains {
		var walk *domain.Walk
		var head domain.Head
		err := s.store.WalkChain(ctx, chain,
			func(h domain.Head) { head, walk = h, domain.NewWalk(h) },
			func(e domain.Entry) bool { return walk.Next(e) })
		if err != nil {
			return Report{}, fmt.Errorf("verify audit chain %s: %w", chain, err)
		}
		if walk == nil { // the head went away between the two reads
			continue
		}
		r.Chains = append(r.Chains, ChainReport{
			Chain: chain, Entries: walk.Checked(), AnchorSeq: head.AnchorSeq, LastSeq: head.LastSeq, Broken: walk.Finish(),
		})
	}
	orphans, err := s.store.OrphanChains(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("verify audit log: %w", err)
	}
	for _, chain := range orphans {
		r.Chains = append(r.Chains, ChainReport{Chain: chain, Broken: &domain.Break{
			Chain: chain, Seq: 1, Reason: "the chain has entries but no head: its head was deleted",
		}})
	}
	return r, nil
}
