package sqlstore

import (
	"context"
	"fmt"
	"sync"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
)

// accessTopic is the database notification topic of access changes: its
// payload is the ID of the organization whose memberships, roles or member
// list changed.
const accessTopic = "tenancy.access"

// maxCachedAccess bounds the cache; reaching it empties it.
const maxCachedAccess = 100_000

// accessCache keeps the answers of Memberships.Access, the check behind
// every organization-scoped request, so that a request re-checks the
// membership without a query. Every write that can change an answer sends
// an accessTopic notification for its organization in its transaction;
// the cache drops that organization's answers when it hears it — at once
// in this process, after the commit, and in others as soon as their
// listener delivers it. While this process is not listening the cache is
// bypassed. Only memberships are kept: "not a member" is always read.
type accessCache struct {
	db *db.DB

	mu sync.RWMutex
	// gen moves on with every drop: an answer read before a drop is not
	// stored after it.
	gen  uint64
	orgs map[kernel.OrganizationID]map[kernel.UserID]application.Access
	size int
}

func newAccessCache(d *db.DB) *accessCache {
	c := &accessCache{db: d, orgs: map[kernel.OrganizationID]map[kernel.UserID]application.Access{}}
	d.Subscribe(accessTopic, c.heard)
	return c
}

// get returns the cached answer and the generation to store a fresh one
// under.
func (c *accessCache) get(org kernel.OrganizationID, user kernel.UserID) (application.Access, uint64, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	a, ok := c.orgs[org][user]
	return a, c.gen, ok && c.db.Listening()
}

// put stores a read at generation gen, unless something was dropped since.
func (c *accessCache) put(org kernel.OrganizationID, user kernel.UserID, a application.Access, gen uint64) {
	if !c.db.Listening() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.size >= maxCachedAccess {
		c.dropAll()
	}
	users := c.orgs[org]
	if users == nil {
		users = map[kernel.UserID]application.Access{}
		c.orgs[org] = users
	}
	if _, ok := users[user]; !ok {
		c.size++
	}
	users[user] = a
}

// heard is the notification subscriber.
func (c *accessCache) heard(payload string, lost bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	org, err := kernel.ParseID[kernel.OrganizationKind](payload)
	if lost || err != nil {
		c.dropAll()
		return
	}
	c.size -= len(c.orgs[org])
	delete(c.orgs, org)
}

func (c *accessCache) dropAll() {
	c.gen++
	clear(c.orgs)
	c.size = 0
}

// accessChanged tells every process that answers of Access for org may
// have changed, when the transaction in ctx commits.
func accessChanged(ctx context.Context, d *db.DB, org kernel.OrganizationID) error {
	if err := d.Notify(ctx, accessTopic, org.String()); err != nil {
		return fmt.Errorf("access of %s changed: %w", org, err)
	}
	return nil
}
