package sqlstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/application"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns the audit tables' migrations for both dialects; the
// caller sets Module.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// Store is the audit log over a database.
type Store struct {
	db *db.DB
}

var _ application.Store = (*Store)(nil)

// New returns a Store over d. It does no I/O.
func New(d *db.DB) *Store { return &Store{db: d} }

// ErrNotMigrated reports a database without the audit tables.
var ErrNotMigrated = kernel.Unavailable("audit.not_migrated",
	"The audit log's tables do not exist; run groundwork migrate up.")

// Ready returns ErrNotMigrated unless the audit tables exist.
func (s *Store) Ready(ctx context.Context) error {
	query := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('audit_entries', 'audit_chains')`
	if s.db.Dialect() == db.Postgres {
		query = `SELECT COUNT(*) FROM pg_catalog.pg_tables
			WHERE schemaname = current_schema() AND tablename IN ('audit_entries', 'audit_chains')`
	}
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, query).Scan(&n); err != nil {
		return fmt.Errorf("audit tables: %w", err)
	}
	if n != 2 {
		return ErrNotMigrated
	}
	return nil
}

const columns = `id, chain, seq, occurred_at, actor_type, actor_id, impersonator_id, organization_id,
	action, target_type, target_id, metadata, ip, user_agent, request_id, prev_hash, hash`

// LockHead returns the chain's head, creating an empty one for a new
// chain, locked (FOR UPDATE on PostgreSQL; SQLite's write transaction
// already excludes every other writer) until the transaction ends.
func (s *Store) LockHead(ctx context.Context, chain string) (domain.Head, error) {
	if !db.InTx(ctx) {
		return domain.Head{}, errors.New("lock audit chain: no transaction")
	}
	h, err := s.head(ctx, chain)
	if errors.Is(err, db.ErrNoRows) {
		g := domain.NewHead(chain)
		// A concurrent first writer may have inserted it: DO NOTHING, then
		// the SELECT … FOR UPDATE waits for that writer to commit.
		_, err = s.db.QW(ctx).Exec(ctx, `INSERT INTO audit_chains (chain, last_seq, last_hash, anchor_seq, anchor_hash)
			VALUES ($1, 0, $2, 0, $3) ON CONFLICT (chain) DO NOTHING`, chain, g.LastHash, g.AnchorHash)
		if err != nil {
			return domain.Head{}, fmt.Errorf("create audit chain %s: %w", chain, err)
		}
		h, err = s.head(ctx, chain)
	}
	if err != nil {
		return domain.Head{}, fmt.Errorf("lock audit chain %s: %w", chain, err)
	}
	return h, nil
}

func (s *Store) head(ctx context.Context, chain string) (domain.Head, error) {
	h := domain.Head{Chain: chain}
	err := s.db.QW(ctx).QueryRow(ctx, `SELECT last_seq, last_hash, anchor_seq, anchor_hash
		FROM audit_chains WHERE chain = $1`+s.db.ForUpdate(), chain).
		Scan(&h.LastSeq, &h.LastHash, &h.AnchorSeq, &h.AnchorHash)
	return h, err
}

// Append inserts e and moves the chain's head onto it. The head moves only
// if e extends it (its seq and hash are e's predecessor's), so a writer
// that did not hold the lock fails rather than forks the chain.
func (s *Store) Append(ctx context.Context, e domain.Entry, head domain.Head) error {
	if !db.InTx(ctx) {
		return errors.New("append audit entry: no transaction")
	}
	q := s.db.QW(ctx)
	args := []any{e.ID, e.Chain, e.Seq, e.OccurredAt, e.ActorType, e.ActorID, e.ImpersonatorID, e.OrganizationID,
		e.Action, e.TargetType, e.TargetID, e.Metadata, e.IP, e.UserAgent, e.RequestID, e.PrevHash, e.Hash,
		head.LastSeq, head.LastHash, e.Seq - 1}
	if s.db.Dialect() == db.Postgres {
		// One statement: the entry goes in only if the head moved.
		n, err := q.Exec(ctx, `WITH moved AS (
			UPDATE audit_chains SET last_seq = $18, last_hash = $19
			WHERE chain = $2 AND last_seq = $20 AND last_hash = $16 RETURNING 1)
		INSERT INTO audit_entries (`+columns+`)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 FROM moved`, args...)
		if err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
		return extends(n, e, head)
	}
	if _, err := q.Exec(ctx, `INSERT INTO audit_entries (`+columns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, args[:17]...); err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	n, err := q.Exec(ctx, `UPDATE audit_chains SET last_seq = $2, last_hash = $3
		WHERE chain = $1 AND last_seq = $4 AND last_hash = $5`,
		head.Chain, head.LastSeq, head.LastHash, e.Seq-1, e.PrevHash)
	if err != nil {
		return fmt.Errorf("move audit chain head: %w", err)
	}
	return extends(n, e, head)
}

// extends turns the rows an append changed into its error: one, or the
// entry did not extend the chain's head.
func extends(n int64, e domain.Entry, head domain.Head) error {
	if n != 1 {
		return fmt.Errorf("move audit chain head: entry %d does not extend chain %s", e.Seq, head.Chain)
	}
	return nil
}

// List returns the entries q selects, newest first by (occurred_at, id).
func (s *Store) List(ctx context.Context, q application.StoreQuery) ([]domain.Entry, error) {
	var f db.Filter
	arg := f.Arg
	if !q.AllOrganizations {
		if q.Org.IsZero() {
			return nil, errors.New("list audit entries: no organization")
		}
		f.Where("organization_id = " + arg(q.Org))
	}
	if p := q.ActionPrefix; p != "" {
		// substr, not LIKE: LIKE is case-insensitive on SQLite and would
		// need escaping; both count characters the same way.
		f.Where(fmt.Sprintf("substr(action, 1, %s) = %s", arg(utf8.RuneCountInString(p)), arg(p)))
	}
	if q.ActorID != "" {
		f.Where("actor_id = " + arg(q.ActorID))
	}
	if q.TargetType != "" {
		f.Where("target_type = " + arg(q.TargetType))
	}
	if q.TargetID != "" {
		f.Where("target_id = " + arg(q.TargetID))
	}
	if !q.From.IsZero() {
		f.Where("occurred_at >= " + arg(q.From))
	}
	if !q.To.IsZero() {
		f.Where("occurred_at < " + arg(q.To))
	}
	if c := q.After; c != nil {
		t, id := arg(c.OccurredAt), arg(c.ID)
		f.Where(fmt.Sprintf("(occurred_at < %s OR (occurred_at = %s AND id < %s))", t, t, id))
	}
	query := `SELECT ` + columns + ` FROM audit_entries` + f.Clause() + ` ORDER BY occurred_at DESC, id DESC LIMIT ` + arg(q.Limit)
	var out []domain.Entry
	err := s.each(ctx, query, f.Args(), func(e domain.Entry) bool {
		out = append(out, e)
		return true
	})
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return out, nil
}

// Chains returns every chain with a head, in name order.
func (s *Store) Chains(ctx context.Context) ([]string, error) {
	return s.strings(ctx, `SELECT chain FROM audit_chains ORDER BY chain`)
}

// OrphanChains returns the chains that have entries but no head.
func (s *Store) OrphanChains(ctx context.Context) ([]string, error) {
	return s.strings(ctx, `SELECT DISTINCT e.chain FROM audit_entries e
		WHERE NOT EXISTS (SELECT 1 FROM audit_chains c WHERE c.chain = e.chain) ORDER BY e.chain`)
}

func (s *Store) strings(ctx context.Context, query string) ([]string, error) {
	return db.QueryAll(ctx, s.db.Q(ctx), db.ScanValue[string], "list audit chains", query)
}

// WalkChain reads the head and the entries in one statement, so both come
// from the same snapshot on either dialect: a prune or a write that
// commits meanwhile is either wholly seen or not at all.
func (s *Store) WalkChain(ctx context.Context, chain string, head func(domain.Head), entry func(domain.Entry) bool) error {
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT c.last_seq, c.last_hash, c.anchor_seq, c.anchor_hash,
		e.id, e.chain, e.seq, e.occurred_at, e.actor_type, e.actor_id, e.impersonator_id, e.organization_id,
		e.action, e.target_type, e.target_id, e.metadata, e.ip, e.user_agent, e.request_id, e.prev_hash, e.hash
		FROM audit_chains c LEFT JOIN audit_entries e ON e.chain = c.chain
		WHERE c.chain = $1 ORDER BY e.seq`, chain)
	if err != nil {
		return fmt.Errorf("read audit chain: %w", err)
	}
	defer rows.Close()
	first := true
	for rows.Next() {
		h := domain.Head{Chain: chain}
		var n nullableEntry
		dest := append([]any{&h.LastSeq, &h.LastHash, &h.AnchorSeq, &h.AnchorHash}, n.dest()...)
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("read audit chain: %w", err)
		}
		if first {
			head(h)
			first = false
		}
		if e, ok := n.entry(); ok && !entry(e) {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read audit chain: %w", err)
	}
	return nil
}

// FirstSeqFrom finds the first entry above after that is not older than
// t, scanning the chain in seq order: what it passes over is exactly what
// pruning will delete.
func (s *Store) FirstSeqFrom(ctx context.Context, chain string, after int64, t time.Time) (int64, bool, error) {
	var seq int64
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT seq FROM audit_entries
		WHERE chain = $1 AND seq > $2 AND occurred_at >= $3 ORDER BY seq LIMIT 1`, chain, after, t).Scan(&seq)
	switch {
	case errors.Is(err, db.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, fmt.Errorf("find audit entries to keep: %w", err)
	}
	return seq, true, nil
}

// Range calls fn for the chain's entries from..to, in seq order.
func (s *Store) Range(ctx context.Context, chain string, from, to int64, fn func(domain.Entry) bool) error {
	err := s.each(ctx, `SELECT `+columns+` FROM audit_entries WHERE chain = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq`,
		[]any{chain, from, to}, fn)
	if err != nil {
		return fmt.Errorf("read audit entries: %w", err)
	}
	return nil
}

// DeleteThrough unlocks deletion for this transaction only — SET LOCAL on
// PostgreSQL, the guard row on SQLite, removed again before returning —
// and deletes the chain's entries up to through.
func (s *Store) DeleteThrough(ctx context.Context, chain string, through int64) (int64, error) {
	if !db.InTx(ctx) {
		return 0, errors.New("prune audit entries: no transaction")
	}
	q := s.db.QW(ctx)
	if s.db.Dialect() == db.Postgres {
		if _, err := q.Exec(ctx, `SET LOCAL groundwork.audit_prune = 'on'`); err != nil {
			return 0, fmt.Errorf("prune audit entries: %w", err)
		}
	} else if _, err := q.Exec(ctx, `INSERT INTO audit_prune_guard (id) VALUES (1)`); err != nil {
		return 0, fmt.Errorf("prune audit entries: %w", err)
	}
	n, err := q.Exec(ctx, `DELETE FROM audit_entries WHERE chain = $1 AND seq <= $2`, chain, through)
	if err != nil {
		return 0, fmt.Errorf("prune audit entries: %w", err)
	}
	if s.db.Dialect() == db.Postgres {
		_, err = q.Exec(ctx, `SET LOCAL groundwork.audit_prune = 'off'`)
	} else {
		_, err = q.Exec(ctx, `DELETE FROM audit_prune_guard`)
	}
	if err != nil {
		return 0, fmt.Errorf("prune audit entries: %w", err)
	}
	return n, nil
}

// SetAnchor stores the head's anchor.
func (s *Store) SetAnchor(ctx context.Context, head domain.Head) error {
	n, err := s.db.QW(ctx).Exec(ctx, `UPDATE audit_chains SET anchor_seq = $2, anchor_hash = $3 WHERE chain = $1`,
		head.Chain, head.AnchorSeq, head.AnchorHash)
	if err != nil {
		return fmt.Errorf("anchor audit chain: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("anchor audit chain: no chain %s", head.Chain)
	}
	return nil
}

func (s *Store) each(ctx context.Context, query string, args []any, fn func(domain.Entry) bool) error {
	rows, err := s.db.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e domain.Entry
		if err := rows.Scan(&e.ID, &e.Chain, &e.Seq, &e.OccurredAt, &e.ActorType, &e.ActorID, &e.ImpersonatorID,
			&e.OrganizationID, &e.Action, &e.TargetType, &e.TargetID, &e.Metadata, &e.IP, &e.UserAgent,
			&e.RequestID, &e.PrevHash, &e.Hash); err != nil {
			return err
		}
		if !fn(e) {
			break
		}
	}
	return rows.Err()
}

// nullableEntry scans the entry half of a LEFT JOIN row, NULL when the
// chain has no entries.
type nullableEntry struct {
	id                                     *string
	chain                                  *string
	seq                                    *int64
	occurredAt                             *time.Time
	actorType, actorID, impersonator, org  *string
	action, targetType, targetID, metadata *string
	ip, userAgent, requestID               *string
	prevHash, hash                         []byte
}

func (n *nullableEntry) dest() []any {
	return []any{&n.id, &n.chain, &n.seq, &n.occurredAt, &n.actorType, &n.actorID, &n.impersonator, &n.org,
		&n.action, &n.targetType, &n.targetID, &n.metadata, &n.ip, &n.userAgent, &n.requestID, &n.prevHash, &n.hash}
}

// entry returns the entry, false when the row has none. A stored ID that
// does not parse (the row was edited) is kept as the zero ID, so the
// entry's hash no longer matches and the walk reports it rather than
// failing.
func (n *nullableEntry) entry() (domain.Entry, bool) {
	if n.id == nil {
		return domain.Entry{}, false
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	e := domain.Entry{
		EntryFields: domain.EntryFields{
			ActorType: str(n.actorType), ActorID: str(n.actorID),
			Action: str(n.action), TargetType: str(n.targetType), TargetID: str(n.targetID), Metadata: str(n.metadata),
			IP: str(n.ip), UserAgent: str(n.userAgent), RequestID: str(n.requestID),
		},
		Chain: str(n.chain), PrevHash: n.prevHash, Hash: n.hash,
	}
	if n.seq != nil {
		e.Seq = *n.seq
	}
	if n.occurredAt != nil {
		e.OccurredAt = *n.occurredAt
	}
	// Scan errors leave the zero ID: the walk then reports the row.
	_ = e.ID.Scan(*n.id)
	_ = e.ImpersonatorID.Scan(str(n.impersonator))
	_ = e.OrganizationID.Scan(str(n.org))
	return e, true
}
