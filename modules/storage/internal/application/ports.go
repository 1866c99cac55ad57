package application

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/domain"
)

// The states of a Record.
const (
	// StatePending: claimed, being stored.
	StatePending = "pending"
	// StateLive: stored and in use.
	StateLive = "live"
	// StateDoomed: a clean-up job will delete it.
	StateDoomed = "doomed"
	// StateDeleting: the clean-up job is deleting it.
	StateDeleting = "deleting"
)

// Record is what the storage knows of one object.
type Record struct {
	Key         string
	Kind        domain.Kind
	Owner       string // a user's ID for an avatar, an organization's otherwise
	State       string
	Size        int64
	ContentType string
	Private     bool
	Name        string // a product file's name as given
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Store keeps the records. Every method runs in the transaction ctx
// carries, or alone without one.
type Store interface {
	// Claim records r as pending before its object is stored, or keeps it
	// live when it already is (the same key holds the same bytes). It
	// returns false, changing nothing, while a clean-up job is deleting
	// the key's object: the caller waits for it to finish.
	Claim(ctx context.Context, r Record) (bool, error)
	// Promote makes key live as its owner's one object of its kind and
	// dooms the live ones it replaces, returning their keys (in a
	// transaction).
	Promote(ctx context.Context, key string, kind domain.Kind, owner string, now time.Time) ([]string, error)
	// MarkLive makes a pending key live.
	MarkLive(ctx context.Context, key string, now time.Time) error
	// DoomLive dooms the owner's live objects of kind, returning their keys.
	DoomLive(ctx context.Context, kind domain.Kind, owner string, now time.Time) ([]string, error)
	// DoomOwner dooms every object of the owner that is not already on its
	// way out, returning their keys.
	DoomOwner(ctx context.Context, owner string, now time.Time) ([]string, error)
	// DoomPending dooms key if it is still pending and reports whether it
	// was.
	DoomPending(ctx context.Context, key string, now time.Time) (bool, error)
	// DoomKey dooms key if it is live and owned by owner, reporting
	// whether it was.
	DoomKey(ctx context.Context, key, owner string, now time.Time) (bool, error)
	// StartDeleting moves a doomed key to deleting (or keeps it there, for
	// a retried job) and reports whether it is to be deleted: false when
	// an upload claimed the key again meanwhile, or it is gone.
	StartDeleting(ctx context.Context, key string, now time.Time) (bool, error)
	// Forget removes the record of a key whose object was deleted.
	Forget(ctx context.Context, key string) error
	// Live returns the owner's live object of kind.
	Live(ctx context.Context, kind domain.Kind, owner string) (Record, bool, error)
	// Object returns the record of key.
	Object(ctx context.Context, key string) (Record, bool, error)
	// StalePending returns up to limit keys pending since before before.
	StalePending(ctx context.Context, before time.Time, limit int) ([]string, error)
}

// Users is the port to the users: an avatar's URL is the user's image.
type Users interface {
	// SetImage sets the user's image URL ("" clears it) in the
	// transaction ctx carries, locking the user.
	SetImage(ctx context.Context, user kernel.UserID, url string) error
}

// Organizations is the port to the organizations: a logo's URL is the
// organization's logo.
type Organizations interface {
	// SetLogo sets the organization's logo URL ("" clears it) in the
	// transaction ctx carries, locking the organization; NotFound for an
	// organization that does not exist.
	SetLogo(ctx context.Context, org kernel.OrganizationID, url string) error
}

// Deletions queues the clean-up job of each key, in the transaction ctx
// carries, so the job runs only once it commits and is retried until the
// object is gone.
type Deletions interface {
	Enqueue(ctx context.Context, keys []string) error
}

// Limiter counts one attempt against key's limit per window, across
// processes, and reports whether it is allowed and when to retry.
type Limiter func(ctx context.Context, key string, limit int, window time.Duration) (allowed bool, retryAfter time.Duration, err error)
