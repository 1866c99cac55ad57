// Package application holds billing's use cases: checkout, the customer
// portal, cancellation and plan changes, the webhook pipeline (ingest,
// then a job that applies the provider's authoritative state), and the
// entitlement check products gate on. It declares the ports its adapters
// satisfy.
package application

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// Store keeps customers, subscriptions and the webhook ledger. Every
// method runs in the transaction ctx carries, if any.
type Store interface {
	// ClaimCustomer returns the organization's customer reference at
	// provider; when there is no row it inserts an empty claim and answers
	// claimed true (the caller then creates the customer and SetCustomerRef).
	// A claim left empty by another checkout answers ref "" and claimed
	// false.
	ClaimCustomer(ctx context.Context, org kernel.OrganizationID, provider string, now time.Time) (ref string, claimed bool, err error)
	// SetCustomerRef fills the organization's claim.
	SetCustomerRef(ctx context.Context, org kernel.OrganizationID, ref string) error
	// ReleaseCustomerClaim deletes an empty claim (the provider call failed).
	ReleaseCustomerClaim(ctx context.Context, org kernel.OrganizationID) error
	// CustomerOrganization returns whose the provider's customer ref is.
	CustomerOrganization(ctx context.Context, provider, ref string) (kernel.OrganizationID, bool, error)

	// LiveSubscription returns the organization's live subscription, nil
	// without one. forUpdate locks it (PostgreSQL) for the transaction.
	LiveSubscription(ctx context.Context, org kernel.OrganizationID, forUpdate bool) (*domain.Subscription, error)
	// SubscriptionByRef returns the subscription with the provider's
	// reference, locked for the transaction; nil without one.
	SubscriptionByRef(ctx context.Context, provider, ref string) (*domain.Subscription, error)
	// SaveSubscription inserts or updates s. A second live subscription of
	// an organization is ErrAlreadySubscribed.
	SaveSubscription(ctx context.Context, s *domain.Subscription) error
	// LiveSubscriptions lists the live subscriptions of provider, for
	// reconciliation.
	LiveSubscriptions(ctx context.Context, provider string) ([]*domain.Subscription, error)

	// RecordEvent stores a verified webhook event; false when it was
	// stored already (a duplicate delivery).
	RecordEvent(ctx context.Context, provider string, e domain.WebhookEvent, now time.Time) (bool, error)
	// Event returns a stored event, or ErrUnknownEvent.
	Event(ctx context.Context, provider, id string) (StoredEvent, error)
	// FinishEvent records an event's outcome once processed.
	FinishEvent(ctx context.Context, provider, id, outcome string, now time.Time) error
	// FailEvent records a failed attempt (the job retries).
	FailEvent(ctx context.Context, provider, id, cause string) error
	// ReopenEvent makes a processed event unprocessed, for a replay.
	ReopenEvent(ctx context.Context, provider, id string) error
	// EventsOf lists the events about a provider's subscription, newest
	// first, at most limit.
	EventsOf(ctx context.Context, provider, ref string, limit int) ([]StoredEvent, error)

	// ListSubscriptions lists subscriptions matching q, newest first.
	ListSubscriptions(ctx context.Context, q SubscriptionQuery) ([]*domain.Subscription, error)
	// SubscriptionByID returns a subscription, nil without one.
	SubscriptionByID(ctx context.Context, id domain.SubscriptionID) (*domain.Subscription, error)
	// Counts counts the live subscriptions by plan, interval and status.
	Counts(ctx context.Context) ([]SubscriptionCount, error)
}

// SubscriptionQuery filters ListSubscriptions; After is the cursor (the
// last ID of the previous page).
type SubscriptionQuery struct {
	Status         string
	Plan           string
	OrganizationID kernel.OrganizationID
	After          domain.SubscriptionID
	Limit          int
}

// SubscriptionCount is how many live subscriptions a plan, interval and
// status have, and their seats.
type SubscriptionCount struct {
	Plan, Interval, Status string
	Count, Seats           int
}

// StoredEvent is an event of the ledger.
type StoredEvent struct {
	domain.WebhookEvent
	Provider    string
	ReceivedAt  time.Time
	ProcessedAt *time.Time
	Outcome     string
	LastError   string
	Attempts    int
}

// The outcomes of a processed event.
const (
	OutcomeApplied   = "applied"   // the subscription was updated
	OutcomeIgnored   = "ignored"   // about no subscription (an unknown type)
	OutcomeStale     = "stale"     // older than what is stored
	OutcomeForeign   = "foreign"   // about no organization of ours
	OutcomeDuplicate = "duplicate" // a second live subscription of an organization
)

// Queue enqueues billing's jobs in the transaction ctx carries.
type Queue interface {
	// ProcessWebhook enqueues the processing of a recorded event.
	ProcessWebhook(ctx context.Context, provider, eventID string) error
}

// Organizations is what billing needs of tenancy and iam.
type Organizations interface {
	// Email returns a user's email address: the payer's.
	Email(ctx context.Context, user kernel.UserID) (string, error)
	// Name returns the organization's name, for the provider's customer.
	Name(ctx context.Context, org kernel.OrganizationID) (string, error)
	// MemberCount returns how many members the organization has: a
	// per-seat plan's quantity.
	MemberCount(ctx context.Context, org kernel.OrganizationID) (int, error)
}

// The not-found answers of the store.
var (
	ErrUnknownEvent = kernel.NotFound("billing.unknown_event", "No such webhook event.")
)
