package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// waitFor bounds every wait for background work.
const waitFor = 30 * time.Second

var t0 = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// bundle is what a test of the module works with.
type bundle struct {
	m     *audit.Module
	db    *db.DB
	bus   *eventbus.Bus
	clock *testkit.Clock
}

// setup returns the module on a fresh, migrated database of the dialect.
func setup(t testing.TB, dialect db.Dialect, retentionDays int) bundle {
	t.Helper()
	d := testdb.Open(t, dialect)
	return setupOn(t, d, retentionDays)
}

func setupOn(t testing.TB, d *db.DB, retentionDays int) bundle {
	t.Helper()
	b := bundle{db: d, bus: eventbus.New(d), clock: testkit.NewClock(t0)}
	var err error
	b.m, err = audit.New(audit.Deps{Services: module.Services{DB: d, Bus: b.bus, Clock: b.clock}, RetentionDays: retentionDays})
	if err != nil {
		t.Fatal(err)
	}
	mig := b.m.Migrations()
	mig.Module = b.m.Name()
	set, err := d.GooseSet(mig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	return b
}

// record records an entry of org, failing the test on error.
func (b bundle) record(t testing.TB, org kernel.OrganizationID, action string, metadata map[string]any) {
	t.Helper()
	err := b.m.Record(context.Background(), audit.Entry{Action: action, OrganizationID: org, Metadata: metadata})
	if err != nil {
		t.Fatal(err)
	}
}

// count returns how many entries the chain has.
func (b bundle) count(t testing.TB, chain string) int {
	t.Helper()
	var n int
	ctx := context.Background()
	if err := b.db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM audit_entries WHERE chain = $1`, chain).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// tamper runs a raw statement on the entries with the append-only triggers
// out of the way, as someone with direct database access could.
func (b bundle) tamper(t testing.TB, query string, args ...any) {
	t.Helper()
	tamper(t, b.db, query, args...)
}

func tamper(t testing.TB, d *db.DB, query string, args ...any) {
	t.Helper()
	ctx := context.Background()
	err := d.Tx(ctx, func(ctx context.Context) error {
		q := d.QW(ctx)
		var off []string
		if d.Dialect() == db.Postgres {
			off = []string{`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`}
		} else {
			off = []string{`DROP TRIGGER audit_entries_no_update`, `DROP TRIGGER audit_entries_no_delete`}
		}
		for _, s := range off {
			if _, err := q.Exec(ctx, s); err != nil {
				return err
			}
		}
		n, err := q.Exec(ctx, query, args...)
		if err != nil {
			return err
		}
		if n == 0 {
			t.Errorf("tamper: %s changed nothing", query)
		}
		// Rolling the trigger change back would roll the tampering back
		// too: the triggers come back in the same transaction instead.
		var on []string
		if d.Dialect() == db.Postgres {
			on = []string{`ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only`}
		} else {
			on = []string{
				`CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
				BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused'); END`,
				`CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
				WHEN NOT EXISTS (SELECT 1 FROM audit_prune_guard)
				BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused'); END`,
			}
		}
		for _, s := range on {
			if _, err := q.Exec(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

// thingDone is an event of a product module, mapped to entries by On.
type thingDone struct {
	Org      kernel.OrganizationID
	Name     string
	Password string
	Skip     bool
}

func (thingDone) EventName() string { return "things.thing.done" }

// onThingDone maps thingDone to an entry, as the composition root maps
// each module's events.
func onThingDone(m *audit.Module, bus *eventbus.Bus) {
	audit.On(m, bus, func(_ context.Context, e thingDone) (audit.Entry, bool) {
		return audit.Entry{
			OrganizationID: e.Org, TargetType: "thing", TargetID: e.Name,
			Metadata: map[string]any{"name": e.Name, "password": e.Password},
		}, !e.Skip
	})
}
