package eventbus_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

type thingCreated struct{ Name string }

func (thingCreated) EventName() string { return "test.thing.created" }

type thingDeleted struct{ Name string }

func (thingDeleted) EventName() string { return "test.thing.deleted" }

func setup(t *testing.T, dialect db.Dialect) (*db.DB, *eventbus.Bus) {
	t.Helper()
	d := testdb.Open(t, dialect)
	if _, err := d.QW(context.Background()).Exec(context.Background(), `CREATE TABLE log (entry TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return d, eventbus.New(d)
}

func entries(t *testing.T, d *db.DB) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := d.Q(ctx).Query(ctx, `SELECT entry FROM log ORDER BY entry`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestPublish_HandlersWriteInPublisherTransaction(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, bus := setup(t, dialect)
		write := func(ctx context.Context, s string) error {
			_, err := d.Q(ctx).Exec(ctx, `INSERT INTO log (entry) VALUES ($1)`, s)
			return err
		}
		eventbus.Subscribe(bus, "typed", func(ctx context.Context, e thingCreated) error {
			return write(ctx, "typed:"+e.Name)
		})
		bus.SubscribeAll("all", func(ctx context.Context, e kernel.Event) error {
			return write(ctx, "all:"+e.EventName())
		})
		var committed []string
		eventbus.OnCommit(bus, func(ctx context.Context, e thingCreated) { committed = append(committed, e.Name) })

		ctx := context.Background()
		if err := d.Tx(ctx, func(ctx context.Context) error {
			return bus.Publish(ctx, thingCreated{Name: "a"}, thingDeleted{Name: "a"})
		}); err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(entries(t, d))
		if want := "[all:test.thing.created all:test.thing.deleted typed:a]"; got != want {
			t.Errorf("entries = %s, want %s", got, want)
		}
		if fmt.Sprint(committed) != "[a]" {
			t.Errorf("on-commit handlers saw %v, want [a]", committed)
		}

		// Without a transaction, Publish opens its own.
		if err := bus.Publish(ctx, thingCreated{Name: "b"}); err != nil {
			t.Fatal(err)
		}
		if len(entries(t, d)) != 5 || fmt.Sprint(committed) != "[a b]" {
			t.Errorf("after implicit transaction: entries %v, committed %v", entries(t, d), committed)
		}
	})
}

func TestPublish_HandlerErrorRollsBackEverything(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, bus := setup(t, dialect)
		boom := errors.New("boom")
		eventbus.Subscribe(bus, "writer", func(ctx context.Context, e thingCreated) error {
			_, err := d.Q(ctx).Exec(ctx, `INSERT INTO log (entry) VALUES ($1)`, "handler")
			return err
		})
		eventbus.Subscribe(bus, "failing", func(ctx context.Context, e thingCreated) error { return boom })
		committed := false
		eventbus.OnCommit(bus, func(context.Context, thingCreated) { committed = true })

		ctx := context.Background()
		err := d.Tx(ctx, func(ctx context.Context) error {
			if _, err := d.Q(ctx).Exec(ctx, `INSERT INTO log (entry) VALUES ($1)`, "publisher"); err != nil {
				return err
			}
			return bus.Publish(ctx, thingCreated{Name: "x"})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v, want boom", err)
		}
		if got := entries(t, d); len(got) != 0 {
			t.Errorf("rolled back, yet entries = %v", got)
		}
		if committed {
			t.Error("on-commit handler ran after a rollback")
		}
	})
}

func TestOnCommit_NotRunWhenPublisherRollsBackLater(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d, bus := setup(t, dialect)
		committed := 0
		eventbus.OnCommit(bus, func(context.Context, thingCreated) { committed++ })
		err := d.Tx(context.Background(), func(ctx context.Context) error {
			if err := bus.Publish(ctx, thingCreated{}); err != nil {
				return err
			}
			return errors.New("later failure")
		})
		if err == nil || committed != 0 {
			t.Errorf("err = %v, committed = %d; want an error and 0", err, committed)
		}
	})
}
