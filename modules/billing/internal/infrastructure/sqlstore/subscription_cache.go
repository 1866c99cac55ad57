package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// subscriptionTopic is the database notification topic of subscription
// changes: its payload is the ID of the organization whose subscription
// was saved.
const subscriptionTopic = "billing.subscription"

// maxCachedSubscriptions bounds the cache; reaching it empties it.
const maxCachedSubscriptions = 100_000

// subscriptionCache keeps each organization's live subscription, or that
// it has none, as LiveSubscription read it: the read behind every
// subscription gate and quota check. Every save sends a subscriptionTopic
// notification for its organization in its transaction; the cache drops
// that organization when it hears it — at once in this process, after the
// commit, and in others as soon as their listener delivers it. While this
// process is not listening the cache is bypassed, and so is it for a
// transaction that saved the organization's subscription itself. What is
// cached is the stored row: whether it grants its plan now (trials, grace)
// is decided on every read, so time passing needs no drop.
//
// A save in this process also holds the organization out of the cache
// from the save until its commit's drop (pending): without it, a reader
// between the commit and the drop — a moment that can last while the
// committing goroutine waits for a core — would be answered the row from
// before the commit, after the database already shows the change.
type subscriptionCache struct {
	db *db.DB

	mu sync.RWMutex
	// gen moves on with every drop: a row read before a drop is not stored
	// after it.
	gen  uint64
	orgs map[kernel.OrganizationID]*domain.Subscription // nil: none live
	// pending holds the organizations saved by a transaction of this
	// process that has not yet dropped them, until when (a rolled-back
	// transaction never drops: its hold lapses).
	pending map[kernel.OrganizationID]hold
}

// hold is how many of this process's transactions hold an organization
// out, and until when at most.
type hold struct {
	n     int
	until time.Time
}

// pendingFor is how long a save holds its organization out of the cache
// at most: a rolled-back transaction's hold lapses then.
const pendingFor = 30 * time.Second

func newSubscriptionCache(d *db.DB) *subscriptionCache {
	c := &subscriptionCache{db: d, orgs: map[kernel.OrganizationID]*domain.Subscription{},
		pending: map[kernel.OrganizationID]hold{}}
	d.Subscribe(subscriptionTopic, c.heard)
	return c
}

// usable reports whether ctx may be answered from the cache for org.
func (c *subscriptionCache) usable(ctx context.Context, org kernel.OrganizationID) bool {
	return c.db.Listening() && !c.db.Notified(ctx, subscriptionTopic, org.String())
}

// get returns a copy of the cached subscription (nil for none), whether
// there was an entry, and the generation to store a fresh read under.
func (c *subscriptionCache) get(org kernel.OrganizationID) (*domain.Subscription, bool, uint64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.held(org) {
		return nil, false, c.gen
	}
	sub, ok := c.orgs[org]
	return copySubscription(sub), ok, c.gen
}

// held reports whether a save of this process holds org out (c.mu held).
func (c *subscriptionCache) held(org kernel.OrganizationID) bool {
	h, ok := c.pending[org]
	return ok && time.Now().Before(h.until)
}

// hold keeps org out of the cache from now until release, after the
// saving transaction's drop.
func (c *subscriptionCache) hold(org kernel.OrganizationID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.orgs, org)
	h := c.pending[org]
	if !time.Now().Before(h.until) {
		h.n = 0 // lapsed holds of rolled-back transactions
	}
	c.pending[org] = hold{n: h.n + 1, until: time.Now().Add(pendingFor)}
}

// release ends hold.
func (c *subscriptionCache) release(org kernel.OrganizationID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h := c.pending[org]; h.n > 1 {
		c.pending[org] = hold{n: h.n - 1, until: h.until}
		return
	}
	delete(c.pending, org)
}

// put stores a read at generation gen, unless something was dropped since.
func (c *subscriptionCache) put(org kernel.OrganizationID, sub *domain.Subscription, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.db.Listening() || c.held(org) {
		return
	}
	if len(c.orgs) >= maxCachedSubscriptions {
		c.dropAll()
	}
	c.orgs[org] = copySubscription(sub)
}

// heard is the notification subscriber.
func (c *subscriptionCache) heard(payload string, lost bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	org, err := kernel.ParseID[kernel.OrganizationKind](payload)
	if lost || err != nil {
		c.dropAll()
		return
	}
	delete(c.orgs, org)
}

func (c *subscriptionCache) dropAll() {
	c.gen++
	clear(c.orgs)
}

// copySubscription returns a copy of sub that shares nothing with it.
func copySubscription(sub *domain.Subscription) *domain.Subscription {
	if sub == nil {
		return nil
	}
	cp := *sub
	if sub.TrialEnd != nil {
		t := *sub.TrialEnd
		cp.TrialEnd = &t
	}
	if sub.PastDueSince != nil {
		t := *sub.PastDueSince
		cp.PastDueSince = &t
	}
	return &cp
}

// changed tells every process that org's subscription was saved, when the
// transaction in ctx commits, holding org out of this process's cache
// until its own drop.
func (c *subscriptionCache) changed(ctx context.Context, org kernel.OrganizationID) error {
	c.hold(org)
	if err := c.db.Notify(ctx, subscriptionTopic, org.String()); err != nil {
		c.release(org)
		return fmt.Errorf("subscription of %s changed: %w", org, err)
	}
	db.AfterCommit(ctx, func(context.Context) { c.release(org) }) // after Notify's drop
	return nil
}
