package application

import (
	"sync"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// pageCacheSize bounds the member pages kept in memory: about 6 KB each
// for 20 members.
const pageCacheSize = 2048

// PageKey names a page of an organization's members.
type PageKey struct {
	Org   kernel.OrganizationID
	After domain.MembershipID
	Limit int
}

// VersionedCache keeps values with the organization members version they
// were computed at. A value is served only to a request whose membership
// check read the same version, so it can never answer with a member list
// the database no longer holds; it needs no invalidation, across processes
// either. When full, an arbitrary entry makes room.
type VersionedCache[K comparable, V any] struct {
	mu      sync.RWMutex
	max     int
	entries map[K]versioned[V]
}

type versioned[V any] struct {
	version int64
	value   V
}

// NewVersionedCache returns a cache of at most max entries.
func NewVersionedCache[K comparable, V any](max int) *VersionedCache[K, V] {
	return &VersionedCache[K, V]{max: max, entries: make(map[K]versioned[V], max)}
}

// Get returns the value cached for key at version; version zero (unknown)
// never hits.
func (c *VersionedCache[K, V]) Get(key K, version int64) (V, bool) {
	var zero V
	if version == 0 {
		return zero, false
	}
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || e.version != version {
		return zero, false
	}
	return e.value, true
}

// Put keeps value as key's at version, unless a newer version is there.
func (c *VersionedCache[K, V]) Put(key K, version int64, value V) {
	if version == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if ok && e.version > version {
		return
	}
	if !ok && len(c.entries) >= c.max {
		for k := range c.entries {
			delete(c.entries, k)
			break
		}
	}
	c.entries[key] = versioned[V]{version: version, value: value}
}
