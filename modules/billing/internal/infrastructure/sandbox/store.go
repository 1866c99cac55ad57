package sandbox

import (
	"context"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// customer is a row of sandbox_customers.
type customer struct {
	Ref            string
	OrganizationID string
	Name, Email    string
	CreatedAt      time.Time
}

// checkout is a row of sandbox_checkouts.
type checkout struct {
	ID             string
	OrganizationID string
	CustomerRef    string
	Price          domain.Price
	Seats          int
	TrialDays      int
	SuccessURL     string
	CancelURL      string
	CreatedAt      time.Time
}

// subscription is a row of sandbox_subscriptions.
type subscription struct {
	Ref                                  string
	CustomerRef                          string
	OrganizationID                       string
	Price                                domain.Price
	Seats                                int
	Status                               domain.Status
	CurrentPeriodStart, CurrentPeriodEnd time.Time
	TrialEnd                             *time.Time
	CancelAtPeriodEnd                    bool
	CanceledAt                           *time.Time
	CreatedAt, UpdatedAt                 time.Time
}

// snapshot is the subscription as the port reports it.
func (s subscription) snapshot() domain.ProviderSubscription {
	return domain.ProviderSubscription{
		Ref: s.Ref, CustomerRef: s.CustomerRef, OrganizationID: parseOrg(s.OrganizationID),
		PriceID: s.Price.ProviderID, Status: s.Status,
		CurrentPeriodStart: s.CurrentPeriodStart, CurrentPeriodEnd: s.CurrentPeriodEnd,
		TrialEnd: s.TrialEnd, CancelAtPeriodEnd: s.CancelAtPeriodEnd, Seats: s.Seats,
		ChangedAt: s.UpdatedAt,
	}
}

func (p *Provider) insertCustomer(ctx context.Context, c customer) error {
	_, err := db.Exec(ctx, p.db.QW(ctx), "create sandbox customer", `
		INSERT INTO sandbox_customers (ref, organization_id, name, email, created_at)
		VALUES ($1, $2, $3, $4, $5)`,
		c.Ref, c.OrganizationID, c.Name, c.Email, c.CreatedAt)
	return err
}

// customer reads a customer; errUnknownCustomer when there is none.
func (p *Provider) customer(ctx context.Context, ref string) (customer, error) {
	return db.QueryOne(ctx, p.db.Q(ctx), func(r db.Row) (customer, error) {
		var c customer
		err := r.Scan(&c.Ref, &c.OrganizationID, &c.Name, &c.Email, &c.CreatedAt)
		return c, err
	}, errUnknownCustomer, "read sandbox customer",
		`SELECT ref, organization_id, name, email, created_at FROM sandbox_customers WHERE ref = $1`, ref)
}

// insertCheckout stores an open checkout; errUnknownCustomer when its
// customer does not exist.
func (p *Provider) insertCheckout(ctx context.Context, c checkout) error {
	_, err := db.Exec(ctx, p.db.QW(ctx), "create sandbox checkout", `
		INSERT INTO sandbox_checkouts (id, organization_id, customer_ref, price_id, plan, billing_interval,
			amount, currency, seats, trial_days, success_url, cancel_url, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, c.OrganizationID, c.CustomerRef, c.Price.ProviderID, c.Price.Plan, string(c.Price.Interval),
		c.Price.Amount, c.Price.Currency, c.Seats, c.TrialDays, c.SuccessURL, c.CancelURL, c.CreatedAt)
	if _, ok := db.IsConstraint(err, db.ForeignKey); ok {
		return errUnknownCustomer
	}
	return err
}

// openCheckout reads a checkout not yet spent, locking it on PostgreSQL
// when lock is set (in a transaction); errUnknownCheckout when there is
// none.
func (p *Provider) openCheckout(ctx context.Context, id string, lock bool) (checkout, error) {
	q := `SELECT id, organization_id, customer_ref, price_id, plan, billing_interval, amount, currency,
			seats, trial_days, success_url, cancel_url, created_at
		FROM sandbox_checkouts WHERE id = $1 AND spent_at IS NULL`
	if lock {
		q += p.db.ForUpdate()
	}
	return db.QueryOne(ctx, p.db.Q(ctx), func(r db.Row) (checkout, error) {
		var c checkout
		var interval string
		err := r.Scan(&c.ID, &c.OrganizationID, &c.CustomerRef, &c.Price.ProviderID, &c.Price.Plan, &interval,
			&c.Price.Amount, &c.Price.Currency, &c.Seats, &c.TrialDays, &c.SuccessURL, &c.CancelURL, &c.CreatedAt)
		c.Price.Interval = domain.Interval(interval)
		return c, err
	}, errUnknownCheckout, "read sandbox checkout", q, id)
}

// spendCheckout marks an open checkout spent with outcome; in the
// transaction that read it. errUnknownCheckout when another spent it
// first.
func (p *Provider) spendCheckout(ctx context.Context, id, outcome, subscriptionRef string, at time.Time) error {
	return db.ExecOne(ctx, p.db.Q(ctx), errUnknownCheckout, "spend sandbox checkout", `
		UPDATE sandbox_checkouts SET spent_at = $1, outcome = $2, subscription_ref = $3
		WHERE id = $4 AND spent_at IS NULL`, at, outcome, subscriptionRef, id)
}

const subscriptionColumns = `ref, customer_ref, organization_id, price_id, plan, billing_interval, amount, currency,
	seats, status, current_period_start, current_period_end, trial_end, cancel_at_period_end, canceled_at,
	created_at, updated_at`

func scanSubscription(r db.Row) (subscription, error) {
	var s subscription
	var interval, status string
	err := r.Scan(&s.Ref, &s.CustomerRef, &s.OrganizationID, &s.Price.ProviderID, &s.Price.Plan, &interval,
		&s.Price.Amount, &s.Price.Currency, &s.Seats, &status, &s.CurrentPeriodStart, &s.CurrentPeriodEnd,
		&s.TrialEnd, &s.CancelAtPeriodEnd, &s.CanceledAt, &s.CreatedAt, &s.UpdatedAt)
	s.Price.Interval, s.Status = domain.Interval(interval), domain.Status(status)
	return s, err
}

func (p *Provider) insertSubscription(ctx context.Context, s subscription) error {
	_, err := db.Exec(ctx, p.db.Q(ctx), "create sandbox subscription", `
		INSERT INTO sandbox_subscriptions (`+subscriptionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		s.Ref, s.CustomerRef, s.OrganizationID, s.Price.ProviderID, s.Price.Plan, string(s.Price.Interval),
		s.Price.Amount, s.Price.Currency, s.Seats, string(s.Status), s.CurrentPeriodStart, s.CurrentPeriodEnd,
		s.TrialEnd, s.CancelAtPeriodEnd, s.CanceledAt, s.CreatedAt, s.UpdatedAt)
	return err
}

// subscription reads a subscription, locking it on PostgreSQL when lock is
// set (in a transaction); domain.ErrUnknownSubscription when there is
// none.
func (p *Provider) subscription(ctx context.Context, ref string, lock bool) (subscription, error) {
	q := `SELECT ` + subscriptionColumns + ` FROM sandbox_subscriptions WHERE ref = $1`
	if lock {
		q += p.db.ForUpdate()
	}
	return db.QueryOne(ctx, p.db.Q(ctx), scanSubscription, domain.ErrUnknownSubscription, "read sandbox subscription", q, ref)
}

// saveSubscription writes every column that changes after creation.
func (p *Provider) saveSubscription(ctx context.Context, s subscription) error {
	return db.ExecOne(ctx, p.db.Q(ctx), domain.ErrUnknownSubscription, "update sandbox subscription", `
		UPDATE sandbox_subscriptions SET price_id = $1, plan = $2, billing_interval = $3, amount = $4, currency = $5,
			seats = $6, status = $7, current_period_start = $8, current_period_end = $9, trial_end = $10,
			cancel_at_period_end = $11, canceled_at = $12, updated_at = $13
		WHERE ref = $14`,
		s.Price.ProviderID, s.Price.Plan, string(s.Price.Interval), s.Price.Amount, s.Price.Currency,
		s.Seats, string(s.Status), s.CurrentPeriodStart, s.CurrentPeriodEnd, s.TrialEnd,
		s.CancelAtPeriodEnd, s.CanceledAt, s.UpdatedAt, s.Ref)
}

// subscriptionsOf lists a customer's subscriptions, newest first.
func (p *Provider) subscriptionsOf(ctx context.Context, customerRef string) ([]subscription, error) {
	return db.QueryAll(ctx, p.db.Q(ctx), scanSubscription, "list sandbox subscriptions",
		`SELECT `+subscriptionColumns+` FROM sandbox_subscriptions WHERE customer_ref = $1
		ORDER BY created_at DESC, ref DESC`, customerRef)
}
