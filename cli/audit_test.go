package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/config"
	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/module"
	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// openAuditDB opens the database e points at, with the audit tables.
func openAuditDB(t *testing.T, e env) *db.DB {
	t.Helper()
	cfg, err := config.Load(e.lookup)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: cfg.Database.URL, SQLitePath: cfg.Database.SQLitePath()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// seedAudit migrates the audit tables and records entries: two in an
// organization's chain, one in the platform's, all at at.
func seedAudit(t *testing.T, d *db.DB, at time.Time) kernel.OrganizationID {
	t.Helper()
	ctx := context.Background()
	m, err := audit.New(audit.Deps{Services: module.Services{DB: d, Clock: kernel.ClockFunc(func() time.Time { return at })}})
	if err != nil {
		t.Fatal(err)
	}
	mig := m.Migrations()
	mig.Module = m.Name()
	set, err := d.GooseSet(mig)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Up(ctx); err != nil {
		t.Fatal(err)
	}
	org := kernel.NewID[kernel.OrganizationKind]()
	for _, o := range []kernel.OrganizationID{org, org, {}} {
		if err := m.Record(ctx, audit.Entry{Action: "member.added", OrganizationID: o}); err != nil {
			t.Fatal(err)
		}
	}
	return org
}

func TestRun_AuditUsageErrors(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"audit"}, {"audit", "sideways"}, {"audit", "verify", "extra"}, {"audit", "verify", "--days", "3"},
		{"audit", "prune"}, {"audit", "prune", "--days", "0"}, {"audit", "prune", "--days", "many"},
	} {
		code, _, stderr := runCmd(t, context.Background(), env{"DATA_DIR": t.TempDir()}, args...)
		if code != exitUsage || !strings.Contains(stderr, "groundwork help") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a usage hint", args, code, stderr)
		}
	}
	code, _, stderr := runCmd(t, context.Background(), env{"DATA_DIR": t.TempDir(), "AUDIT_RETENTION_DAYS": "-1"}, "audit", "verify")
	if code != exitUsage || !strings.Contains(stderr, "AUDIT_RETENTION_DAYS") {
		t.Errorf("bad retention: exit %d, stderr %q", code, stderr)
	}
	code, out, _ := runCmd(t, context.Background(), env{}, "help")
	if code != exitOK || !strings.Contains(out, "audit verify") {
		t.Errorf("help does not mention audit verify: %q", out)
	}
}

func TestRun_AuditVerify(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		e := envFor(t, dialect)
		d := openAuditDB(t, e)

		code, _, stderr := runCmd(t, ctx, e, "audit", "verify")
		if code != exitFailed || !strings.Contains(stderr, "migrate up") {
			t.Fatalf("verify before migrating: exit %d, stderr %q; want 1 and a hint", code, stderr)
		}

		org := seedAudit(t, d, time.Now().UTC())
		code, out, stderr := runCmd(t, ctx, e, "audit", "verify")
		if code != exitOK || !strings.Contains(out, "intact: 2 chains, 3 entries") || !strings.Contains(out, org.String()) {
			t.Fatalf("verify: exit %d\n%s%s", code, out, stderr)
		}

		// Someone with database access changes an entry.
		q := d.QW(ctx)
		disable := []string{`DROP TRIGGER audit_entries_no_update`}
		if dialect == db.Postgres {
			disable = []string{`ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only`}
		}
		for _, s := range disable {
			if _, err := q.Exec(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := q.Exec(ctx, `UPDATE audit_entries SET action = 'member.removed' WHERE chain = $1 AND seq = 2`, org.String()); err != nil {
			t.Fatal(err)
		}
		code, out, stderr = runCmd(t, ctx, e, "audit", "verify")
		if code != exitFailed {
			t.Fatalf("verify after tampering: exit %d, want 1\n%s%s", code, out, stderr)
		}
		line := ""
		for l := range strings.Lines(out) {
			if strings.HasPrefix(l, org.String()) {
				line = l
			}
		}
		if !strings.Contains(line, "broken") || !strings.Contains(line, "at seq 2 (aud_") || !strings.Contains(line, "changed after it was written") ||
			!strings.Contains(stderr, "1 of 2 chains") {
			t.Errorf("verify after tampering:\n%s%s", out, stderr)
		}
	})
}

func TestRun_AuditPrune(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		e := envFor(t, dialect)
		e["AUDIT_RETENTION_DAYS"] = "30"
		d := openAuditDB(t, e)
		// Each seed is an organization's two entries and one platform entry.
		seedAudit(t, d, time.Now().UTC().AddDate(0, 0, -40))
		seedAudit(t, d, time.Now().UTC().AddDate(0, 0, -20))

		code, out, stderr := runCmd(t, ctx, e, "audit", "prune")
		if code != exitOK || !strings.Contains(out, "pruned 3 entries") || !strings.Contains(out, "from 2 chains") {
			t.Fatalf("prune: exit %d\n%s%s", code, out, stderr)
		}
		code, out, stderr = runCmd(t, ctx, e, "audit", "prune", "--days", "10")
		if code != exitOK || !strings.Contains(out, "pruned 3 entries") {
			t.Fatalf("prune --days 10: exit %d\n%s%s", code, out, stderr)
		}
		code, out, stderr = runCmd(t, ctx, e, "audit", "verify")
		if code != exitOK || !strings.Contains(out, "pruned through") || !strings.Contains(out, "3 chains, 0 entries") {
			t.Fatalf("verify after pruning: exit %d\n%s%s", code, out, stderr)
		}
	})
}
