// Package eventbus is the in-process domain event bus modules talk through.
//
// Delivery is synchronous and inside the publisher's unit of work: Publish
// runs every handler with the publisher's context, so a handler's writes
// (an audit entry, a job inserted with jobs.Client.Insert) commit or roll
// back with the publisher's, and a handler's error rolls the whole
// transaction back. Handlers registered with OnCommit run only after the
// transaction commits, for in-process effects such as cache invalidation.
//
// Handlers are registered at boot, before the bus is used; the event's
// stable name (kernel.Event.EventName) is the routing key.
package eventbus

import (
	"context"
	"fmt"
	"sync"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
)

// HandlerFunc handles an event of type E inside the publisher's transaction.
type HandlerFunc[E kernel.Event] func(ctx context.Context, e E) error

type handler struct {
	owner string
	fn    func(ctx context.Context, e kernel.Event) error
}

// Bus routes events to handlers. The zero value is not usable; call New.
type Bus struct {
	db *db.DB

	mu       sync.RWMutex
	handlers map[string][]handler
	all      []handler
	onCommit map[string][]func(ctx context.Context, e kernel.Event)
}

// New returns a bus whose Publish opens a transaction on d when the caller
// has none.
func New(d *db.DB) *Bus {
	return &Bus{db: d, handlers: map[string][]handler{}, onCommit: map[string][]func(context.Context, kernel.Event){}}
}

func nameOf[E kernel.Event]() string {
	var zero E
	return zero.EventName()
}

// Subscribe registers fn for events of type E. owner names the subscriber
// (a module) in error messages. Handlers run in registration order.
func Subscribe[E kernel.Event](b *Bus, owner string, fn HandlerFunc[E]) {
	name := nameOf[E]()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handlers[name] = append(b.handlers[name], handler{owner: owner, fn: func(ctx context.Context, e kernel.Event) error {
		typed, ok := e.(E)
		if !ok {
			return fmt.Errorf("event %s: got %T, want %T", name, e, typed)
		}
		return fn(ctx, typed)
	}})
}

// SubscribeAll registers fn for every event, after the typed handlers of
// each: for what watches every event (tests, tracing); modules subscribe
// to the events they mean with Subscribe.
func (b *Bus) SubscribeAll(owner string, fn func(ctx context.Context, e kernel.Event) error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.all = append(b.all, handler{owner: owner, fn: fn})
}

// OnCommit registers fn to run after the transaction that published an
// event of type E commits; never if it rolls back. fn cannot fail the
// publisher: use it only for effects that may be lost with the process.
func OnCommit[E kernel.Event](b *Bus, fn func(ctx context.Context, e E)) {
	name := nameOf[E]()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.onCommit[name] = append(b.onCommit[name], func(ctx context.Context, e kernel.Event) {
		if typed, ok := e.(E); ok {
			fn(ctx, typed)
		}
	})
}

// Publish delivers events to their handlers inside the transaction in ctx,
// opening one when ctx has none. It returns the first handler error,
// wrapped with the event and subscriber names; the caller returns it so
// the unit of work rolls back.
func (b *Bus) Publish(ctx context.Context, events ...kernel.Event) error {
	if !db.InTx(ctx) {
		return b.db.Tx(ctx, func(ctx context.Context) error { return b.Publish(ctx, events...) })
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, e := range events {
		name := e.EventName()
		for _, h := range b.handlers[name] {
			if err := h.fn(ctx, e); err != nil {
				return fmt.Errorf("event %s: %s: %w", name, h.owner, err)
			}
		}
		for _, h := range b.all {
			if err := h.fn(ctx, e); err != nil {
				return fmt.Errorf("event %s: %s: %w", name, h.owner, err)
			}
		}
		for _, fn := range b.onCommit[name] {
			db.AfterCommit(ctx, func(ctx context.Context) { fn(ctx, e) })
		}
	}
	return nil
}
