// Package sqlstore keeps billing's customers, subscriptions and webhook
// ledger on SQLite or PostgreSQL, and embeds their migrations.
package sqlstore

import (
	"context"
	"embed"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/application"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

//go:embed migrations
var migrations embed.FS

// Migrations returns billing's tables for both dialects; the caller sets
// Module.
func Migrations() db.Migrations { return db.EmbeddedMigrations(migrations, "migrations") }

// Store is application.Store over a database.
type Store struct {
	db    *db.DB
	cache *subscriptionCache
}

var _ application.Store = (*Store)(nil)

// New returns the store over d. It does no I/O.
func New(d *db.DB) *Store { return &Store{db: d, cache: newSubscriptionCache(d)} }

// ClaimCustomer implements application.Store.
func (s *Store) ClaimCustomer(ctx context.Context, org kernel.OrganizationID, provider string, now time.Time) (string, bool, error) {
	n, err := db.Exec(ctx, s.db.QW(ctx), "claim a customer", `INSERT INTO billing_customers (organization_id, provider, customer_ref, created_at)
		VALUES ($1, $2, '', $3) ON CONFLICT (organization_id) DO NOTHING`, org, provider, now)
	if err != nil {
		return "", false, err
	}
	if n == 1 {
		return "", true, nil
	}
	ref, err := db.QueryOne(ctx, s.db.QW(ctx), db.ScanValue[string], nil, "read a customer",
		`SELECT customer_ref FROM billing_customers WHERE organization_id = $1 AND provider = $2`, org, provider)
	if err != nil {
		return "", false, err
	}
	return ref, false, nil
}

var errNoCustomer = kernel.NotFound("billing.no_customer", "The organization has no customer.")

// SetCustomerRef implements application.Store.
func (s *Store) SetCustomerRef(ctx context.Context, org kernel.OrganizationID, ref string) error {
	return db.ExecOne(ctx, s.db.QW(ctx), errNoCustomer, "set a customer",
		`UPDATE billing_customers SET customer_ref = $2 WHERE organization_id = $1`, org, ref)
}

// ReleaseCustomerClaim implements application.Store.
func (s *Store) ReleaseCustomerClaim(ctx context.Context, org kernel.OrganizationID) error {
	_, err := db.Exec(ctx, s.db.QW(ctx), "release a customer claim",
		`DELETE FROM billing_customers WHERE organization_id = $1 AND customer_ref = ''`, org)
	return err
}

// CustomerOrganization implements application.Store.
func (s *Store) CustomerOrganization(ctx context.Context, provider, ref string) (kernel.OrganizationID, bool, error) {
	org, err := db.QueryOne(ctx, s.db.Q(ctx), db.ScanValue[kernel.OrganizationID], errNoCustomer, "find a customer",
		`SELECT organization_id FROM billing_customers WHERE provider = $1 AND customer_ref = $2`, provider, ref)
	if err == errNoCustomer {
		return kernel.OrganizationID{}, false, nil
	}
	return org, err == nil, err
}

const subscriptionColumns = `id, organization_id, plan, billing_interval, status, current_period_start, current_period_end,
	trial_end, cancel_at_period_end, seats, provider, customer_ref, provider_ref, provider_changed_at, past_due_since,
	created_at, updated_at`

func scanSubscription(r db.Row) (*domain.Subscription, error) {
	var s domain.Subscription
	err := r.Scan(&s.ID, &s.OrganizationID, &s.Plan, &s.Interval, &s.Status, &s.CurrentPeriodStart, &s.CurrentPeriodEnd,
		&s.TrialEnd, &s.CancelAtPeriodEnd, &s.Seats, &s.Provider, &s.CustomerRef, &s.ProviderRef, &s.ProviderChangedAt,
		&s.PastDueSince, &s.CreatedAt, &s.UpdatedAt)
	return &s, err
}

// LiveSubscription implements application.Store.
// A read that does not lock is answered from the cache when it can.
func (s *Store) LiveSubscription(ctx context.Context, org kernel.OrganizationID, forUpdate bool) (*domain.Subscription, error) {
	lock, q := "", s.db.Q(ctx)
	if forUpdate {
		lock, q = s.db.ForUpdate(), s.db.QW(ctx)
	}
	cached := !forUpdate && s.cache.usable(ctx, org)
	var gen uint64
	if cached {
		sub, ok, g := s.cache.get(org)
		if ok {
			return sub, nil
		}
		gen = g
	}
	sub, err := s.one(ctx, q, `SELECT `+subscriptionColumns+` FROM billing_subscriptions
		WHERE organization_id = $1 AND status <> 'canceled'`+lock, org)
	if err == nil && cached {
		s.cache.put(org, sub, gen)
	}
	return sub, err
}

// SubscriptionByRef implements application.Store.
func (s *Store) SubscriptionByRef(ctx context.Context, provider, ref string) (*domain.Subscription, error) {
	return s.one(ctx, s.db.QW(ctx), `SELECT `+subscriptionColumns+` FROM billing_subscriptions
		WHERE provider = $1 AND provider_ref = $2`+s.db.ForUpdate(), provider, ref)
}

var errNone = kernel.NotFound("billing.no_subscription_row", "No subscription.")

func (s *Store) one(ctx context.Context, q db.Querier, query string, args ...any) (*domain.Subscription, error) {
	sub, err := db.QueryOne(ctx, q, scanSubscription, errNone, "read a subscription", query, args...)
	if err == errNone {
		return nil, nil
	}
	return sub, err
}

// SaveSubscription implements application.Store.
func (s *Store) SaveSubscription(ctx context.Context, sub *domain.Subscription) error {
	_, err := db.Exec(ctx, s.db.QW(ctx), "save a subscription", `INSERT INTO billing_subscriptions (`+subscriptionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, billing_interval = excluded.billing_interval, status = excluded.status,
			current_period_start = excluded.current_period_start, current_period_end = excluded.current_period_end,
			trial_end = excluded.trial_end, cancel_at_period_end = excluded.cancel_at_period_end, seats = excluded.seats,
			customer_ref = excluded.customer_ref, provider_ref = excluded.provider_ref,
			provider_changed_at = excluded.provider_changed_at, past_due_since = excluded.past_due_since, updated_at = excluded.updated_at`,
		sub.ID, sub.OrganizationID, sub.Plan, sub.Interval, sub.Status, sub.CurrentPeriodStart, sub.CurrentPeriodEnd,
		sub.TrialEnd, sub.CancelAtPeriodEnd, sub.Seats, sub.Provider, sub.CustomerRef, sub.ProviderRef, sub.ProviderChangedAt,
		sub.PastDueSince, sub.CreatedAt, sub.UpdatedAt)
	if ce, ok := db.IsConstraint(err, db.Unique); ok && (ce.Mentions("organization_id") || ce.Mentions("live_key")) {
		return application.ErrAlreadySubscribed.WithCause(err)
	}
	if err != nil {
		return err
	}
	return s.cache.changed(ctx, sub.OrganizationID)
}

// LiveSubscriptions implements application.Store.
func (s *Store) LiveSubscriptions(ctx context.Context, provider string) ([]*domain.Subscription, error) {
	return db.QueryAll(ctx, s.db.Q(ctx), scanSubscription, "list live subscriptions", `SELECT `+subscriptionColumns+`
		FROM billing_subscriptions WHERE provider = $1 AND status <> 'canceled' ORDER BY id`, provider)
}

// RecordEvent implements application.Store.
func (s *Store) RecordEvent(ctx context.Context, provider string, e domain.WebhookEvent, now time.Time) (bool, error) {
	org := ""
	if !e.OrganizationID.IsZero() {
		org = e.OrganizationID.String()
	}
	n, err := db.Exec(ctx, s.db.QW(ctx), "record a webhook event", `INSERT INTO billing_webhook_events
		(provider, event_id, type, subscription_ref, customer_ref, organization_id, occurred_at, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (provider, event_id) DO NOTHING`,
		provider, e.ID, e.Type, e.SubscriptionRef, e.CustomerRef, org, e.OccurredAt.UTC(), now)
	return n == 1, err
}

// Event implements application.Store.
func (s *Store) Event(ctx context.Context, provider, id string) (application.StoredEvent, error) {
	return db.QueryOne(ctx, s.db.Q(ctx), scanEvent, application.ErrUnknownEvent, "read a webhook event",
		`SELECT `+eventColumns+` FROM billing_webhook_events WHERE provider = $1 AND event_id = $2`, provider, id)
}

// FinishEvent implements application.Store.
func (s *Store) FinishEvent(ctx context.Context, provider, id, outcome string, now time.Time) error {
	return db.ExecOne(ctx, s.db.QW(ctx), application.ErrUnknownEvent, "finish a webhook event",
		`UPDATE billing_webhook_events SET processed_at = $3, outcome = $4, attempts = attempts + 1
		WHERE provider = $1 AND event_id = $2`, provider, id, now, outcome)
}

// FailEvent implements application.Store.
func (s *Store) FailEvent(ctx context.Context, provider, id, cause string) error {
	if len(cause) > 2000 {
		cause = cause[:2000]
	}
	return db.ExecOne(ctx, s.db.QW(ctx), application.ErrUnknownEvent, "fail a webhook event",
		`UPDATE billing_webhook_events SET last_error = $3, attempts = attempts + 1 WHERE provider = $1 AND event_id = $2`,
		provider, id, cause)
}

// ListSubscriptions implements application.Store: newest first (by ID),
// after q.After, at most q.Limit.
func (s *Store) ListSubscriptions(ctx context.Context, q application.SubscriptionQuery) ([]*domain.Subscription, error) {
	var f db.Filter
	if q.Status != "" {
		f.Where(`status = ` + f.Arg(q.Status))
	}
	if q.Plan != "" {
		f.Where(`plan = ` + f.Arg(q.Plan))
	}
	if !q.OrganizationID.IsZero() {
		f.Where(`organization_id = ` + f.Arg(q.OrganizationID))
	}
	if !q.After.IsZero() {
		f.Where(`id < ` + f.Arg(q.After))
	}
	return db.QueryAll(ctx, s.db.Q(ctx), scanSubscription, "list subscriptions",
		`SELECT `+subscriptionColumns+` FROM billing_subscriptions`+f.Clause()+` ORDER BY id DESC LIMIT `+f.Arg(q.Limit), f.Args()...)
}

// SubscriptionByID implements application.Store.
func (s *Store) SubscriptionByID(ctx context.Context, id domain.SubscriptionID) (*domain.Subscription, error) {
	return s.one(ctx, s.db.Q(ctx), `SELECT `+subscriptionColumns+` FROM billing_subscriptions WHERE id = $1`, id)
}

// EventsOf implements application.Store: the ledger's events about a
// subscription, newest first.
func (s *Store) EventsOf(ctx context.Context, provider, ref string, limit int) ([]application.StoredEvent, error) {
	return db.QueryAll(ctx, s.db.Q(ctx), scanEvent, "list webhook events", `SELECT `+eventColumns+`
		FROM billing_webhook_events WHERE provider = $1 AND subscription_ref = $2 ORDER BY received_at DESC LIMIT $3`,
		provider, ref, limit)
}

// ReopenEvent implements application.Store: a processed event becomes
// unprocessed again, for a replay.
func (s *Store) ReopenEvent(ctx context.Context, provider, id string) error {
	return db.ExecOne(ctx, s.db.QW(ctx), application.ErrUnknownEvent, "reopen a webhook event",
		`UPDATE billing_webhook_events SET processed_at = NULL, outcome = '' WHERE provider = $1 AND event_id = $2`, provider, id)
}

// Counts implements application.Store: live subscriptions by plan,
// interval and status, with their seats.
func (s *Store) Counts(ctx context.Context) ([]application.SubscriptionCount, error) {
	return db.QueryAll(ctx, s.db.Q(ctx), func(r db.Row) (application.SubscriptionCount, error) {
		var c application.SubscriptionCount
		err := r.Scan(&c.Plan, &c.Interval, &c.Status, &c.Count, &c.Seats)
		return c, err
	}, "count subscriptions", `SELECT plan, billing_interval, status, COUNT(*), COALESCE(SUM(seats), 0)
		FROM billing_subscriptions WHERE status <> 'canceled' GROUP BY plan, billing_interval, status ORDER BY plan, billing_interval, status`)
}

const eventColumns = `provider, event_id, type, subscription_ref, customer_ref, organization_id, occurred_at, received_at,
	processed_at, outcome, last_error, attempts`

func scanEvent(r db.Row) (application.StoredEvent, error) {
	var e application.StoredEvent
	var org string
	err := r.Scan(&e.Provider, &e.ID, &e.Type, &e.SubscriptionRef, &e.CustomerRef, &org, &e.OccurredAt, &e.ReceivedAt,
		&e.ProcessedAt, &e.Outcome, &e.LastError, &e.Attempts)
	if org != "" {
		e.OrganizationID, _ = kernel.ParseID[kernel.OrganizationKind](org)
	}
	return e, err
}
