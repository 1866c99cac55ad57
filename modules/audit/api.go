package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/application"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

// Entry is what a caller records: Action (what happened; On defaults it to
// the event name), ActorType ("user", "system" or a payment provider's
// name) and ActorID (empty: the signed-in principal, else "system"),
// OrganizationID (zero: the platform chain), TargetType and TargetID, and
// Metadata (any JSON-encodable details; fields named like secrets —
// password, token, apiKey, … — are stored as "[REDACTED]"). Record fills
// the time, the impersonator and the request's ID, address and user agent.
type Entry = application.NewEntry

// The actor types the log itself uses; a payment provider acts under its
// own name.
const (
	ActorUser   = domain.ActorUser
	ActorSystem = domain.ActorSystem
)

// EntryKind is the ID kind of audit entries ("aud").
type EntryKind = domain.EntryKind

// EntryID identifies an audit entry ("aud_…", UUIDv7).
type EntryID = domain.EntryID

// Record appends e to its chain (its organization's, or the platform's) in
// the transaction ctx carries, or in one of its own, so an action and its
// entry commit together or not at all. The chain's head stays locked until
// that transaction ends: record late in a transaction, and to one chain per
// transaction where possible. It returns a kernel Invalid error
// ("audit.invalid_entry") for an entry that cannot be stored, else a
// database error; either way the caller's transaction must roll back.
func (m *Module) Record(ctx context.Context, e Entry) error { return m.svc.Record(ctx, e) }

// On subscribes fn to events of type E (as owner "audit") and records the
// entry it returns when it returns true, in the publisher's transaction:
// a failure to record rolls the publisher's change back. An entry without
// an Action is recorded under the event's name. The composition root uses
// it to map each module's events to entries.
func On[E kernel.Event](m *Module, bus *eventbus.Bus, fn func(ctx context.Context, e E) (Entry, bool)) {
	eventbus.Subscribe(bus, "audit", func(ctx context.Context, e E) error {
		entry, ok := fn(ctx, e)
		if !ok {
			return nil
		}
		if entry.Action == "" {
			entry.Action = e.EventName()
		}
		return m.Record(ctx, entry)
	})
}

// Break is a broken link: the chain, the seq where it breaks, the entry
// there (zero when the entry is missing) and why.
type Break = domain.Break

// ChainReport is the outcome of checking one chain.
type ChainReport = application.ChainReport

// Report is the outcome of Verify: one ChainReport per chain. Intact
// reports whether every chain verifies; Broken lists the first broken
// link of each chain that does not.
type Report = application.Report

// PruneResult says how many entries Prune deleted, from how many chains.
type PruneResult = application.PruneResult

// Verify walks every chain from its anchor, recomputing each entry's hash
// and checking its link to the previous entry and the seq order, and
// reports the first broken link of each chain. The error is for a failure
// to read, never for a broken chain.
func (m *Module) Verify(ctx context.Context) (Report, error) { return m.svc.Verify(ctx) }

// Prune deletes, per chain, the oldest entries that occurred before
// before — the longest prefix entirely older than it, never leaving a
// hole — and anchors the chain at the last deleted entry so the rest still
// verifies. A prefix that does not verify is kept, and Prune returns an
// error with code "audit.chain_broken": pruning never erases evidence.
func (m *Module) Prune(ctx context.Context, before time.Time) (PruneResult, error) {
	return m.svc.Prune(ctx, before)
}

// VerifyDB is Verify on a database alone, for the command line: it needs
// no wired application. It returns an error with code "audit.not_migrated"
// when the audit tables do not exist.
func VerifyDB(ctx context.Context, d *db.DB) (Report, error) {
	store, svc := newService(d, kernel.SystemClock{}, slog.New(slog.DiscardHandler))
	if err := store.Ready(ctx); err != nil {
		return Report{}, fmt.Errorf("verify audit log: %w", err)
	}
	return svc.Verify(ctx)
}

// PruneDB is Prune on a database alone, for the command line; a nil logger
// discards. Errors as VerifyDB and Prune.
func PruneDB(ctx context.Context, d *db.DB, before time.Time, logger *slog.Logger) (PruneResult, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	store, svc := newService(d, kernel.SystemClock{}, logger)
	if err := store.Ready(ctx); err != nil {
		return PruneResult{}, fmt.Errorf("prune audit log: %w", err)
	}
	return svc.Prune(ctx, before)
}
