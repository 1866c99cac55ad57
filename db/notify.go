package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Notifications carry short messages to every process that uses the same
// database, this one included, when the transaction that sends them
// commits. They keep in-process caches fresh: a module caches what it reads
// often, sends a message in every transaction that changes it, and drops
// the cached entries a message names.
//
// The sending process hears its message right after the commit, before the
// code that committed goes on; other processes hear it on PostgreSQL
// through LISTEN/NOTIFY, typically within a millisecond, and on SQLite by
// polling a table every pollInterval. A process that may have missed
// messages (the listening connection dropped, a poll failed) tells every
// subscriber so, and Listening is false until it hears again: a cache must
// not serve entries while it is.

// notifyChannel is the one PostgreSQL channel every topic shares.
const notifyChannel = "groundwork_notifications"

// SQLite's poll period, and how long a sent message is kept for processes
// to poll it.
const (
	pollInterval  = 100 * time.Millisecond
	notifyKeep    = time.Minute
	maxRetryDelay = 5 * time.Second
)

// Subscriber hears a topic's messages. lost is true, with an empty payload,
// when messages may have been missed: drop everything they keep fresh.
type Subscriber func(payload string, lost bool)

// notifier is a DB's notification state.
type notifier struct {
	origin string        // this handle's ID: its own messages come back with it
	keep   time.Duration // SQLite: how long sent messages are kept (tests shorten it)

	mu   sync.RWMutex
	subs map[string][]Subscriber

	live   atomic.Bool
	start  sync.Once
	cancel context.CancelFunc
	done   chan struct{}
}

func newNotifier() *notifier {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &notifier{origin: hex.EncodeToString(b[:]), keep: notifyKeep, subs: map[string][]Subscriber{}}
}

// Notify sends payload on topic when the transaction in ctx commits (at
// once without one); a rolled-back transaction sends nothing. topic must
// not contain "|".
func (d *DB) Notify(ctx context.Context, topic, payload string) error {
	if topic == "" || strings.Contains(topic, "|") {
		return fmt.Errorf("notify: bad topic %q", topic)
	}
	var err error
	if d.dialect == Postgres {
		_, err = d.QW(ctx).Exec(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, d.notes.origin+"|"+topic+"|"+payload)
	} else {
		_, err = d.QW(ctx).Exec(ctx, `INSERT INTO groundwork_notifications (origin, topic, payload, created_at) VALUES ($1, $2, $3, $4)`,
			d.notes.origin, topic, payload, time.Now())
	}
	if err != nil {
		return fmt.Errorf("notify %s: %w", topic, err)
	}
	if t := txFrom(ctx); t != nil && t.db == d {
		if t.notified == nil {
			t.notified = map[string]struct{}{}
		}
		t.notified[topic+"|"+payload] = struct{}{}
	}
	AfterCommit(ctx, func(context.Context) { d.notes.deliver(topic, payload) })
	return nil
}

// Notified reports whether the transaction ctx carries has sent topic's
// message payload: what it changed, a cache must not answer it from before
// the change (the cache hears the message only once the transaction
// commits). False without a transaction.
func (d *DB) Notified(ctx context.Context, topic, payload string) bool {
	t := txFrom(ctx)
	if t == nil || t.db != d {
		return false
	}
	_, ok := t.notified[topic+"|"+payload]
	return ok
}

// Subscribe has fn hear topic's messages from every process. fn runs on
// the delivering goroutine (the committing one for this process's own
// messages) and must be quick. Listening starts with the first
// subscription of a connected DB (or when it connects).
func (d *DB) Subscribe(topic string, fn Subscriber) {
	n := d.notes
	n.mu.Lock()
	n.subs[topic] = append(n.subs[topic], fn)
	n.mu.Unlock()
	if d.connected.Load() {
		d.startListening()
	}
}

// startListening starts the listener once, when there is a subscriber.
func (d *DB) startListening() {
	n := d.notes
	n.mu.RLock()
	has := len(n.subs) > 0
	n.mu.RUnlock()
	if !has {
		return
	}
	n.start.Do(func() {
		ctx, cancel := context.WithCancel(context.Background())
		n.cancel, n.done = cancel, make(chan struct{})
		go func() {
			defer close(n.done)
			if d.dialect == Postgres {
				d.listenPostgres(ctx)
			} else {
				d.pollSQLite(ctx)
			}
		}()
	})
}

// Listening reports whether this process hears other processes' messages
// now. It is false before the first subscription has connected and while
// the listener is reconnecting.
func (d *DB) Listening() bool { return d.notes.live.Load() }

// stop ends the listener, if one started.
func (n *notifier) stop() {
	n.start.Do(func() {}) // none may start from now on
	if n.cancel != nil {
		n.cancel()
		<-n.done
	}
	n.live.Store(false)
}

func (n *notifier) deliver(topic, payload string) {
	n.mu.RLock()
	subs := n.subs[topic]
	n.mu.RUnlock()
	for _, fn := range subs {
		fn(payload, false)
	}
}

// setLive records whether messages are heard and tells every subscriber
// that some may have been missed: on losing the listener, and on gaining
// it, for anything cached while it was away.
func (n *notifier) setLive(live bool) {
	n.live.Store(live)
	n.mu.RLock()
	var all []Subscriber
	for _, subs := range n.subs {
		all = append(all, subs...)
	}
	n.mu.RUnlock()
	for _, fn := range all {
		fn("", true)
	}
}

// receive delivers one raw message from another process.
func (n *notifier) receive(origin, topic, payload string) {
	if origin != n.origin {
		n.deliver(topic, payload)
	}
}

// listenPostgres holds a connection of its own, outside the pool, that
// LISTENs, and reconnects with backoff when it drops.
func (d *DB) listenPostgres(ctx context.Context) {
	delay := pollInterval
	for ctx.Err() == nil {
		if err := d.listenOnce(ctx); err != nil && ctx.Err() == nil {
			d.logger.Warn("database notifications: listener lost; reconnecting", "error", err, "retry_in", delay)
		}
		if d.notes.live.Load() {
			d.notes.setLive(false)
			delay = pollInterval
		}
		select {
		case <-ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, maxRetryDelay)
	}
}

func (d *DB) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, d.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	d.notes.setLive(true)
	for {
		msg, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		origin, rest, ok1 := strings.Cut(msg.Payload, "|")
		topic, payload, ok2 := strings.Cut(rest, "|")
		if ok1 && ok2 {
			d.notes.receive(origin, topic, payload)
		}
	}
}

// pollSQLite reads the messages other processes committed since the last
// poll, and every notifyKeep (n.keep) deletes those older than that. A
// poll that comes more than half of that after the previous one (the
// process was stopped, the machine slept) may have missed pruned
// messages, and says so.
func (d *DB) pollSQLite(ctx context.Context) {
	var last int64
	live := false
	pruned, polled := time.Now(), time.Now()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		var err error
		if !live {
			if err = d.reader.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM groundwork_notifications`).Scan(&last); err == nil {
				live = true
				d.notes.setLive(true)
			}
		} else {
			gap := time.Since(polled) > d.notes.keep/2
			if last, err = d.pollOnce(ctx, last); err == nil && gap {
				d.notes.setLive(true)
			}
		}
		if err == nil {
			polled = time.Now()
		}
		if err != nil && ctx.Err() == nil {
			d.logger.Warn("database notifications: poll failed", "error", err)
			if live {
				live = false
				d.notes.setLive(false)
			}
		}
		if keep := d.notes.keep; live && time.Since(pruned) > keep {
			pruned = time.Now()
			if _, err := d.writer.ExecContext(ctx, `DELETE FROM groundwork_notifications WHERE created_at < $1`,
				time.Now().Add(-keep).UTC().Format(sqliteTimeLayout)); err != nil && ctx.Err() == nil {
				d.logger.Warn("database notifications: prune failed", "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (d *DB) pollOnce(ctx context.Context, last int64) (int64, error) {
	rows, err := d.reader.QueryContext(ctx, `SELECT id, origin, topic, payload FROM groundwork_notifications WHERE id > $1 ORDER BY id`, last)
	if err != nil {
		return last, err
	}
	defer rows.Close()
	for rows.Next() {
		var origin, topic, payload string
		if err := rows.Scan(&last, &origin, &topic, &payload); err != nil {
			return last, err
		}
		d.notes.receive(origin, topic, payload)
	}
	return last, rows.Err()
}

// createNotificationsTable makes SQLite's message table. It is the
// database layer's, outside every module's migrations, like River's and
// goose's own bookkeeping.
func createNotificationsTable(ctx context.Context, d *DB) error {
	_, err := d.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS groundwork_notifications (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		origin TEXT NOT NULL,
		topic TEXT NOT NULL,
		payload TEXT NOT NULL,
		created_at TEXT NOT NULL)`)
	return err
}
