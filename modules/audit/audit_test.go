package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/testkit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func TestNew(t *testing.T) {
	t.Parallel()
	if _, err := audit.New(audit.Deps{}); err == nil {
		t.Error("New without a database succeeded")
	}
	d := testdb.Open(t, db.SQLite)
	if _, err := audit.New(audit.Deps{Services: module.Services{DB: d}, RetentionDays: -1}); err == nil {
		t.Error("New with a negative retention succeeded")
	}
	m, err := audit.New(audit.Deps{Services: module.Services{DB: d}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Name() != "audit" {
		t.Errorf("Name = %q", m.Name())
	}
	if p := m.Permissions(); len(p) != 1 || p[0].Name != "audit:read" || p[0].Description == "" {
		t.Errorf("Permissions = %+v", p)
	}
}

func TestRolledBackActionLeavesNoEntry(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect, 0)
		onThingDone(b.m, b.bus)
		ctx := context.Background()
		org := kernel.NewID[kernel.OrganizationKind]()
		boom := errors.New("the action failed")

		// Recorded directly, in a transaction that then fails.
		err := b.db.Tx(ctx, func(ctx context.Context) error {
			if err := b.m.Record(ctx, audit.Entry{Action: "thing.done", OrganizationID: org}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v", err)
		}
		// Recorded by a listener, in the publisher's transaction, which
		// then fails.
		err = b.db.Tx(ctx, func(ctx context.Context) error {
			if err := b.bus.Publish(ctx, thingDone{Org: org, Name: "a"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v", err)
		}
		if n := b.count(t, org.String()); n != 0 {
			t.Fatalf("%d entries after rolled-back actions, want 0", n)
		}

		// An entry that cannot be recorded fails the publisher.
		err = b.bus.Publish(ctx, thingDone{Org: org, Name: strings.Repeat("x", 300)})
		if kernel.CodeOf(err) != "audit.invalid_entry" {
			t.Errorf("Publish of an unrecordable entry = %v, want audit.invalid_entry", err)
		}

		// Committed, the action and its entry are both there, and the
		// chain starts at seq 1: the rolled-back entries left no trace.
		if err := b.bus.Publish(ctx, thingDone{Org: org, Name: "b"}); err != nil {
			t.Fatal(err)
		}
		if err := b.bus.Publish(ctx, thingDone{Org: org, Name: "c", Skip: true}); err != nil {
			t.Fatal(err)
		}
		var action string
		var seq int64
		if err := b.db.Q(ctx).QueryRow(ctx, `SELECT action, seq FROM audit_entries WHERE chain = $1`, org.String()).Scan(&action, &seq); err != nil {
			t.Fatal(err)
		}
		if action != "things.thing.done" || seq != 1 {
			t.Errorf("entry: action %q seq %d; want the event name and 1", action, seq)
		}
		verifyIntact(t, b)
	})
}

func verifyIntact(t testing.TB, b bundle) audit.Report {
	t.Helper()
	r, err := b.m.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Intact() {
		t.Fatalf("the log is broken: %v", r.Broken())
	}
	return r
}

func TestVerifyCatchesTampering(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		for _, tt := range []struct {
			name   string
			query  string
			seq    int64
			reason string
		}{
			{"edited metadata", `UPDATE audit_entries SET metadata = '{"role":"owner"}' WHERE chain = $1 AND seq = 3`, 3, "changed after it was written"},
			{"edited time", `UPDATE audit_entries SET occurred_at = occurred_at - interval '1 day' WHERE chain = $1 AND seq = 2`, 2, "changed after it was written"},
			{"edited actor", `UPDATE audit_entries SET actor_id = 'usr_someone_else' WHERE chain = $1 AND seq = 4`, 4, "changed after it was written"},
			{"deleted", `DELETE FROM audit_entries WHERE chain = $1 AND seq = 2`, 2, "entry 2 is missing"},
			{"truncated", `DELETE FROM audit_entries WHERE chain = $1 AND seq >= 4`, 4, "the end of the chain, are missing"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, dialect, 0)
				org, other := kernel.NewID[kernel.OrganizationKind](), kernel.NewID[kernel.OrganizationKind]()
				for i := range 5 {
					b.record(t, org, "member.role_changed", map[string]any{"role": "member", "i": i})
					b.record(t, other, "member.role_changed", nil)
					b.record(t, kernel.OrganizationID{}, "user.signed_in", nil)
				}
				verifyIntact(t, b)
				query := tt.query
				if dialect == db.SQLite {
					query = strings.ReplaceAll(query, "occurred_at - interval '1 day'", "'2020-01-01 00:00:00.000000+00:00'")
				}
				var id string
				_ = b.db.Q(context.Background()).QueryRow(context.Background(),
					`SELECT id FROM audit_entries WHERE chain = $1 AND seq = $2`, org.String(), tt.seq).Scan(&id)
				b.tamper(t, query, org.String())

				r, err := b.m.Verify(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				broken := r.Broken()
				if r.Intact() || len(broken) != 1 {
					t.Fatalf("broken links %v, want one", broken)
				}
				br := broken[0]
				if br.Chain != org.String() || br.Seq != tt.seq || !strings.Contains(br.Reason, tt.reason) {
					t.Errorf("break = %+v; want chain %s seq %d reason %q", br, org, tt.seq, tt.reason)
				}
				if strings.Contains(tt.reason, "missing") != br.EntryID.IsZero() || (!br.EntryID.IsZero() && br.EntryID.String() != id) {
					t.Errorf("break names entry %q; the entry at seq %d is %q", br.EntryID, tt.seq, id)
				}
				if len(r.Chains) != 3 {
					t.Errorf("%d chains reported, want 3", len(r.Chains))
				}
			})
		}
	})
}

func TestSecretsAreNeverStored(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect, 0)
		onThingDone(b.m, b.bus)
		ctx := context.Background()
		org := kernel.NewID[kernel.OrganizationKind]()
		b.record(t, org, "user.password_changed", map[string]any{
			"newPassword": "correct horse battery", "session": map[string]any{"token": "tok_1234567890"},
			"apiKey": "sk_live_abcdef", "headers": []any{map[string]any{"Authorization": "Bearer xyz"}}, "kept": "visible",
		})
		if err := b.bus.Publish(ctx, thingDone{Org: org, Name: "n", Password: "p@ssw0rd!"}); err != nil {
			t.Fatal(err)
		}
		rows, err := b.db.Q(ctx).Query(ctx, `SELECT metadata FROM audit_entries`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var all []string
		for rows.Next() {
			var m string
			if err := rows.Scan(&m); err != nil {
				t.Fatal(err)
			}
			all = append(all, m)
		}
		stored := strings.Join(all, "\n")
		for _, secret := range []string{"correct horse", "tok_1234567890", "sk_live_abcdef", "Bearer xyz", "p@ssw0rd!"} {
			if strings.Contains(stored, secret) {
				t.Errorf("the secret %q is stored: %s", secret, stored)
			}
		}
		var kept, redacted int
		var walk func(key string, v any)
		walk = func(key string, v any) {
			switch v := v.(type) {
			case map[string]any:
				for k, e := range v {
					walk(k, e)
				}
			case []any:
				for _, e := range v {
					walk(key, e)
				}
			case string:
				if key == "kept" && v == "visible" {
					kept++
				}
				if v == "[REDACTED]" {
					redacted++
				}
			}
		}
		for _, m := range all {
			var meta any
			if err := json.Unmarshal([]byte(m), &meta); err != nil {
				t.Fatalf("stored metadata %s: %v", m, err)
			}
			walk("", meta)
		}
		if kept != 1 || redacted != 5 {
			t.Errorf("stored metadata: %d kept, %d redacted, want 1 and 5: %s", kept, redacted, stored)
		}
		verifyIntact(t, b)
	})
}

func TestConcurrentRecordsKeepTheChainWhole(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect, 0)
		org := kernel.NewID[kernel.OrganizationKind]()
		const workers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		start := make(chan struct{})
		for w := range workers {
			wg.Go(func() {
				<-start // all at once, so the chain's creation races too
				for i := range each {
					o := org
					if i%5 == 0 {
						o = kernel.OrganizationID{} // and the platform chain in between
					}
					errs <- b.m.Record(context.Background(), audit.Entry{
						Action: "thing.done", OrganizationID: o, Metadata: map[string]any{"worker": w, "i": i},
					})
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		r := verifyIntact(t, b)
		got := map[string]int64{}
		for _, c := range r.Chains {
			got[c.Chain] = c.LastSeq
			if c.Entries != c.LastSeq {
				t.Errorf("chain %s: %d entries verified up to seq %d", c.Chain, c.Entries, c.LastSeq)
			}
		}
		if got[org.String()] != workers*each*4/5 || got["platform"] != workers*each/5 {
			t.Errorf("chains end at %v", got)
		}
		if n := b.count(t, org.String()); n != workers*each*4/5 {
			t.Errorf("%d entries in the organization's chain", n)
		}
	})
}

func TestPruneAnchorsTheChain(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect, 0)
		ctx := context.Background()
		org := kernel.NewID[kernel.OrganizationKind]()
		// One entry a day for five days, and on day 3 a late one (seq 4)
		// stamped a day behind: a cutoff between day 2 and day 3 stops at
		// seq 3, so the late entry is kept though it is older.
		for day := range 5 {
			b.clock.Set(t0.AddDate(0, 0, day))
			b.record(t, org, "thing.done", nil)
			b.record(t, kernel.OrganizationID{}, "thing.done", nil)
			if day == 2 {
				b.clock.Set(t0.AddDate(0, 0, 1))
				b.record(t, org, "thing.late", nil)
			}
		}
		res, err := b.m.Prune(ctx, t0.AddDate(0, 0, 1).Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if res.Entries != 4 || res.Chains != 2 {
			t.Errorf("Prune = %+v, want 4 entries from 2 chains", res)
		}
		r := verifyIntact(t, b)
		anchors := map[string]int64{}
		for _, c := range r.Chains {
			anchors[c.Chain] = c.AnchorSeq
		}
		if anchors[org.String()] != 2 || anchors["platform"] != 2 {
			t.Errorf("anchors = %v", anchors)
		}
		if n := b.count(t, org.String()); n != 4 {
			t.Errorf("%d entries left in the organization's chain, want 4", n)
		}

		// A cutoff after day 3 takes seq 3 and the late seq 4 with it.
		if res, err := b.m.Prune(ctx, t0.AddDate(0, 0, 2).Add(time.Hour)); err != nil || res.Entries != 3 {
			t.Errorf("second Prune = %+v, %v; want 3 entries", res, err)
		}
		if res, err := b.m.Prune(ctx, t0.AddDate(0, 0, 2).Add(time.Hour)); err != nil || res.Entries != 0 {
			t.Errorf("Prune again = %+v, %v; want nothing", res, err)
		}
		verifyIntact(t, b)

		// Everything goes; the chain carries on from its anchor.
		if _, err := b.m.Prune(ctx, t0.AddDate(1, 0, 0)); err != nil {
			t.Fatal(err)
		}
		if n := b.count(t, org.String()); n != 0 {
			t.Errorf("%d entries left", n)
		}
		verifyIntact(t, b)
		b.record(t, org, "thing.after", nil)
		r = verifyIntact(t, b)
		for _, c := range r.Chains {
			if c.Chain == org.String() && (c.AnchorSeq != 6 || c.LastSeq != 7 || c.Entries != 1) {
				t.Errorf("after pruning all: %+v", c)
			}
		}
	})
}

func TestPruneKeepsABrokenPrefix(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect, 0)
		org := kernel.NewID[kernel.OrganizationKind]()
		for range 4 {
			b.record(t, org, "thing.done", nil)
		}
		b.tamper(t, `UPDATE audit_entries SET action = 'thing.hidden' WHERE chain = $1 AND seq = 2`, org.String())
		_, err := b.m.Prune(context.Background(), t0.Add(time.Hour))
		if kernel.CodeOf(err) != "audit.chain_broken" {
			t.Errorf("Prune = %v, want audit.chain_broken", err)
		}
		if n := b.count(t, org.String()); n != 4 {
			t.Errorf("%d entries left, want all 4 kept as evidence", n)
		}
		r, _ := b.m.Verify(context.Background())
		if br := r.Broken(); len(br) != 1 || br[0].Seq != 2 {
			t.Errorf("broken = %v", br)
		}
	})
}

func TestRetentionJobPrunes(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect, 30)
		ctx := context.Background()
		if _, err := jobs.MigrationSet(b.db).Up(ctx); err != nil {
			t.Fatal(err)
		}
		org := kernel.NewID[kernel.OrganizationKind]()
		b.clock.Set(t0.AddDate(0, 0, -40))
		b.record(t, org, "thing.old", nil)
		b.clock.Set(t0.AddDate(0, 0, -10))
		b.record(t, org, "thing.recent", nil)
		b.clock.Set(t0)

		reg := jobs.NewRegistry()
		b.m.Workers(reg)
		client, err := jobs.New(b.db, reg, jobs.Config{Work: true, FetchPollInterval: 50 * time.Millisecond}, nil)
		if err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithCancel(ctx)
		t.Cleanup(func() {
			cancel()
			_ = client.Stop(context.Background())
		})
		if err := client.Start(runCtx); err != nil {
			t.Fatal(err)
		}
		// The job runs once as soon as the client leads.
		testkit.Eventually(t, "the retention job prunes", func() bool { return b.count(t, org.String()) == 1 })
		var action string
		if err := b.db.Q(ctx).QueryRow(ctx, `SELECT action FROM audit_entries`).Scan(&action); err != nil || action != "thing.recent" {
			t.Errorf("kept %q, %v; want thing.recent", action, err)
		}
		verifyIntact(t, b)
	})
}

func TestVerifyDB(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		d := testdb.Open(t, dialect)
		if _, err := audit.VerifyDB(ctx, d); kernel.CodeOf(err) != "audit.not_migrated" {
			t.Errorf("VerifyDB before migrating = %v, want audit.not_migrated", err)
		}
		b := setupOn(t, d, 0)
		b.record(t, kernel.OrganizationID{}, "thing.done", nil)
		r, err := audit.VerifyDB(ctx, d)
		if err != nil || !r.Intact() || len(r.Chains) != 1 {
			t.Errorf("VerifyDB = %+v, %v", r, err)
		}
		if _, err := audit.PruneDB(ctx, d, t0.Add(time.Hour), nil); err != nil {
			t.Fatal(err)
		}
		if n := b.count(t, "platform"); n != 0 {
			t.Errorf("%d entries after PruneDB", n)
		}
	})
}

func TestChainHeadDeletedIsReported(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		b := setup(t, dialect, 0)
		b.record(t, kernel.OrganizationID{}, "thing.done", nil)
		ctx := context.Background()
		if _, err := b.db.QW(ctx).Exec(ctx, `DELETE FROM audit_chains`); err != nil {
			t.Fatal(err)
		}
		r, err := b.m.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if br := r.Broken(); len(br) != 1 || br[0].Chain != "platform" || !strings.Contains(br[0].Reason, "no head") {
			t.Errorf("broken = %v", br)
		}
	})
}

// BenchmarkRecord measures entries recorded per second on one chain, each
// in its own transaction: one writer at a time, and many at once (which on
// PostgreSQL queue on the chain's head).
func BenchmarkRecord(b *testing.B) {
	for _, dialect := range testdb.Dialects() {
		for _, parallel := range []bool{false, true} {
			name := string(dialect) + "/serial"
			if parallel {
				name = string(dialect) + "/parallel"
			}
			b.Run(name, func(b *testing.B) {
				bb := setup(b, dialect, 0)
				org := kernel.NewID[kernel.OrganizationKind]()
				ctx := context.Background()
				e := audit.Entry{Action: "member.role_changed", OrganizationID: org, TargetType: "user", TargetID: "usr_x",
					Metadata: map[string]any{"from": "member", "to": "admin"}}
				b.ReportAllocs()
				b.ResetTimer()
				if parallel {
					b.SetParallelism(4)
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := bb.m.Record(ctx, e); err != nil {
								b.Error(err)
								return
							}
						}
					})
				} else {
					for b.Loop() {
						if err := bb.m.Record(ctx, e); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
				b.StopTimer()
				if n := bb.count(b, org.String()); n != b.N {
					b.Fatalf("%d entries, want %d", n, b.N)
				}
			})
		}
	}
}
