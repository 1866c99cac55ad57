package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/application"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
	"github.com/groundworkhq/groundwork/modules/audit/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

var t0 = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// setup returns a store on a fresh, migrated database of the dialect.
func setup(t testing.TB, dialect db.Dialect) (*sqlstore.Store, *db.DB) {
	t.Helper()
	ctx := context.Background()
	d := testdb.Open(t, dialect)
	s := sqlstore.New(d)
	if err := s.Ready(ctx); kernel.CodeOf(err) != "audit.not_migrated" {
		t.Fatalf("Ready before migrating = %v", err)
	}
	testdb.Migrate(t, d, "audit", sqlstore.Migrations())
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready = %v", err)
	}
	return s, d
}

type params struct {
	org        kernel.OrganizationID
	at         time.Time
	action     string
	actor      string
	targetType string
	targetID   string
}

// appendEntry links a new entry into its chain, as Record does.
func appendEntry(t testing.TB, s *sqlstore.Store, d *db.DB, p params) domain.Entry {
	t.Helper()
	if p.action == "" {
		p.action = "thing.done"
	}
	if p.at.IsZero() {
		p.at = t0
	}
	var out domain.Entry
	err := d.Tx(context.Background(), func(ctx context.Context) error {
		h, err := s.LockHead(ctx, domain.ChainOf(p.org, domain.ActorUser, p.actor))
		if err != nil {
			return err
		}
		e, err := domain.NewEntry(domain.EntryFields{
			ID: kernel.NewID[domain.EntryKind](), OccurredAt: p.at, ActorType: domain.ActorUser, ActorID: p.actor,
			OrganizationID: p.org, Action: p.action, TargetType: p.targetType, TargetID: p.targetID,
			Metadata: `{"n":1}`, IP: "192.0.2.1", UserAgent: "test", RequestID: "req",
		})
		if err != nil {
			return err
		}
		out, h = h.Append(e)
		return s.Append(ctx, out, h)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEntriesRoundTrip(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		org := kernel.NewID[kernel.OrganizationKind]()
		want := appendEntry(t, s, d, params{org: org, at: t0.Add(123456 * time.Microsecond), actor: "usr_a", targetType: "user", targetID: "usr_b"})
		got, err := s.List(ctx, application.StoreQuery{Org: org, Limit: 10})
		if err != nil || len(got) != 1 {
			t.Fatalf("List = %v, %v", got, err)
		}
		if g, w := fmt.Sprintf("%+v", got[0]), fmt.Sprintf("%+v", want); g != w {
			t.Errorf("stored entry\n got %s\nwant %s", g, w)
		}
		// What was read hashes to what was written.
		if string(got[0].ComputeHash()) != string(want.Hash) {
			t.Error("the stored entry no longer matches its hash")
		}
		var head domain.Head
		var walked []domain.Entry
		err = s.WalkChain(ctx, org.String(), func(h domain.Head) { head = h },
			func(e domain.Entry) bool { walked = append(walked, e); return true })
		if err != nil || head.LastSeq != 1 || string(head.LastHash) != string(want.Hash) || len(walked) != 1 ||
			fmt.Sprintf("%+v", walked[0]) != fmt.Sprintf("%+v", want) {
			t.Errorf("WalkChain: head %+v, entries %+v, %v", head, walked, err)
		}
	})
}

func TestTriggersKeepTheLogAppendOnly(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		e1 := appendEntry(t, s, d, params{})
		appendEntry(t, s, d, params{})
		appendEntry(t, s, d, params{})

		refused := []string{
			`UPDATE audit_entries SET action = 'thing.hidden' WHERE id = $1`,
			`UPDATE audit_entries SET metadata = '{}'`,
			`DELETE FROM audit_entries WHERE id = $1`,
			`DELETE FROM audit_entries`,
		}
		if dialect == db.Postgres {
			refused = append(refused, `TRUNCATE audit_entries`)
		}
		for _, q := range refused {
			args := []any{}
			if n := len(q); q[n-2:] == "$1" {
				args = append(args, e1.ID)
			}
			if _, err := d.QW(ctx).Exec(ctx, q, args...); err == nil {
				t.Errorf("%s: succeeded", q)
			}
		}
		if n := count(t, d); n != 3 {
			t.Fatalf("%d entries left, want 3", n)
		}

		// Pruning unlocks deletion for its own statement only: after it,
		// in the same transaction, a delete is refused again.
		err := d.Tx(ctx, func(ctx context.Context) error {
			n, err := s.DeleteThrough(ctx, domain.PlatformChain, 1)
			if err != nil || n != 1 {
				return fmt.Errorf("DeleteThrough = %d, %v", n, err)
			}
			if _, err := d.QW(ctx).Exec(ctx, `DELETE FROM audit_entries WHERE seq = 2`); err == nil {
				return fmt.Errorf("a delete after pruning succeeded")
			}
			return nil
		})
		if dialect == db.Postgres {
			// The refused delete aborted the PostgreSQL transaction.
			if err == nil {
				t.Fatal("the transaction committed after a refused statement")
			}
		} else if err != nil {
			t.Fatal(err)
		}
		// Outside a transaction, a prune is refused outright.
		if _, err := s.DeleteThrough(ctx, domain.PlatformChain, 3); err == nil {
			t.Error("DeleteThrough without a transaction succeeded")
		}
		if dialect == db.SQLite {
			// The guard row is gone again.
			if _, err := d.QW(ctx).Exec(ctx, `DELETE FROM audit_entries WHERE seq = 3`); err == nil {
				t.Error("the prune guard stayed open")
			}
		}
	})
}

func count(t testing.TB, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.Q(context.Background()).QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_entries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAppendRefusesAStaleHead(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		if _, err := s.LockHead(ctx, "platform"); err == nil {
			t.Error("LockHead without a transaction succeeded")
		}
		stale := domain.NewHead(domain.PlatformChain)
		appendEntry(t, s, d, params{})
		err := d.Tx(ctx, func(ctx context.Context) error {
			e, _ := domain.NewEntry(domain.EntryFields{ID: kernel.NewID[domain.EntryKind](), OccurredAt: t0, ActorType: "system", Action: "x.y"})
			e, h := stale.Append(e)
			e.Seq = 2 // not a duplicate seq: the head's guard must catch it
			return s.Append(ctx, e, h)
		})
		if err == nil {
			t.Error("an append from a stale head succeeded")
		}
		if n := count(t, d); n != 1 {
			t.Errorf("%d entries, want 1", n)
		}
	})
}

func TestListFiltersAndPages(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		a, b := kernel.NewID[kernel.OrganizationKind](), kernel.NewID[kernel.OrganizationKind]()
		var aIDs []domain.EntryID // newest first
		for i, p := range []params{
			{org: a, at: t0, action: "user.created", actor: "usr_1", targetType: "user", targetID: "usr_9"},
			{org: a, at: t0.Add(time.Minute), action: "user.signed_in", actor: "usr_1"},
			{org: a, at: t0.Add(time.Minute), action: "member.added", actor: "usr_2", targetType: "user", targetID: "usr_9"},
			{org: a, at: t0.Add(2 * time.Minute), action: "users.exported", actor: "usr_2"},
			{org: b, at: t0.Add(time.Minute), action: "user.created", actor: "usr_1"},
			{at: t0.Add(time.Minute), action: "user.created", actor: "usr_1"},
		} {
			e := appendEntry(t, s, d, p)
			if i < 4 {
				aIDs = append([]domain.EntryID{e.ID}, aIDs...)
			}
		}
		ids := func(q application.StoreQuery) []domain.EntryID {
			t.Helper()
			if q.Limit == 0 {
				q.Limit = 100
			}
			es, err := s.List(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []domain.EntryID
			for _, e := range es {
				out = append(out, e.ID)
			}
			return out
		}
		same := func(name string, got, want []domain.EntryID) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: got %v, want %v", name, got, want)
			}
		}
		f := func(fl application.Filter) application.StoreQuery { return application.StoreQuery{Org: a, Filter: fl} }
		same("all of A, newest first", ids(f(application.Filter{})), aIDs)
		same("action prefix user.", ids(f(application.Filter{ActionPrefix: "user."})), []domain.EntryID{aIDs[2], aIDs[3]})
		same("action prefix is case-sensitive", ids(f(application.Filter{ActionPrefix: "USER."})), nil)
		same("action prefix user", ids(f(application.Filter{ActionPrefix: "user"})), []domain.EntryID{aIDs[0], aIDs[2], aIDs[3]})
		same("action prefix with %", ids(f(application.Filter{ActionPrefix: "%"})), nil)
		same("actor", ids(f(application.Filter{ActorID: "usr_2"})), aIDs[:2])
		same("target", ids(f(application.Filter{TargetType: "user", TargetID: "usr_9"})), []domain.EntryID{aIDs[1], aIDs[3]})
		same("from", ids(f(application.Filter{From: t0.Add(time.Minute)})), aIDs[:3])
		same("to", ids(f(application.Filter{To: t0.Add(time.Minute)})), aIDs[3:])
		same("range", ids(f(application.Filter{From: t0.Add(time.Minute), To: t0.Add(2 * time.Minute)})), aIDs[1:3])
		same("B", len2(ids(application.StoreQuery{Org: b})), []domain.EntryID{{}})
		if got := ids(application.StoreQuery{AllOrganizations: true}); len(got) != 6 {
			t.Errorf("all organizations: %d entries, want 6", len(got))
		}

		// Pages follow one another without overlap, also across equal times.
		var paged []domain.EntryID
		var after *application.Cursor
		for {
			es, err := s.List(ctx, application.StoreQuery{Org: a, After: after, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) == 0 {
				break
			}
			paged = append(paged, es[0].ID)
			after = &application.Cursor{OccurredAt: es[0].OccurredAt, ID: es[0].ID}
		}
		same("paged", paged, aIDs)

		if _, err := s.List(ctx, application.StoreQuery{Limit: 1}); err == nil {
			t.Error("a list with no organization and not all organizations succeeded")
		}
	})
}

// len2 maps a list to as many zero IDs, to compare lengths only.
func len2(ids []domain.EntryID) []domain.EntryID { return make([]domain.EntryID, len(ids)) }

func TestChainsAndOrphans(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		org := kernel.NewID[kernel.OrganizationKind]()
		appendEntry(t, s, d, params{org: org})
		appendEntry(t, s, d, params{})
		chains, err := s.Chains(ctx)
		if err != nil || fmt.Sprint(chains) != fmt.Sprint([]string{org.String(), "platform"}) {
			t.Errorf("Chains = %v, %v", chains, err)
		}
		if _, err := d.QW(ctx).Exec(ctx, `DELETE FROM audit_chains WHERE chain = 'platform'`); err != nil {
			t.Fatal(err)
		}
		orphans, err := s.OrphanChains(ctx)
		if err != nil || fmt.Sprint(orphans) != "[platform]" {
			t.Errorf("OrphanChains = %v, %v", orphans, err)
		}
		// A chain with a head and no entries walks as just its head.
		err = d.Tx(ctx, func(ctx context.Context) error { _, err := s.LockHead(ctx, "org_empty"); return err })
		if err != nil {
			t.Fatal(err)
		}
		heads, entries := 0, 0
		err = s.WalkChain(ctx, "org_empty", func(h domain.Head) {
			heads++
			if h.LastSeq != 0 || string(h.LastHash) != string(domain.GenesisHash()) {
				t.Errorf("head = %+v", h)
			}
		}, func(domain.Entry) bool { entries++; return true })
		if err != nil || heads != 1 || entries != 0 {
			t.Errorf("WalkChain of an empty chain: %d heads, %d entries, %v", heads, entries, err)
		}
	})
}

func TestFirstSeqFromAndRange(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, d := setup(t, dialect)
		ctx := context.Background()
		for i := range 5 {
			appendEntry(t, s, d, params{at: t0.Add(time.Duration(i) * time.Hour)})
		}
		for _, tt := range []struct {
			after  int64
			at     time.Time
			want   int64
			wantOK bool
		}{
			{0, t0, 1, true},
			{0, t0.Add(90 * time.Minute), 3, true},
			{3, t0, 4, true},
			{0, t0.Add(10 * time.Hour), 0, false},
		} {
			seq, ok, err := s.FirstSeqFrom(ctx, "platform", tt.after, tt.at)
			if err != nil || seq != tt.want || ok != tt.wantOK {
				t.Errorf("FirstSeqFrom(%d, %v) = %d, %v, %v", tt.after, tt.at, seq, ok, err)
			}
		}
		var seqs []int64
		err := s.Range(ctx, "platform", 2, 4, func(e domain.Entry) bool { seqs = append(seqs, e.Seq); return true })
		if err != nil || fmt.Sprint(seqs) != "[2 3 4]" {
			t.Errorf("Range = %v, %v", seqs, err)
		}
	})
}
