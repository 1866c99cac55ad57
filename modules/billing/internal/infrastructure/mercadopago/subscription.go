package mercadopago

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mercadopago/sdk-go/pkg/invoice"
	"github.com/mercadopago/sdk-go/pkg/preapproval"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
)

// Mercado Pago's preapproval statuses.
const (
	preapprovalPending    = "pending"
	preapprovalAuthorized = "authorized"
	preapprovalPaused     = "paused"
	preapprovalCancelled  = "cancelled"
)

// Mercado Pago's authorized payment (invoice) statuses, and the payment
// status of a refused charge.
const (
	invoiceScheduled = "scheduled"
	invoiceRecycling = "recycling"
	invoiceCancelled = "cancelled"
	paymentRejected  = "rejected"
)

// maxChargeAttempts is how many times Mercado Pago charges one installment
// (the first attempt and its retries) before giving up on it.
const maxChargeAttempts = 4

// paymentPageSize and maxPaymentPages bound the scan of a preapproval's
// authorized payments for its latest one.
const (
	paymentPageSize = 50
	maxPaymentPages = 20
)

// authorizedPaymentPrefix marks a SubscriptionRef that names an authorized
// payment rather than its preapproval; see ParseWebhook.
const authorizedPaymentPrefix = "authorized_payment:"

// zeroDecimal lists the ISO 4217 currencies Mercado Pago charges in without
// a minor unit, where Price.Amount is already in whole units.
var zeroDecimal = map[string]bool{"CLP": true, "PYG": true}

// Checkout implements domain.PaymentProvider: it creates a pending
// preapproval for the organization (its ID as external_reference, the
// buyer's email as payer_email, SuccessURL as back_url, the plan as reason)
// and returns its init_point, where the buyer authorizes it. A price with a
// ProviderID subscribes to that preapproval plan; any other is charged
// monthly, or every 12 months for a yearly price, at Amount in Currency,
// after a free trial of TrialDays days. CancelURL is unused: Mercado Pago
// has a single back_url. Errors: kernel.Invalid for a request Mercado Pago
// cannot express (seats, no payer email) or refuses;
// domain.ErrProviderUnavailable.
func (p *Provider) Checkout(ctx context.Context, r domain.CheckoutRequest) (string, error) {
	if r.Seats > 1 {
		return "", errSeatsUnsupported
	}
	if r.OrganizationID.IsZero() {
		return "", kernel.Invalid("billing.organization_required", "A checkout needs an organization.")
	}
	if strings.TrimSpace(r.PayerEmail) == "" {
		return "", kernel.Invalid("billing.payer_email_required", "Mercado Pago needs the payer's email address.")
	}
	req := preapproval.Request{
		Reason:            r.Price.Plan,
		ExternalReference: r.OrganizationID.String(),
		PayerEmail:        r.PayerEmail,
		BackURL:           r.SuccessURL,
		Status:            preapprovalPending,
	}
	if r.Price.ProviderID != "" {
		req.PreapprovalPlanID = r.Price.ProviderID
	} else {
		ar, err := autoRecurring(r.Price)
		if err != nil {
			return "", err
		}
		if r.TrialDays > 0 {
			ar.FreeTrial = &preapproval.FreeTrialRequest{Frequency: r.TrialDays, FrequencyType: "days"}
		}
		req.AutoRecurring = ar
	}
	pa, err := p.preapprovals.Create(ctx, req)
	if err != nil {
		return "", providerError("mercadopago: create preapproval", err, nil)
	}
	if pa == nil || pa.InitPoint == "" {
		return "", fmt.Errorf("mercadopago: create preapproval: %w",
			domain.ErrProviderUnavailable.WithCause(fmt.Errorf("answer has no init_point")))
	}
	return pa.InitPoint, nil
}

// autoRecurring is the recurrence that charges price.
func autoRecurring(price domain.Price) (*preapproval.AutoRecurringRequest, error) {
	months := 1
	switch price.Interval {
	case domain.Month:
	case domain.Year:
		months = 12
	default:
		return nil, kernel.Invalid("billing.interval_unsupported", fmt.Sprintf("Mercado Pago cannot charge every %q.", price.Interval))
	}
	amount, currency, err := majorUnits(price)
	if err != nil {
		return nil, err
	}
	return &preapproval.AutoRecurringRequest{
		Frequency:         months,
		FrequencyType:     "months",
		TransactionAmount: amount,
		CurrencyID:        currency,
	}, nil
}

// majorUnits is price's amount as Mercado Pago's decimal transaction_amount
// (Amount/100, or Amount for a zero-decimal currency) and its upper-case
// currency.
func majorUnits(price domain.Price) (float64, string, error) {
	currency := strings.ToUpper(price.Currency)
	if len(currency) != 3 {
		return 0, "", kernel.Invalid("billing.currency_invalid", fmt.Sprintf("%q is not an ISO 4217 currency.", price.Currency))
	}
	if price.Amount <= 0 {
		return 0, "", kernel.Invalid("billing.amount_invalid", "Mercado Pago charges a positive amount.")
	}
	if zeroDecimal[currency] {
		return float64(price.Amount), currency, nil
	}
	return float64(price.Amount) / 100, currency, nil
}

// Subscription implements domain.PaymentProvider. ref is a preapproval's
// ID, or "authorized_payment:{id}" from an authorized payment's webhook, in
// which case the payment is fetched and then its preapproval; the snapshot's
// Ref is always the preapproval's ID. Errors:
// domain.ErrUnknownSubscription, domain.ErrProviderUnavailable.
//
// The status is the preapproval's (authorized → active, paused → paused,
// cancelled → canceled, pending → incomplete), refined for an authorized
// one by its latest charged authorized payment: still being retried
// (recycling, or rejected with attempts left) → past_due; rejected with no
// attempts left → unpaid; none charged yet during a free trial → trialing.
// Mercado Pago has no period object: the period ends at next_payment_date
// and starts one frequency (1 or 12 months, or the days of a daily
// frequency) before it. ChangedAt is last_modified; Seats is 1.
func (p *Provider) Subscription(ctx context.Context, ref string) (domain.ProviderSubscription, error) {
	id, err := p.preapprovalID(ctx, ref)
	if err != nil {
		return domain.ProviderSubscription{}, err
	}
	pa, err := p.preapprovals.Get(ctx, id)
	if err != nil {
		return domain.ProviderSubscription{}, providerError("mercadopago: get preapproval", err, domain.ErrUnknownSubscription)
	}
	return p.snapshot(ctx, pa)
}

// Cancel implements domain.PaymentProvider by cancelling the preapproval
// now, whatever atPeriodEnd says: Mercado Pago has no cancellation at the
// period end, and a cancelled preapproval cannot be authorized again. The
// snapshot is canceled with CancelAtPeriodEnd false. Errors:
// domain.ErrUnknownSubscription, kernel.Invalid when Mercado Pago refuses,
// domain.ErrProviderUnavailable.
func (p *Provider) Cancel(ctx context.Context, ref string, _ bool) (domain.ProviderSubscription, error) {
	return p.update(ctx, ref, "cancel preapproval", preapproval.UpdateRequest{Status: preapprovalCancelled})
}

// Resume implements domain.PaymentProvider by authorizing the preapproval
// again, which undoes a pause; a cancelled preapproval cannot be resumed
// and Mercado Pago's refusal comes back as kernel.Invalid. Other errors:
// domain.ErrUnknownSubscription, domain.ErrProviderUnavailable.
func (p *Provider) Resume(ctx context.Context, ref string) (domain.ProviderSubscription, error) {
	return p.update(ctx, ref, "resume preapproval", preapproval.UpdateRequest{Status: preapprovalAuthorized})
}

// ChangePrice implements domain.PaymentProvider by changing the
// preapproval's transaction_amount (and its reason, to the new plan), which
// Mercado Pago charges from the next installment: it does not prorate, so
// now is ignored. Only the amount can change: a preapproval tied to a
// preapproval plan, a target price that is a plan, another interval, another
// currency or seats give kernel.Invalid. Other errors:
// domain.ErrUnknownSubscription, domain.ErrProviderUnavailable.
func (p *Provider) ChangePrice(ctx context.Context, ref string, price domain.Price, seats int, _ bool) (domain.ProviderSubscription, error) {
	if seats > 1 {
		return domain.ProviderSubscription{}, errSeatsUnsupported
	}
	id, err := p.preapprovalID(ctx, ref)
	if err != nil {
		return domain.ProviderSubscription{}, err
	}
	pa, err := p.preapprovals.Get(ctx, id)
	if err != nil {
		return domain.ProviderSubscription{}, providerError("mercadopago: get preapproval", err, domain.ErrUnknownSubscription)
	}
	if pa.PreapprovalPlanID != "" || price.ProviderID != "" {
		return domain.ProviderSubscription{}, kernel.Invalid("billing.plan_change_unsupported",
			"A Mercado Pago subscription tied to a preapproval plan cannot change its price; cancel it and subscribe again.")
	}
	want, err := autoRecurring(price)
	if err != nil {
		return domain.ProviderSubscription{}, err
	}
	if interval, ok := intervalOf(pa.AutoRecurring); !ok || interval != price.Interval {
		return domain.ProviderSubscription{}, kernel.Invalid("billing.interval_change_unsupported",
			"Mercado Pago cannot change how often a subscription is charged; cancel it and subscribe again.")
	}
	if !strings.EqualFold(pa.AutoRecurring.CurrencyID, want.CurrencyID) {
		return domain.ProviderSubscription{}, kernel.Invalid("billing.currency_change_unsupported",
			"Mercado Pago cannot change a subscription's currency.")
	}
	return p.update(ctx, id, "change preapproval amount", preapproval.UpdateRequest{
		Reason:        price.Plan,
		AutoRecurring: &preapproval.AutoRecurringUpdateRequest{TransactionAmount: want.TransactionAmount},
	})
}

// update applies req to the preapproval ref names and maps the answer.
func (p *Provider) update(ctx context.Context, ref, op string, req preapproval.UpdateRequest) (domain.ProviderSubscription, error) {
	id, err := p.preapprovalID(ctx, ref)
	if err != nil {
		return domain.ProviderSubscription{}, err
	}
	pa, err := p.preapprovals.Update(ctx, id, req)
	if err != nil {
		return domain.ProviderSubscription{}, providerError("mercadopago: "+op, err, domain.ErrUnknownSubscription)
	}
	return p.snapshot(ctx, pa)
}

// preapprovalID resolves ref to a preapproval's ID: itself, or for
// "authorized_payment:{id}" the preapproval_id of that payment. A ref that
// cannot be an ID names nothing: domain.ErrUnknownSubscription.
func (p *Provider) preapprovalID(ctx context.Context, ref string) (string, error) {
	paymentID, isPayment := strings.CutPrefix(ref, authorizedPaymentPrefix)
	if !isPayment {
		if !validID(ref) {
			return "", domain.ErrUnknownSubscription
		}
		return ref, nil
	}
	if !validID(paymentID) {
		return "", domain.ErrUnknownSubscription
	}
	ap, err := p.payments.Get(ctx, paymentID)
	if err != nil {
		return "", providerError("mercadopago: get authorized payment", err, domain.ErrUnknownSubscription)
	}
	if ap == nil || !validID(ap.PreapprovalID) {
		return "", fmt.Errorf("mercadopago: authorized payment %s has no preapproval: %w", paymentID, domain.ErrUnknownSubscription)
	}
	return ap.PreapprovalID, nil
}

// validID reports whether s can be a Mercado Pago ID; the SDK puts IDs in a
// URL path unescaped, so nothing else may reach it.
func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// snapshot maps a preapproval to the port's subscription, looking up its
// authorized payments when it is authorized.
func (p *Provider) snapshot(ctx context.Context, pa *preapproval.Response) (domain.ProviderSubscription, error) {
	if pa == nil || pa.ID == "" {
		return domain.ProviderSubscription{}, fmt.Errorf("mercadopago: %w",
			domain.ErrProviderUnavailable.WithCause(fmt.Errorf("answer has no preapproval")))
	}
	s := domain.ProviderSubscription{
		Ref:       pa.ID,
		PriceID:   pa.PreapprovalPlanID,
		Seats:     1,
		ChangedAt: pa.LastModified.UTC(),
	}
	if org, err := kernel.ParseID[kernel.OrganizationKind](pa.ExternalReference); err == nil {
		s.OrganizationID = org
		s.CustomerRef = customerPrefix + org.String()
	}
	if !pa.NextPaymentDate.IsZero() {
		s.CurrentPeriodEnd = pa.NextPaymentDate.UTC()
		s.CurrentPeriodStart = back(s.CurrentPeriodEnd, pa.AutoRecurring.Frequency, pa.AutoRecurring.FrequencyType)
	}
	trial := pa.AutoRecurring.FreeTrial
	if trial.Frequency > 0 {
		start := pa.AutoRecurring.StartDate
		if start.IsZero() {
			start = pa.DateCreated
		}
		end := forward(start.UTC(), trial.Frequency, trial.FrequencyType)
		s.TrialEnd = &end
	}
	switch pa.Status {
	case preapprovalPending:
		s.Status = domain.StatusIncomplete
	case preapprovalPaused:
		s.Status = domain.StatusPaused
	case preapprovalCancelled:
		s.Status = domain.StatusCanceled
	case preapprovalAuthorized:
		latest, err := p.latestCharge(ctx, pa.ID)
		if err != nil {
			return domain.ProviderSubscription{}, err
		}
		s.Status = authorizedStatus(latest, s.TrialEnd != nil)
	default:
		return domain.ProviderSubscription{}, fmt.Errorf("mercadopago: preapproval %s has unknown status %q", pa.ID, pa.Status)
	}
	return s, nil
}

// authorizedStatus is the status of an authorized preapproval whose latest
// charged authorized payment is latest (nil: none yet).
func authorizedStatus(latest *invoice.Response, trial bool) domain.Status {
	switch {
	case latest == nil && trial:
		return domain.StatusTrialing
	case latest == nil:
		return domain.StatusActive
	case latest.Status == invoiceRecycling:
		return domain.StatusPastDue
	case latest.Payment.Status == paymentRejected && latest.Status != invoiceCancelled && latest.RetryAttempt < maxChargeAttempts:
		return domain.StatusPastDue
	case latest.Payment.Status == paymentRejected:
		return domain.StatusUnpaid
	default:
		return domain.StatusActive
	}
}

// latestCharge is the preapproval's most recent authorized payment that has
// been charged (scheduled ones, not yet attempted, are skipped), or nil.
// Mercado Pago's search does not promise an order, so every page is read
// (up to maxPaymentPages) and the latest by date_created, then ID, wins.
func (p *Provider) latestCharge(ctx context.Context, preapprovalID string) (*invoice.Response, error) {
	var latest *invoice.Response
	for page, offset := 0, 0; page < maxPaymentPages; page++ {
		res, err := p.payments.Search(ctx, invoice.SearchRequest{
			Limit:   paymentPageSize,
			Offset:  offset,
			Filters: map[string]string{"preapproval_id": preapprovalID},
		})
		if err != nil {
			return nil, providerError("mercadopago: search authorized payments", err, nil)
		}
		if res == nil {
			break
		}
		for i := range res.Results {
			ap := &res.Results[i]
			if ap.Status == invoiceScheduled && ap.Payment.ID == 0 {
				continue
			}
			if latest == nil || cmp.Or(ap.DateCreated.Compare(latest.DateCreated), cmp.Compare(ap.ID, latest.ID)) > 0 {
				latest = ap
			}
		}
		offset += len(res.Results)
		if len(res.Results) == 0 || offset >= res.Paging.Total {
			break
		}
	}
	return latest, nil
}

// intervalOf is the port's interval of a recurrence: 1 month or 12 months.
func intervalOf(ar preapproval.AutoRecurringResponse) (domain.Interval, bool) {
	switch {
	case ar.FrequencyType == "months" && ar.Frequency == 1:
		return domain.Month, true
	case ar.FrequencyType == "months" && ar.Frequency == 12:
		return domain.Year, true
	}
	return "", false
}

// forward is t moved n units of Mercado Pago's frequency_type ("months",
// "days") later.
func forward(t time.Time, n int, unit string) time.Time {
	if unit == "days" {
		return t.AddDate(0, 0, n)
	}
	return t.AddDate(0, n, 0)
}

// back is t moved n units of unit earlier; n < 1 counts as 1, the shortest
// recurrence.
func back(t time.Time, n int, unit string) time.Time {
	return forward(t, -max(n, 1), unit)
}
