// Package sqlstore keeps usage's counters, their history and the
// idempotency keys on SQLite or PostgreSQL, and embeds their migrations.
package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/usage/internal/application"
	"github.com/groundworkhq/groundwork/modules/usage/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns usage's tables for both dialects; the caller sets
// Module.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// Store is application.Store over a database.
type Store struct {
	db *db.DB
	// increment and incrementOverridden are the increment's statements
	// for n within the plan's cap and past it.
	increment, incrementOverridden string
}

var _ application.Store = (*Store)(nil)

// New returns the store over d. It does no I/O.
func New(d *db.DB) *Store {
	return &Store{db: d, increment: IncrementSQL(d.Dialect()), incrementOverridden: overriddenSQL(d.Dialect())}
}

// The increment's insert, per dialect: the row a first increment creates,
// or nothing when n alone passes the plan's cap ($4) — a counter with an
// override always exists (SaveOverride creates it), so the insert needs
// none, and the override lifts the cap in the upsert. PostgreSQL cannot tell the parameters' types in a SELECT list, so
// they are cast; SQLite keeps times as text and would mangle a cast to a
// time type.
const (
	incrementInsert = `INSERT INTO usage_counters (organization_id, meter, used, cap, window_start, window_end, notified, updated_at)
SELECT `
	incrementRowSQLite   = `$1, $2, $3, $4, $5, $6, 0, $7`
	incrementRowPostgres = `$1, $2, CAST($3 AS BIGINT), CAST($4 AS BIGINT), CAST($5 AS TIMESTAMPTZ), CAST($6 AS TIMESTAMPTZ), 0, CAST($7 AS TIMESTAMPTZ)`
	// withinPlanSQLite and withinPlanPostgres propose the row when n
	// alone stays within the plan's cap.
	withinPlanSQLite   = ` WHERE $4 < 0 OR $3 <= $4`
	withinPlanPostgres = ` WHERE CAST($4 AS BIGINT) < 0 OR CAST($3 AS BIGINT) <= CAST($4 AS BIGINT)`
	// overridden proposes the row only when the counter exists with an
	// override: when n alone passes the plan's cap, only an override can
	// let it count, and a proposed row with no counter to conflict with
	// would be inserted past the cap.
	overridden = ` FROM usage_counters WHERE organization_id = $1 AND meter = $2 AND override_cap IS NOT NULL`
)

// incrementUpsert is the rest of the statement, alike on both dialects
// but for the two-argument maximum (%[1]s: MAX on SQLite, GREATEST on
// PostgreSQL). excluded holds the proposed row: used is n, cap the plan's
// cap, window_start and window_end the window that holds now, updated_at
// now. The cap in force is the counter's override_cap when a platform
// admin set one, else the plan's. The window has ended when window_end <= now; then the count starts
// again at n in the new window (starting no earlier than the ended one's
// end) and the ended window moves to prev_*. The WHERE is the cap check:
// no cap, or what the window would count stays within it. PostgreSQL
// takes the row's lock and evaluates it on the latest committed version,
// so concurrent increments never pass the cap together; SQLite has one
// writer.
const incrementUpsert = `
ON CONFLICT (organization_id, meter) DO UPDATE SET
	used = CASE WHEN usage_counters.window_end <= excluded.updated_at THEN excluded.used ELSE usage_counters.used + excluded.used END,
	cap = COALESCE(usage_counters.override_cap, excluded.cap),
	window_start = CASE WHEN usage_counters.window_end <= excluded.updated_at
		THEN %[1]s(excluded.window_start, usage_counters.window_end) ELSE usage_counters.window_start END,
	window_end = CASE WHEN usage_counters.window_end <= excluded.updated_at THEN excluded.window_end ELSE usage_counters.window_end END,
	notified = CASE WHEN usage_counters.window_end <= excluded.updated_at THEN 0 ELSE usage_counters.notified END,
	prev_window_start = CASE WHEN usage_counters.window_end <= excluded.updated_at THEN usage_counters.window_start ELSE usage_counters.prev_window_start END,
	prev_window_end = CASE WHEN usage_counters.window_end <= excluded.updated_at THEN usage_counters.window_end ELSE usage_counters.prev_window_end END,
	prev_used = CASE WHEN usage_counters.window_end <= excluded.updated_at THEN usage_counters.used ELSE usage_counters.prev_used END,
	prev_cap = CASE WHEN usage_counters.window_end <= excluded.updated_at THEN usage_counters.cap ELSE usage_counters.prev_cap END,
	updated_at = excluded.updated_at
WHERE COALESCE(usage_counters.override_cap, excluded.cap) < 0
	OR (CASE WHEN usage_counters.window_end <= excluded.updated_at THEN 0 ELSE usage_counters.used END) + excluded.used
		<= COALESCE(usage_counters.override_cap, excluded.cap)
RETURNING ` + incrementedColumns

// IncrementSQL returns the statement Increment runs on dialect, with the
// parameters $1 organization, $2 meter, $3 n, $4 the plan's cap (-1:
// none), $5 and $6 the window that holds now, $7 now, when n alone stays
// within the plan's cap; Increment runs overriddenSQL's otherwise.
func IncrementSQL(dialect db.Dialect) string {
	if dialect == db.Postgres {
		return incrementInsert + incrementRowPostgres + withinPlanPostgres + fmt.Sprintf(incrementUpsert, "GREATEST")
	}
	return incrementInsert + incrementRowSQLite + withinPlanSQLite + fmt.Sprintf(incrementUpsert, "MAX")
}

// overriddenSQL is IncrementSQL's statement for n past the plan's cap:
// it counts only on a counter an override lifts.
func overriddenSQL(dialect db.Dialect) string {
	if dialect == db.Postgres {
		return incrementInsert + incrementRowPostgres + overridden + fmt.Sprintf(incrementUpsert, "GREATEST")
	}
	return incrementInsert + incrementRowSQLite + overridden + fmt.Sprintf(incrementUpsert, "MAX")
}

const counterColumns = `organization_id, meter, used, cap, window_start, window_end, notified,
	prev_window_start, prev_window_end, prev_used, prev_cap, updated_at`

// incrementedColumns are what an increment returns of its counter: what
// the caller needs to tell what is left and whether a threshold was
// crossed, and no more, as the statement runs on every count.
const incrementedColumns = `used, cap, notified`

// scanIncremented scans incrementedColumns into the counter in counts.
func scanIncremented(in application.Increment) func(r db.Row) (domain.Counter, error) {
	return func(r db.Row) (domain.Counter, error) {
		c := domain.Counter{OrganizationID: in.Org, Meter: in.Meter, UpdatedAt: in.Now}
		err := r.Scan(&c.Used, &c.Cap, &c.Notified)
		return c, err
	}
}

func scanCounter(r db.Row) (domain.Counter, error) {
	var c domain.Counter
	var prevStart, prevEnd *time.Time
	var prevUsed, prevCap int64
	err := r.Scan(&c.OrganizationID, &c.Meter, &c.Used, &c.Cap, &c.WindowStart, &c.WindowEnd, &c.Notified,
		&prevStart, &prevEnd, &prevUsed, &prevCap, &c.UpdatedAt)
	if err == nil && prevStart != nil && prevEnd != nil {
		c.Previous = &domain.Closed{WindowStart: *prevStart, WindowEnd: *prevEnd, Used: prevUsed, Cap: prevCap}
	}
	return c, err
}

var errNoCounter = kernel.NotFound("usage.no_counter", "No counter.")

// inWindowSQL counts on a counter whose window holds now, within its cap,
// and changes nothing otherwise; Increment tries it before the upsert, as
// almost every count is one. It is cheaper than the upsert on both
// dialects: SQLite rewrites an index's entries whenever an UPDATE names
// one of its columns, even to set it to itself, as the upsert must, and
// this statement names none; PostgreSQL skips the upsert's speculative
// insertion. Under PostgreSQL's read committed, the WHERE is evaluated
// again on the row's latest version once its lock is taken, so
// concurrent counts never pass the cap together.
const inWindowSQL = `UPDATE usage_counters SET used = used + $3, cap = COALESCE(override_cap, $4), updated_at = $5
WHERE organization_id = $1 AND meter = $2 AND window_end > $5
	AND (COALESCE(override_cap, $4) < 0 OR used + $3 <= COALESCE(override_cap, $4))
RETURNING ` + incrementedColumns

// Increment implements application.Store.
func (s *Store) Increment(ctx context.Context, in application.Increment) (domain.Counter, bool, error) {
	c, err := db.QueryOne(ctx, s.db.QW(ctx), scanIncremented(in), errNoCounter, "count in a window", inWindowSQL,
		in.Org, in.Meter, in.N, in.Cap, in.Now)
	if err != errNoCounter {
		return c, err == nil, err
	}
	stmt := s.increment
	if in.Cap >= 0 && in.N > in.Cap {
		stmt = s.incrementOverridden
	}
	c, err = db.QueryOne(ctx, s.db.QW(ctx), scanIncremented(in), errNoCounter, "increment a counter", stmt,
		in.Org, in.Meter, in.N, in.Cap, in.WindowStart, in.WindowEnd, in.Now)
	if err == errNoCounter {
		return domain.Counter{}, false, nil
	}
	return c, err == nil, err
}

// MarkNotified implements application.Store.
func (s *Store) MarkNotified(ctx context.Context, k application.Key, percent int) (time.Time, bool, error) {
	end, err := db.QueryOne(ctx, s.db.QW(ctx), func(r db.Row) (time.Time, error) {
		var end time.Time
		err := r.Scan(&end)
		return end, err
	}, errNoCounter, "mark a threshold notified",
		`UPDATE usage_counters SET notified = $3 WHERE organization_id = $1 AND meter = $2 AND notified < $3 RETURNING window_end`,
		k.Org, k.Meter, percent)
	if err == errNoCounter {
		return time.Time{}, false, nil
	}
	return end, err == nil, err
}

// Refund implements application.Store.
func (s *Store) Refund(ctx context.Context, k application.Key, n int64, now time.Time) (bool, error) {
	changed, err := db.Exec(ctx, s.db.QW(ctx), "refund a counter",
		`UPDATE usage_counters SET used = CASE WHEN used > $3 THEN used - $3 ELSE 0 END, updated_at = $4
		WHERE organization_id = $1 AND meter = $2 AND window_end > $4`, k.Org, k.Meter, n, now)
	return changed == 1, err
}

// Counter implements application.Store.
func (s *Store) Counter(ctx context.Context, k application.Key) (domain.Counter, bool, error) {
	return s.counter(ctx, s.db.Q(ctx), "", k)
}

// LockCounter implements application.Store.
func (s *Store) LockCounter(ctx context.Context, k application.Key) (domain.Counter, bool, error) {
	return s.counter(ctx, s.db.QW(ctx), s.db.ForUpdate(), k)
}

func (s *Store) counter(ctx context.Context, q db.Querier, lock string, k application.Key) (domain.Counter, bool, error) {
	c, err := db.QueryOne(ctx, q, scanCounter, errNoCounter, "read a counter",
		`SELECT `+counterColumns+` FROM usage_counters WHERE organization_id = $1 AND meter = $2`+lock, k.Org, k.Meter)
	if err == errNoCounter {
		return domain.Counter{}, false, nil
	}
	return c, err == nil, err
}

// Standing implements application.Store: the counter and the override
// in one statement, for a refusal's answer.
func (s *Store) Standing(ctx context.Context, k application.Key) (*domain.Counter, *domain.Override, error) {
	var (
		c                        domain.Counter
		o                        domain.Override
		used, cap, notified      *int64
		start, end, updated      *time.Time
		prevStart, prevEnd       *time.Time
		prevUsed, prevCap, limit *int64
		reason, setBy            *string
		setAt                    *time.Time
	)
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT c.used, c.cap, c.window_start, c.window_end, c.notified,
			c.prev_window_start, c.prev_window_end, c.prev_used, c.prev_cap, c.updated_at, o.cap, o.reason, o.set_by, o.set_at
		FROM (SELECT CAST($1 AS TEXT) AS organization_id, CAST($2 AS TEXT) AS meter) k
		LEFT JOIN usage_counters c ON c.organization_id = k.organization_id AND c.meter = k.meter
		LEFT JOIN usage_overrides o ON o.organization_id = k.organization_id AND o.meter = k.meter`, k.Org, k.Meter).
		Scan(&used, &cap, &start, &end, &notified, &prevStart, &prevEnd, &prevUsed, &prevCap, &updated, &limit, &reason, &setBy, &setAt)
	if err != nil {
		return nil, nil, fmt.Errorf("read the standing of %s: %w", k.Meter, err)
	}
	var cp *domain.Counter
	if used != nil && cap != nil && start != nil && end != nil && notified != nil && updated != nil {
		c = domain.Counter{OrganizationID: k.Org, Meter: k.Meter, Used: *used, Cap: *cap, WindowStart: *start, WindowEnd: *end,
			Notified: int(*notified), UpdatedAt: *updated}
		if prevStart != nil && prevEnd != nil && prevUsed != nil && prevCap != nil {
			c.Previous = &domain.Closed{WindowStart: *prevStart, WindowEnd: *prevEnd, Used: *prevUsed, Cap: *prevCap}
		}
		cp = &c
	}
	var op *domain.Override
	if limit != nil && reason != nil && setBy != nil && setAt != nil {
		o = domain.Override{OrganizationID: k.Org, Meter: k.Meter, Cap: *limit, Reason: *reason, SetAt: *setAt}
		if o.SetBy, err = kernel.ParseID[kernel.UserKind](*setBy); err != nil {
			return nil, nil, fmt.Errorf("read the standing of %s: %w", k.Meter, err)
		}
		op = &o
	}
	return cp, op, nil
}

// Counters implements application.Store.
func (s *Store) Counters(ctx context.Context, org kernel.OrganizationID) ([]domain.Counter, error) {
	return db.QueryAll(ctx, s.db.Q(ctx), scanCounter, "list counters",
		`SELECT `+counterColumns+` FROM usage_counters WHERE organization_id = $1 ORDER BY meter`, org)
}

// SaveCounter implements application.Store.
func (s *Store) SaveCounter(ctx context.Context, c domain.Counter) error {
	var prevStart, prevEnd *time.Time
	var prevUsed, prevCap int64
	if p := c.Previous; p != nil {
		prevStart, prevEnd, prevUsed, prevCap = &p.WindowStart, &p.WindowEnd, p.Used, p.Cap
	}
	return db.ExecOne(ctx, s.db.QW(ctx), errNoCounter, "save a counter",
		`UPDATE usage_counters SET used = $3, cap = $4, window_start = $5, window_end = $6, notified = $7,
			prev_window_start = $8, prev_window_end = $9, prev_used = $10, prev_cap = $11, updated_at = $12
		WHERE organization_id = $1 AND meter = $2`,
		c.OrganizationID, c.Meter, c.Used, c.Cap, c.WindowStart, c.WindowEnd, c.Notified, prevStart, prevEnd, prevUsed, prevCap, c.UpdatedAt)
}

// DeleteCounter implements application.Store: the counter and the
// override it carries.
func (s *Store) DeleteCounter(ctx context.Context, k application.Key) error {
	if _, err := db.Exec(ctx, s.db.QW(ctx), "delete a counter",
		`DELETE FROM usage_counters WHERE organization_id = $1 AND meter = $2`, k.Org, k.Meter); err != nil {
		return err
	}
	_, err := db.Exec(ctx, s.db.QW(ctx), "delete a counter's override",
		`DELETE FROM usage_overrides WHERE organization_id = $1 AND meter = $2`, k.Org, k.Meter)
	return err
}

// Due implements application.Store.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]application.Key, error) {
	return db.QueryAll(ctx, s.db.Q(ctx), func(r db.Row) (application.Key, error) {
		var k application.Key
		err := r.Scan(&k.Org, &k.Meter)
		return k, err
	}, "list counters due", `SELECT organization_id, meter FROM usage_counters
		WHERE window_end <= $1 OR prev_window_start IS NOT NULL ORDER BY organization_id, meter LIMIT $2`, now, limit)
}

// AddHistory implements application.Store.
func (s *Store) AddHistory(ctx context.Context, k application.Key, windows []domain.Closed, now time.Time) (int, error) {
	total := 0
	for _, w := range windows {
		n, err := db.Exec(ctx, s.db.QW(ctx), "record a window", `INSERT INTO usage_history
			(organization_id, meter, window_start, window_end, used, cap, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (organization_id, meter, window_start) DO NOTHING`,
			k.Org, k.Meter, w.WindowStart, w.WindowEnd, w.Used, w.Cap, now)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// History implements application.Store.
func (s *Store) History(ctx context.Context, k application.Key, from, to time.Time, limit int) ([]domain.Closed, error) {
	var f db.Filter
	f.Where("organization_id = " + f.Arg(k.Org))
	f.Where("meter = " + f.Arg(k.Meter))
	if !from.IsZero() {
		f.Where("window_end > " + f.Arg(from))
	}
	if !to.IsZero() {
		f.Where("window_start < " + f.Arg(to))
	}
	return db.QueryAll(ctx, s.db.Q(ctx), func(r db.Row) (domain.Closed, error) {
		var c domain.Closed
		err := r.Scan(&c.WindowStart, &c.WindowEnd, &c.Used, &c.Cap)
		return c, err
	}, "read history", `SELECT window_start, window_end, used, cap FROM usage_history`+f.Clause()+
		` ORDER BY window_start DESC LIMIT `+f.Arg(limit), f.Args()...)
}

// ClaimKey implements application.Store.
func (s *Store) ClaimKey(ctx context.Context, k application.Key, key string, now time.Time) (bool, error) {
	n, err := db.Exec(ctx, s.db.QW(ctx), "claim an idempotency key", `INSERT INTO usage_idempotency
		(organization_id, meter, idempotency_key, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (organization_id, meter, idempotency_key) DO NOTHING`, k.Org, k.Meter, key, now)
	return n == 1, err
}

// ReleaseKey implements application.Store.
func (s *Store) ReleaseKey(ctx context.Context, k application.Key, key string) error {
	_, err := db.Exec(ctx, s.db.QW(ctx), "release an idempotency key",
		`DELETE FROM usage_idempotency WHERE organization_id = $1 AND meter = $2 AND idempotency_key = $3`, k.Org, k.Meter, key)
	return err
}

// PruneKeys implements application.Store.
func (s *Store) PruneKeys(ctx context.Context, before time.Time) (int, error) {
	return db.Exec(ctx, s.db.QW(ctx), "prune idempotency keys", `DELETE FROM usage_idempotency WHERE created_at < $1`, before)
}

const overrideColumns = `organization_id, meter, cap, reason, set_by, set_at`

func scanOverride(r db.Row) (domain.Override, error) {
	var o domain.Override
	err := r.Scan(&o.OrganizationID, &o.Meter, &o.Cap, &o.Reason, &o.SetBy, &o.SetAt)
	return o, err
}

var errNoOverride = kernel.NotFound("usage.no_override", "No override.")

// Override implements application.Store.
func (s *Store) Override(ctx context.Context, k application.Key) (domain.Override, bool, error) {
	o, err := db.QueryOne(ctx, s.db.Q(ctx), scanOverride, errNoOverride, "read an override",
		`SELECT `+overrideColumns+` FROM usage_overrides WHERE organization_id = $1 AND meter = $2`, k.Org, k.Meter)
	if err == errNoOverride {
		return domain.Override{}, false, nil
	}
	return o, err == nil, err
}

// Overrides implements application.Store.
func (s *Store) Overrides(ctx context.Context, org kernel.OrganizationID) ([]domain.Override, error) {
	return db.QueryAll(ctx, s.db.Q(ctx), scanOverride, "list overrides",
		`SELECT `+overrideColumns+` FROM usage_overrides WHERE organization_id = $1 ORDER BY meter`, org)
}

// SaveOverride implements application.Store: the override, and its cap on
// the counter, which it creates in [start, end) when there is none.
func (s *Store) SaveOverride(ctx context.Context, o domain.Override, start, end time.Time) error {
	_, err := db.Exec(ctx, s.db.QW(ctx), "save an override", `INSERT INTO usage_overrides (`+overrideColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (organization_id, meter) DO UPDATE SET cap = excluded.cap, reason = excluded.reason,
			set_by = excluded.set_by, set_at = excluded.set_at`,
		o.OrganizationID, o.Meter, o.Cap, o.Reason, o.SetBy, o.SetAt)
	if err != nil {
		return err
	}
	_, err = db.Exec(ctx, s.db.QW(ctx), "put an override on its counter", `INSERT INTO usage_counters
		(organization_id, meter, used, cap, window_start, window_end, notified, updated_at, override_cap)
		VALUES ($1, $2, 0, $3, $4, $5, 0, $6, $3)
		ON CONFLICT (organization_id, meter) DO UPDATE SET override_cap = excluded.override_cap`,
		o.OrganizationID, o.Meter, o.Cap, start, end, o.SetAt)
	return err
}

// DeleteOverride implements application.Store: the override, and its cap
// on the counter.
func (s *Store) DeleteOverride(ctx context.Context, k application.Key) (bool, error) {
	n, err := db.Exec(ctx, s.db.QW(ctx), "delete an override",
		`DELETE FROM usage_overrides WHERE organization_id = $1 AND meter = $2`, k.Org, k.Meter)
	if err != nil || n == 0 {
		return false, err
	}
	_, err = db.Exec(ctx, s.db.QW(ctx), "take an override off its counter",
		`UPDATE usage_counters SET override_cap = NULL WHERE organization_id = $1 AND meter = $2`, k.Org, k.Meter)
	return err == nil, err
}

// NearCaps implements application.Store. It reads the counters past a
// threshold only (an index holds them), the current ones among them.
func (s *Store) NearCaps(ctx context.Context, now time.Time, limit int) ([]domain.Counter, int, int, error) {
	var warning, reached int
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN notified = 80 THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN notified >= 100 THEN 1 ELSE 0 END), 0)
		FROM usage_counters WHERE notified > 0 AND window_end > $1 AND cap > 0`, now).Scan(&warning, &reached)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("count counters near their caps: %w", err)
	}
	counters, err := db.QueryAll(ctx, s.db.Q(ctx), scanCounter, "list counters near their caps",
		`SELECT `+counterColumns+` FROM usage_counters WHERE notified > 0 AND window_end > $1 AND cap > 0
		ORDER BY CAST(used AS REAL) / cap DESC, used DESC, organization_id, meter LIMIT $2`, now, limit)
	return counters, warning, reached, err
}
