package application

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

// RequestFunc returns what the request ctx belongs to says about the
// caller: request ID, address and user agent; zero outside a request.
type RequestFunc func(ctx context.Context) RequestMeta

// RequestMeta is what the audit log keeps of the request that caused an
// entry.
type RequestMeta struct {
	RequestID string
	IP        string
	UserAgent string
}

// Store keeps the entries and the chain heads. Every method runs in the
// transaction ctx carries; those marked "in a transaction" need one.
type Store interface {
	// LockHead returns the chain's head, creating an empty one when the
	// chain is new, and locks it until the transaction ends so that
	// writers to one chain take turns (in a transaction).
	LockHead(ctx context.Context, chain string) (domain.Head, error)
	// Append stores e and moves the chain's head to head, which must be the
	// head LockHead returned moved onto e (in a transaction).
	Append(ctx context.Context, e domain.Entry, head domain.Head) error
	// List returns a page of entries, newest first.
	List(ctx context.Context, q StoreQuery) ([]domain.Entry, error)
	// Chains returns the name of every chain that has a head.
	Chains(ctx context.Context) ([]string, error)
	// OrphanChains returns the chains that have entries but no head.
	OrphanChains(ctx context.Context) ([]string, error)
	// WalkChain reads a chain's head and then its entries in seq order, all
	// from one snapshot, calling head once and then entry for each entry
	// until it returns false.
	WalkChain(ctx context.Context, chain string, head func(domain.Head), entry func(domain.Entry) bool) error
	// FirstSeqFrom returns the lowest seq above after of an entry of the
	// chain that occurred at or after t; false when there is none.
	FirstSeqFrom(ctx context.Context, chain string, after int64, t time.Time) (int64, bool, error)
	// Range calls fn for the chain's entries with from <= seq <= to, in
	// seq order, until it returns false.
	Range(ctx context.Context, chain string, from, to int64, fn func(domain.Entry) bool) error
	// DeleteThrough deletes the chain's entries with seq <= through and
	// returns how many it deleted; the only deletion the log allows (in a
	// transaction).
	DeleteThrough(ctx context.Context, chain string, through int64) (int64, error)
	// SetAnchor stores the head's anchor (in a transaction).
	SetAnchor(ctx context.Context, head domain.Head) error
}

// StoreQuery selects entries for List. Org scopes the query to one
// organization unless it is zero and AllOrganizations is set.
type StoreQuery struct {
	Org              kernel.OrganizationID
	AllOrganizations bool
	Filter
	// After, when set, is the last entry of the previous page.
	After *Cursor
	Limit int
}
