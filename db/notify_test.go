package db_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// heard records what a subscriber heard, lost messages as "<lost>".
type heard struct {
	mu  sync.Mutex
	got []string
}

func (h *heard) subscriber(payload string, lost bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if lost {
		payload = "<lost>"
	}
	h.got = append(h.got, payload)
}

// messages returns what was heard, without the lost marks.
func (h *heard) messages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, s := range h.got {
		if s != "<lost>" {
			out = append(out, s)
		}
	}
	return out
}

func (h *heard) lost() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, s := range h.got {
		if s == "<lost>" {
			n++
		}
	}
	return n
}

// openPair opens two handles on one database, as two processes would, each
// subscribed to "widgets" and listening.
func openPair(t *testing.T, dialect db.Dialect) (a, b *db.DB, ha, hb *heard) {
	t.Helper()
	opts := testdb.Options(t, dialect)
	ctx := context.Background()
	ha, hb = &heard{}, &heard{}
	var err error
	if a, err = db.Open(ctx, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if b, err = db.Open(ctx, opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	if a.Listening() {
		t.Error("listening before any subscription")
	}
	a.Subscribe("widgets", ha.subscriber)
	b.Subscribe("widgets", hb.subscriber)
	testdb.Eventually(t, "both listening", func() bool { return a.Listening() && b.Listening() })
	return a, b, ha, hb
}

func TestNotify_ReachesEveryProcessOnCommitOnly(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a, b, ha, hb := openPair(t, dialect)
		ctx := context.Background()

		// Rolled back: nobody hears it.
		errRollback := errors.New("roll back")
		err := a.Tx(ctx, func(ctx context.Context) error {
			if err := a.Notify(ctx, "widgets", "rolled-back"); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		// Committed: the sender hears it before Tx returns, the other
		// process soon after; a message of another topic reaches neither.
		var inTx []string
		err = a.Tx(ctx, func(ctx context.Context) error {
			if err := a.Notify(ctx, "widgets", "w1"); err != nil {
				return err
			}
			if err := a.Notify(ctx, "gadgets", "g1"); err != nil {
				return err
			}
			inTx = ha.messages() // not yet: the transaction is open
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(inTx) != 0 {
			t.Errorf("heard %q before the commit", inTx)
		}
		if got := ha.messages(); !slices.Equal(got, []string{"w1"}) {
			t.Errorf("sender heard %q right after the commit, want [w1]", got)
		}
		testdb.Eventually(t, "b to hear w1", func() bool { return len(hb.messages()) > 0 })

		// b answers without a transaction; a hears it, and its own w1 only
		// once (messages arrive in commit order, so a second w1 would come
		// before w2).
		if err := b.Notify(ctx, "widgets", "w2"); err != nil {
			t.Fatal(err)
		}
		testdb.Eventually(t, "a to hear w2", func() bool { return len(ha.messages()) >= 2 })
		if got := ha.messages(); !slices.Equal(got, []string{"w1", "w2"}) {
			t.Errorf("a heard %q, want [w1 w2]", got)
		}
		if got := hb.messages(); !slices.Equal(got, []string{"w1", "w2"}) {
			t.Errorf("b heard %q, want [w1 w2]", got)
		}

		if err := a.Notify(ctx, "bad|topic", ""); err == nil {
			t.Error("a topic with | was accepted")
		}
	})
}

func TestNotify_LosingTheListenerIsReported(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a, b, _, hb := openPair(t, dialect)
		ctx := context.Background()
		lostBefore := hb.lost()

		// Break b's listening: end its connection on PostgreSQL, hide the
		// table it polls on SQLite.
		if dialect == db.Postgres {
			_, err := a.QW(ctx).Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`)
			if err != nil {
				t.Fatal(err)
			}
		} else {
			if _, err := a.QW(ctx).Exec(ctx, `ALTER TABLE groundwork_notifications RENAME TO hidden_notifications`); err != nil {
				t.Fatal(err)
			}
			testdb.Eventually(t, "b to stop listening", func() bool { return !b.Listening() })
			if _, err := a.QW(ctx).Exec(ctx, `ALTER TABLE hidden_notifications RENAME TO groundwork_notifications`); err != nil {
				t.Fatal(err)
			}
		}
		// b says it lost messages (on losing and on regaining the
		// listener), listens again, and hears what is sent next.
		testdb.Eventually(t, "b to report the loss", func() bool { return hb.lost() >= lostBefore+2 })
		testdb.Eventually(t, "b to listen again", b.Listening)
		if err := a.Notify(ctx, "widgets", "after"); err != nil {
			t.Fatal(err)
		}
		testdb.Eventually(t, "b to hear what follows", func() bool { return slices.Contains(hb.messages(), "after") })
	})
}

func TestNotify_CloseStopsListening(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		a, _, _, _ := openPair(t, dialect)
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if a.Listening() {
			t.Error("still listening after Close")
		}
	})
}

// TestNotify_SQLitePrunesOldMessages: the table SQLite carries messages in
// does not grow without end; what was pruned had been heard.
func TestNotify_SQLitePrunesOldMessages(t *testing.T) {
	t.Parallel()
	d := testdb.Open(t, db.SQLite)
	db.SetNotifyKeep(d, 300*time.Millisecond)
	h := &heard{}
	d.Subscribe("widgets", h.subscriber)
	testdb.Eventually(t, "listening", d.Listening)
	ctx := context.Background()
	for i := range 5 {
		if err := d.Notify(ctx, "widgets", fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		var n int
		if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM groundwork_notifications`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 5 {
		t.Fatalf("%d messages stored, want 5", n)
	}
	testdb.Eventually(t, "old messages pruned", func() bool { return count() == 0 })
	if got := h.messages(); len(got) != 5 {
		t.Errorf("heard %q", got)
	}
}

// TestNotify_SQLiteLatePollReportsALoss: a poll that comes later than half
// the time messages are kept may have missed pruned ones, and says so.
// Here every poll is that late.
func TestNotify_SQLiteLatePollReportsALoss(t *testing.T) {
	t.Parallel()
	d := testdb.Open(t, db.SQLite)
	db.SetNotifyKeep(d, 20*time.Millisecond) // polls come every 100 ms
	h := &heard{}
	d.Subscribe("widgets", h.subscriber)
	testdb.Eventually(t, "losses reported after late polls", func() bool { return h.lost() >= 3 })
}

// Notified tells a transaction the messages it sent itself, and nothing
// outside one.
func TestNotified_InTheSendingTransactionOnly(t *testing.T) {
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		d := testdb.Open(t, dialect)
		ctx := context.Background()
		err := d.Tx(ctx, func(ctx context.Context) error {
			if d.Notified(ctx, "widgets", "w1") {
				t.Error("notified before sending")
			}
			if err := d.Notify(ctx, "widgets", "w1"); err != nil {
				return err
			}
			if !d.Notified(ctx, "widgets", "w1") {
				t.Error("not notified after sending")
			}
			if d.Notified(ctx, "widgets", "w2") || d.Notified(ctx, "gadgets", "w1") {
				t.Error("another message reported as sent")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if d.Notified(ctx, "widgets", "w1") {
			t.Error("notified outside a transaction")
		}
	})
}
