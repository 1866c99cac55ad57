package db_test

import (
	"context"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// A statement a SQLite write transaction runs is prepared on the writer
// once the writer is free, and later transactions run it prepared, with
// the same results; scripts and DDL run as they are.
func TestWriteStatementsArePrepared(t *testing.T) {
	d := testdb.Open(t, db.SQLite)
	ctx := context.Background()
	if _, err := d.QW(ctx).Exec(ctx, `CREATE TABLE gadgets (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); CREATE INDEX gadgets_n ON gadgets (n)`); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO gadgets (id, n) VALUES ($1, $2) RETURNING n`
	add := func(id, n int) {
		t.Helper()
		err := d.Tx(ctx, func(ctx context.Context) error {
			var got int
			if err := d.Q(ctx).QueryRow(ctx, insert, id, n).Scan(&got); err != nil {
				return err
			}
			if got != n {
				t.Errorf("RETURNING n = %d, want %d", got, n)
			}
			changed, err := d.Q(ctx).Exec(ctx, `UPDATE gadgets SET n = n + 1 WHERE id = $1`, id)
			if changed != 1 {
				t.Errorf("updated %d rows", changed)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	add(1, 10)
	testdb.Eventually(t, "the insert prepared on the writer", func() bool { return db.WritePrepared(d, insert) })
	for i := 2; i <= 5; i++ {
		add(i, 10*i)
	}
	var sum int
	if err := d.Q(ctx).QueryRow(ctx, `SELECT SUM(n) FROM gadgets`).Scan(&sum); err != nil || sum != 155 {
		t.Fatalf("sum = %d, %v; want 155", sum, err)
	}
	// A script in a transaction is never prepared, and still runs whole.
	script := `INSERT INTO gadgets (id, n) VALUES (6, 1); INSERT INTO gadgets (id, n) VALUES (7, 1)`
	if err := d.Tx(ctx, func(ctx context.Context) error {
		_, err := d.Q(ctx).Exec(ctx, script)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM gadgets`).Scan(&n); err != nil || n != 7 {
		t.Fatalf("rows = %d, %v; want 7", n, err)
	}
	if db.WritePrepared(d, script) {
		t.Error("a script was prepared")
	}
}
