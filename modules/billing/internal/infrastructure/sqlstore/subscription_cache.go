package sqlstore

import (
	"context"
	"fmt"
	"sync"

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
type subscriptionCache struct {
	db *db.DB

	mu sync.RWMutex
	// gen moves on with every drop: a row read before a drop is not stored
	// after it.
	gen  uint64
	orgs map[kernel.OrganizationID]*domain.Subscription // nil: none live
}

func newSubscriptionCache(d *db.DB) *subscriptionCache {
	c := &subscriptionCache{db: d, orgs: map[kernel.OrganizationID]*domain.Subscription{}}
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
	sub, ok := c.orgs[org]
	return copySubscription(sub), ok, c.gen
}

// put stores a read at generation gen, unless something was dropped since.
func (c *subscriptionCache) put(org kernel.OrganizationID, sub *domain.Subscription, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen || !c.db.Listening() {
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

// subscriptionChanged tells every process that org's subscription was
// saved, when the transaction in ctx commits.
func subscriptionChanged(ctx context.Context, d *db.DB, org kernel.OrganizationID) error {
	if err := d.Notify(ctx, subscriptionTopic, org.String()); err != nil {
		return fmt.Errorf("subscription of %s changed: %w", org, err)
	}
	return nil
}
