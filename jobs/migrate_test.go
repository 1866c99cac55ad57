package jobs_test

import (
	"context"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

func TestMigrationSet(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d := testdb.Open(t, dialect)
		ctx := context.Background()
		set := jobs.MigrationSet(d)
		if set.Name() != "river" {
			t.Errorf("name = %q, want river", set.Name())
		}

		before, err := set.Status(ctx)
		if err != nil {
			t.Fatalf("status before up: %v", err)
		}
		if len(before) == 0 {
			t.Fatal("status lists no River versions")
		}
		for _, s := range before {
			if s.Applied {
				t.Errorf("version %d applied before up", s.Version)
			}
		}

		n, err := set.Up(ctx)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		if n != len(before) {
			t.Errorf("up applied %d, want %d", n, len(before))
		}
		if n, err := set.Up(ctx); err != nil || n != 0 {
			t.Errorf("second up applied %d, %v; want 0, nil", n, err)
		}
		after, err := set.Status(ctx)
		if err != nil {
			t.Fatalf("status after up: %v", err)
		}
		for _, s := range after {
			if !s.Applied || s.AppliedAt.IsZero() || s.Set != "river" || s.Name == "" {
				t.Errorf("after up: %+v, want applied with a time", s)
			}
		}

		ok, err := set.Down(ctx)
		if err != nil || !ok {
			t.Fatalf("down = %t, %v; want true, nil", ok, err)
		}
		st, err := set.Status(ctx)
		if err != nil {
			t.Fatalf("status after down: %v", err)
		}
		latest := before[len(before)-1].Version
		for _, s := range st {
			if s.Applied == (s.Version == latest) {
				t.Errorf("after one down: version %d applied = %t", s.Version, s.Applied)
			}
		}
		if n, err := set.Up(ctx); err != nil || n != 1 {
			t.Errorf("up after down applied %d, %v; want 1, nil", n, err)
		}
	})
}

func TestMigrator_UpTwiceIsANoOp(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d := testdb.Open(t, dialect)
		ctx := context.Background()
		m := db.NewMigrator(d, discard(), jobs.MigrationSet(d))
		for i := range 2 {
			if err := m.Up(ctx); err != nil {
				t.Fatalf("up #%d: %v", i+1, err)
			}
		}
		pending, err := m.Pending(ctx)
		if err != nil || pending != 0 {
			t.Errorf("pending = %d, %v; want 0, nil", pending, err)
		}
	})
}
