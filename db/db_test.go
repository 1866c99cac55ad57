package db_test

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

//go:embed testdata
var testdata embed.FS

type widgetKind struct{}

func (widgetKind) Prefix() string { return "wdg" }

type widgetID = kernel.ID[widgetKind]

func migrations(t *testing.T) db.Migrations {
	t.Helper()
	lite, err := fs.Sub(testdata, "testdata/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := fs.Sub(testdata, "testdata/postgres")
	if err != nil {
		t.Fatal(err)
	}
	return db.Migrations{Module: "widgets", SQLite: lite, Postgres: pg}
}

// setup opens a fresh database of the dialect with the widgets migrations
// applied.
func setup(t *testing.T, dialect db.Dialect) (*db.DB, *db.Migrator) {
	t.Helper()
	d := testdb.Open(t, dialect)
	set, err := d.GooseSet(migrations(t))
	if err != nil {
		t.Fatal(err)
	}
	m := db.NewMigrator(d, slog.New(slog.DiscardHandler), set)
	if err := m.Up(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, m
}

type widget struct {
	ID        widgetID
	Name      string
	Email     string
	Active    bool
	Score     int64
	Meta      []byte
	CreatedAt time.Time
	DeletedAt *time.Time
	Color     string
}

const insertWidget = `INSERT INTO widgets (id, name, email, active, score, meta, created_at, deleted_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`

func insert(ctx context.Context, q db.Querier, w widget) error {
	var meta any
	if w.Meta != nil {
		meta = string(w.Meta)
	}
	_, err := q.Exec(ctx, insertWidget, w.ID, w.Name, w.Email, w.Active, w.Score, meta, w.CreatedAt, w.DeletedAt)
	return err
}

func get(ctx context.Context, q db.Querier, id widgetID) (widget, error) {
	var w widget
	var meta *string
	err := q.QueryRow(ctx, `SELECT id, name, email, active, score, meta, created_at, deleted_at, color
FROM widgets WHERE id = $1`, id).Scan(&w.ID, &w.Name, &w.Email, &w.Active, &w.Score, &meta, &w.CreatedAt, &w.DeletedAt, &w.Color)
	if meta != nil {
		w.Meta = []byte(*meta)
	}
	return w, err
}

func newWidget(name string, at time.Time) widget {
	return widget{ID: kernel.NewID[widgetKind](), Name: name, Email: name + "@example.com", Active: true, CreatedAt: at}
}

func TestConformance_RoundTrip(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, _ := setup(t, dialect)
		ctx := context.Background()
		at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)
		deleted := at.Add(time.Hour)
		w := newWidget("alpha", at)
		w.Score, w.Active, w.DeletedAt, w.Meta = 42, false, &deleted, []byte(`{"a":1}`)
		if err := insert(ctx, d.QW(ctx), w); err != nil {
			t.Fatal(err)
		}
		got, err := get(ctx, d.Q(ctx), w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != w.ID || got.Name != w.Name || got.Active != w.Active || got.Score != w.Score || got.Color != "red" {
			t.Errorf("got %+v, want %+v", got, w)
		}
		if !got.CreatedAt.Equal(at) || got.CreatedAt.Location() != time.UTC {
			t.Errorf("created_at = %v (%v), want %v UTC", got.CreatedAt, got.CreatedAt.Location(), at)
		}
		if got.DeletedAt == nil || !got.DeletedAt.Equal(deleted) {
			t.Errorf("deleted_at = %v, want %v", got.DeletedAt, deleted)
		}
		if dialect == db.Postgres {
			if string(got.Meta) != `{"a": 1}` {
				t.Errorf("meta = %s", got.Meta)
			}
		} else if string(got.Meta) != `{"a":1}` {
			t.Errorf("meta = %s", got.Meta)
		}

		// NULLs: a nil *time.Time argument and scanning NULL back.
		w2 := newWidget("beta", at)
		if err := insert(ctx, d.QW(ctx), w2); err != nil {
			t.Fatal(err)
		}
		got2, err := get(ctx, d.Q(ctx), w2.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got2.DeletedAt != nil || got2.Meta != nil {
			t.Errorf("want NULLs, got deleted_at=%v meta=%v", got2.DeletedAt, got2.Meta)
		}

		if _, err := get(ctx, d.Q(ctx), kernel.NewID[widgetKind]()); !errors.Is(err, db.ErrNoRows) {
			t.Errorf("missing row: err = %v, want ErrNoRows", err)
		}
	})
}

func TestConformance_TimesCompareAndSort(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, _ := setup(t, dialect)
		ctx := context.Background()
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		// Offsets chosen so a naive text format would mis-sort them
		// (whole seconds vs fractions, and a non-UTC zone).
		offsets := []time.Duration{1500 * time.Millisecond, time.Second, 999 * time.Microsecond, 0, 2 * time.Second}
		ids := map[time.Duration]widgetID{}
		for i, off := range offsets {
			w := newWidget(fmt.Sprintf("w%d", i), base.Add(off).In(time.FixedZone("X", -3*3600)))
			ids[off] = w.ID
			if err := insert(ctx, d.QW(ctx), w); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := d.Q(ctx).Query(ctx, `SELECT id FROM widgets WHERE created_at > $1 ORDER BY created_at`, base)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []widgetID
		for rows.Next() {
			var id widgetID
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			got = append(got, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		want := []widgetID{ids[999*time.Microsecond], ids[time.Second], ids[1500*time.Millisecond], ids[2*time.Second]}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("order = %v, want %v", got, want)
		}
	})
}

func TestConformance_ConstraintErrors(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, _ := setup(t, dialect)
		ctx := context.Background()
		w := newWidget("gamma", time.Now())
		if err := insert(ctx, d.QW(ctx), w); err != nil {
			t.Fatal(err)
		}

		dup := newWidget("gamma", time.Now()) // same email
		err := insert(ctx, d.QW(ctx), dup)
		ce, ok := db.IsConstraint(err, db.Unique)
		if !ok {
			t.Fatalf("duplicate email: err = %v, want unique violation", err)
		}
		if !ce.Mentions("email") {
			t.Errorf("constraint %q does not mention email", ce.Constraint)
		}

		_, err = d.QW(ctx).Exec(ctx, `INSERT INTO parts (id, widget_id) VALUES ($1, $2)`, "p1", "wdg_missing")
		if _, ok := db.IsConstraint(err, db.ForeignKey); !ok {
			t.Errorf("dangling reference: err = %v, want foreign key violation", err)
		}

		_, err = d.QW(ctx).Exec(ctx, `UPDATE widgets SET score = -1 WHERE id = $1`, w.ID)
		if _, ok := db.IsConstraint(err, db.Check); !ok {
			t.Errorf("negative score: err = %v, want check violation", err)
		}

		_, err = d.QW(ctx).Exec(ctx, `UPDATE widgets SET name = NULL WHERE id = $1`, w.ID)
		if _, ok := db.IsConstraint(err, db.NotNull); !ok {
			t.Errorf("null name: err = %v, want not-null violation", err)
		}
	})
}

func TestConformance_UnitOfWork(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, _ := setup(t, dialect)
		ctx := context.Background()
		boom := errors.New("boom")

		// An error rolls back everything, nested Tx included, and skips hooks.
		rolledBack := newWidget("rolled", time.Now())
		hookRan := false
		err := d.Tx(ctx, func(ctx context.Context) error {
			if !db.InTx(ctx) {
				t.Error("InTx is false inside Tx")
			}
			if err := insert(ctx, d.Q(ctx), rolledBack); err != nil {
				return err
			}
			db.AfterCommit(ctx, func(context.Context) { hookRan = true })
			return d.Tx(ctx, func(ctx context.Context) error { return boom })
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		if hookRan {
			t.Error("after-commit hook ran on rollback")
		}
		if _, err := get(ctx, d.Q(ctx), rolledBack.ID); !errors.Is(err, db.ErrNoRows) {
			t.Errorf("rolled-back row is visible: %v", err)
		}

		// A panic rolls back too, and the writer is released afterwards.
		panicked := newWidget("panicked", time.Now())
		func() {
			defer func() { _ = recover() }()
			_ = d.Tx(ctx, func(ctx context.Context) error {
				if err := insert(ctx, d.Q(ctx), panicked); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if _, err := get(ctx, d.Q(ctx), panicked.ID); !errors.Is(err, db.ErrNoRows) {
			t.Errorf("row written before a panic is visible: %v", err)
		}

		// A commit makes the write visible outside, then runs hooks in order.
		committed := newWidget("committed", time.Now())
		var order []string
		err = d.Tx(ctx, func(ctx context.Context) error {
			if err := insert(ctx, d.Q(ctx), committed); err != nil {
				return err
			}
			db.AfterCommit(ctx, func(ctx context.Context) {
				if _, err := get(ctx, d.Q(ctx), committed.ID); err != nil {
					t.Errorf("hook cannot see the committed row: %v", err)
				}
				order = append(order, "first")
			})
			return d.Tx(ctx, func(ctx context.Context) error {
				db.AfterCommit(ctx, func(context.Context) { order = append(order, "nested") })
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(order) != "[first nested]" {
			t.Errorf("hooks ran %v, want [first nested]", order)
		}

		// Without a transaction a hook runs at once.
		ran := false
		db.AfterCommit(ctx, func(context.Context) { ran = true })
		if !ran {
			t.Error("hook outside a transaction did not run")
		}
	})
}

// TestConformance_ConcurrentIncrements checks that read-modify-write in
// transactions never loses an update on either dialect.
func TestConformance_ConcurrentIncrements(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, _ := setup(t, dialect)
		ctx := context.Background()
		w := newWidget("counter", time.Now())
		if err := insert(ctx, d.QW(ctx), w); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 25
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					err := d.Tx(ctx, func(ctx context.Context) error {
						var score int64
						if err := d.Q(ctx).QueryRow(ctx, `SELECT score FROM widgets WHERE id = $1`+d.ForUpdate(), w.ID).Scan(&score); err != nil {
							return err
						}
						_, err := d.Q(ctx).Exec(ctx, `UPDATE widgets SET score = $1 WHERE id = $2`, score+1, w.ID)
						return err
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		got, err := get(ctx, d.Q(ctx), w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Score != workers*each {
			t.Errorf("score = %d, want %d", got.Score, workers*each)
		}
	})
}

func TestMigrator_UpDownStatus(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, m := setup(t, dialect)
		ctx := context.Background()

		if err := m.Up(ctx); err != nil { // second Up is a no-op
			t.Fatal(err)
		}
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) != 2 || !st[0].Applied || !st[1].Applied || st[1].Name != "00002_widget_color.sql" || st[0].Set != "widgets" {
			t.Fatalf("status = %+v", st)
		}
		if n, _ := m.Pending(ctx); n != 0 {
			t.Errorf("pending = %d, want 0", n)
		}

		set, err := m.Down(ctx)
		if err != nil || set != "widgets" {
			t.Fatalf("down = %q, %v", set, err)
		}
		if n, _ := m.Pending(ctx); n != 1 {
			t.Errorf("pending after down = %d, want 1", n)
		}
		if _, err := d.Q(ctx).Exec(ctx, `SELECT color FROM widgets`); err == nil {
			t.Error("column color still exists after down")
		}
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
		if set, err := m.Down(ctx); err != nil || set != "" {
			t.Errorf("down with nothing applied = %q, %v", set, err)
		}
		if err := m.Up(ctx); err != nil {
			t.Fatal(err)
		}
		if n, _ := m.Pending(ctx); n != 0 {
			t.Errorf("pending after up = %d", n)
		}
	})
}

func TestMigrator_ConcurrentUp(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		opts := testdb.Options(t, dialect)
		ctx := context.Background()
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				d, err := db.Open(ctx, opts)
				if err != nil {
					t.Error(err)
					return
				}
				defer d.Close()
				set, err := d.GooseSet(migrations(t))
				if err != nil {
					t.Error(err)
					return
				}
				if err := db.NewMigrator(d, slog.New(slog.DiscardHandler), set).Up(ctx); err != nil {
					t.Errorf("concurrent up: %v", err)
				}
			})
		}
		wg.Wait()
	})
}

// TestConformance_LockKey: count-then-insert under LockKey never passes
// a cap, on either dialect, with no row standing for the count; outside a
// transaction LockKey refuses.
func TestConformance_LockKey(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, _ := setup(t, dialect)
		ctx := context.Background()
		if err := d.LockKey(ctx, "k"); !errors.Is(err, db.ErrNoTx) {
			t.Fatalf("outside a transaction: %v", err)
		}
		const workers, each, capacity = 8, 5, 10
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range each {
					err := d.Tx(ctx, func(ctx context.Context) error {
						if err := d.LockKey(ctx, "capped widgets"); err != nil {
							return err
						}
						var n int
						if err := d.Q(ctx).QueryRow(ctx, `SELECT count(*) FROM widgets WHERE name = 'capped'`).Scan(&n); err != nil {
							return err
						}
						if n >= capacity {
							return nil
						}
						w := newWidget("capped", time.Now())
						w.Email = w.ID.String() + "@example.com"
						return insert(ctx, d.Q(ctx), w)
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		var n int
		if err := d.Q(ctx).QueryRow(ctx, `SELECT count(*) FROM widgets WHERE name = 'capped'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != capacity {
			t.Errorf("%d rows, want exactly %d", n, capacity)
		}
	})
}

// TestObserve: the observer sees each statement with its context, in a
// transaction and out, until stopped.
func TestObserve(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, _ := setup(t, dialect)
		type key struct{}
		ctx := context.WithValue(context.Background(), key{}, "mine")
		var (
			mu   sync.Mutex
			seen []string
		)
		stop := d.Observe(func(ctx context.Context, statement string) {
			if ctx.Value(key{}) == "mine" {
				mu.Lock()
				seen = append(seen, statement)
				mu.Unlock()
			}
		})
		if err := insert(ctx, d.QW(ctx), newWidget("observed", time.Now())); err != nil {
			t.Fatal(err)
		}
		err := d.Tx(ctx, func(ctx context.Context) error {
			var n int
			return d.Q(ctx).QueryRow(ctx, `SELECT count(*) FROM widgets`).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		stop()
		if _, err := d.QW(ctx).Exec(ctx, `DELETE FROM widgets`); err != nil {
			t.Fatal(err)
		}
		if len(seen) != 2 || seen[1] != `SELECT count(*) FROM widgets` {
			t.Errorf("seen = %q", seen)
		}
	})
}

// requireBusy fails unless err is db.ErrBusy: a retryable Unavailable
// with Retry-After, the driver's error its cause.
func requireBusy(t *testing.T, err error) {
	t.Helper()
	ke := kernel.AsError(err)
	if ke == nil || ke.Kind != kernel.KindUnavailable || ke.Code != "db.busy" || ke.RetryAfterSeconds < 1 || errors.Unwrap(ke) == nil {
		t.Fatalf("err = %v, want db.busy with Retry-After and a cause", err)
	}
}

// TestConformance_LostRacesAreBusy provokes the real thing on each
// dialect — a deadlock and a serialization failure on PostgreSQL, a locked
// file on SQLite — and gets the retryable db.busy, never a bare driver
// error (which would be a 500).
func TestConformance_LostRacesAreBusy(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		ctx := context.Background()
		if dialect == db.SQLite {
			opts := testdb.Options(t, dialect)
			opts.BusyTimeout = 200 * time.Millisecond
			d, err := db.Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			// Another program holds the write lock on the file.
			raw, err := sql.Open("sqlite", "file:"+opts.SQLitePath)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			conn, err := raw.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
				t.Fatal(err)
			}
			defer conn.ExecContext(ctx, "ROLLBACK") //nolint:errcheck
			requireBusy(t, d.Tx(ctx, func(ctx context.Context) error {
				_, err := d.Q(ctx).Exec(ctx, `CREATE TABLE t (x INTEGER)`)
				return err
			}))
			return
		}

		d, _ := setup(t, dialect)
		a, b := newWidget("a", time.Now()), newWidget("b", time.Now())
		for _, w := range []widget{a, b} {
			if err := insert(ctx, d.QW(ctx), w); err != nil {
				t.Fatal(err)
			}
		}
		// A deadlock: each transaction holds one row and wants the other's.
		var locked sync.WaitGroup // both hold their first row before either asks for the second
		locked.Add(2)
		tx := func(first, second widgetID) error {
			return d.Tx(ctx, func(ctx context.Context) error {
				if _, err := d.Q(ctx).Exec(ctx, `UPDATE widgets SET score = score + 1 WHERE id = $1`, first); err != nil {
					locked.Done()
					return err
				}
				locked.Done()
				locked.Wait()
				_, err := d.Q(ctx).Exec(ctx, `UPDATE widgets SET score = score + 1 WHERE id = $1`, second)
				return err
			})
		}
		errs := make(chan error, 2)
		go func() { errs <- tx(a.ID, b.ID) }()
		go func() { errs <- tx(b.ID, a.ID) }()
		e1, e2 := <-errs, <-errs
		if (e1 == nil) == (e2 == nil) {
			t.Fatalf("deadlock: %v and %v, want exactly one to lose", e1, e2)
		}
		requireBusy(t, errors.Join(e1, e2))

		// A serialization failure: two SERIALIZABLE transactions each read
		// what the other writes.
		var started sync.WaitGroup
		started.Add(2)
		ser := func(name string) error {
			return d.Tx(ctx, func(ctx context.Context) error {
				if _, err := d.Q(ctx).Exec(ctx, `SET TRANSACTION ISOLATION LEVEL SERIALIZABLE`); err != nil {
					return err
				}
				var n int
				if err := d.Q(ctx).QueryRow(ctx, `SELECT count(*) FROM widgets WHERE name LIKE 'ser%'`).Scan(&n); err != nil {
					return err
				}
				started.Done()
				started.Wait()
				w := newWidget(name, time.Now())
				return insert(ctx, d.Q(ctx), w)
			})
		}
		go func() { errs <- ser("ser1") }()
		go func() { errs <- ser("ser2") }()
		e1, e2 = <-errs, <-errs
		if (e1 == nil) == (e2 == nil) {
			t.Fatalf("serialization: %v and %v, want exactly one to lose", e1, e2)
		}
		requireBusy(t, errors.Join(e1, e2))
	})
}
