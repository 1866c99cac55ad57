package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

// Mux is where Routes mounts the pages: a *http.ServeMux, web's Router.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Routes mounts the sandbox's pages: the checkout page GET and POST
// /billing/sandbox/checkout/{id}, and the subscription page GET and POST
// /billing/sandbox/subscriptions/{customer} (where Portal leads). Both are
// plain HTML forms, without script, posting to themselves; the posts are
// refused from another origin even where no middleware checks it. The
// pages need no sign-in: their URLs carry unguessable references, as a
// provider's hosted pages do.
func (p *Provider) Routes(mux Mux) {
	sameOrigin := http.NewCrossOriginProtection()
	mux.Handle("GET /billing/sandbox/checkout/{id}", http.HandlerFunc(p.checkoutPage))
	mux.Handle("POST /billing/sandbox/checkout/{id}", sameOrigin.Handler(http.HandlerFunc(p.checkoutForm)))
	mux.Handle("GET /billing/sandbox/subscriptions/{customer}", http.HandlerFunc(p.subscriptionsPage))
	mux.Handle("POST /billing/sandbox/subscriptions/{customer}", sameOrigin.Handler(http.HandlerFunc(p.subscriptionsForm)))
}

// maxFormBytes bounds the pages' form posts, a few short fields.
const maxFormBytes = 16 << 10

// checkoutView is what the checkout page shows.
type checkoutView struct {
	Customer  string
	Plan      string
	Interval  domain.Interval
	Price     string // per interval, per seat for a per-seat plan
	Seats     int
	Total     string // Price × Seats, for a per-seat plan
	TrialDays int
	Error     string
}

var checkoutPageView = web.NewPage(`{{define "title"}}Sandbox checkout{{end}}{{define "content"}}
<h1>Sandbox checkout</h1>
<p class="muted">A test payment: nothing is charged.{{with .Customer}} For {{.}}.{{end}}</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<p><strong>{{.Plan}}</strong>, billed every {{.Interval}}</p>
{{if .Seats}}<p>{{.Price}} per seat per {{.Interval}} × {{.Seats}} = <strong>{{.Total}}</strong> per {{.Interval}}</p>
{{else}}<p><strong>{{.Price}}</strong> per {{.Interval}}</p>{{end}}
{{if .TrialDays}}<p class="done">{{.TrialDays}}-day free trial</p>{{end}}
<form method="post" action="">
<button type="submit" name="action" value="pay">Pay</button>
<button class="secondary" type="submit" name="action" value="pay_then_fail">Pay, then fail the next payment</button>
<button class="secondary" type="submit" name="action" value="decline">Decline</button>
</form>
{{end}}`)

// messageView is a page that only says something: an unknown link, an
// error.
type messageView struct {
	Title, Message string
}

var messagePageView = web.NewPage(`{{define "title"}}{{.Title}}{{end}}{{define "content"}}
<h1>{{.Title}}</h1><p class="error" role="alert">{{.Message}}</p>{{end}}`)

// writeFailure shows err on a page: an unknown or spent link is a 404 that
// says so, a refusal its own detail, anything else a 500 whose cause
// web.PageError logs with the request.
func (p *Provider) writeFailure(w http.ResponseWriter, r *http.Request, title string, err error) {
	if ke := kernel.AsError(err); ke != nil && ke.Kind == kernel.KindNotFound {
		messagePageView.Write(w, http.StatusNotFound, messageView{Title: title, Message: ke.Detail})
		return
	}
	status, msg := web.PageError(w, r, err)
	messagePageView.Write(w, status, messageView{Title: title, Message: msg})
}

func (p *Provider) checkoutView(r *http.Request, c checkout) checkoutView {
	v := checkoutView{
		Plan: c.Price.Plan, Interval: c.Price.Interval, Price: formatAmount(c.Price.Amount, c.Price.Currency),
		Seats: c.Seats, TrialDays: c.TrialDays,
	}
	if c.Seats > 0 {
		v.Total = formatAmount(c.Price.Amount*int64(c.Seats), c.Price.Currency)
	}
	if cus, err := p.customer(r.Context(), c.CustomerRef); err == nil {
		v.Customer = cus.Name
		if v.Customer == "" {
			v.Customer = cus.Email
		}
	}
	return v
}

// checkoutPage serves GET /billing/sandbox/checkout/{id}: the open
// checkout's plan, price and seats with its three buttons; 404 when it is
// unknown or spent.
func (p *Provider) checkoutPage(w http.ResponseWriter, r *http.Request) {
	c, err := p.openCheckout(r.Context(), r.PathValue("id"), false)
	if err != nil {
		p.writeFailure(w, r, "Sandbox checkout", err)
		return
	}
	checkoutPageView.Write(w, http.StatusOK, p.checkoutView(r, c))
}

// checkoutForm serves POST /billing/sandbox/checkout/{id}: the buyer's
// choice, answered with a 303 to where the buyer goes next.
func (p *Provider) checkoutForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := web.ParseForm(r); err != nil {
		p.writeFailure(w, r, "Sandbox checkout", err)
		return
	}
	choice := r.PostForm.Get("action")
	switch choice {
	case outcomePay, outcomePayFail, outcomeDecline:
	default:
		c, err := p.openCheckout(r.Context(), r.PathValue("id"), false)
		if err != nil {
			p.writeFailure(w, r, "Sandbox checkout", err)
			return
		}
		v := p.checkoutView(r, c)
		v.Error = "Choose to pay or to decline."
		checkoutPageView.Write(w, http.StatusUnprocessableEntity, v)
		return
	}
	next, err := p.completeCheckout(r.Context(), r.PathValue("id"), choice)
	if err != nil {
		p.writeFailure(w, r, "Sandbox checkout", err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// subscriptionView is one subscription on the subscription page.
type subscriptionView struct {
	Ref               string
	Plan              string
	Interval          domain.Interval
	Price             string
	Seats             int
	Status            domain.Status
	PeriodEnd         string
	TrialEnd          string
	CancelAtPeriodEnd bool
	Live              bool // not canceled: the buttons apply
	PastDue           bool
}

// subscriptionsView is what the subscription page shows.
type subscriptionsView struct {
	Customer      string
	Subscriptions []subscriptionView
	Return        string
	Error         string
}

var subscriptionsPageView = web.NewPage(`{{define "title"}}Sandbox subscriptions{{end}}{{define "content"}}
<h1>Sandbox subscriptions</h1>
<p class="muted">Test subscriptions: nothing is charged.{{with .Customer}} For {{.}}.{{end}}</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{range .Subscriptions}}<section>
<p><strong>{{.Plan}}</strong>, {{.Price}} per {{.Interval}}{{if .Seats}} × {{.Seats}} seats{{end}}<br>
Status: <strong>{{.Status}}</strong>{{if .TrialEnd}}, trial ends {{.TrialEnd}}{{end}}{{if .Live}}, period ends {{.PeriodEnd}}{{end}}{{if .CancelAtPeriodEnd}}, cancels then{{end}}</p>
{{if .Live}}<form method="post" action=""><input type="hidden" name="subscription" value="{{.Ref}}">
{{if .CancelAtPeriodEnd}}<button type="submit" name="action" value="resume">Resume</button>
{{else}}<button class="secondary" type="submit" name="action" value="cancel_at_period_end">Cancel at the period end</button>
{{end}}<button class="secondary" type="submit" name="action" value="cancel">Cancel now</button>
{{if .PastDue}}<button type="submit" name="action" value="recover_payment">Pay the overdue invoice</button>
{{else}}<button class="secondary" type="submit" name="action" value="fail_payment">Fail the next payment</button>
{{end}}<button class="secondary" type="submit" name="action" value="end_period">End the period now</button>
</form>{{end}}
</section>{{else}}<p>No subscriptions yet.</p>{{end}}
{{with .Return}}<p><a href="{{.}}">Return</a></p>{{end}}
{{end}}`)

// subscriptionsPage serves GET /billing/sandbox/subscriptions/{customer}:
// the customer's subscriptions, newest first, with their buttons; 404 for
// an unknown customer.
func (p *Provider) subscriptionsPage(w http.ResponseWriter, r *http.Request) {
	p.writeSubscriptions(w, r, http.StatusOK, "")
}

func (p *Provider) writeSubscriptions(w http.ResponseWriter, r *http.Request, status int, message string) {
	ctx := r.Context()
	cus, err := p.customer(ctx, r.PathValue("customer"))
	if err != nil {
		p.writeFailure(w, r, "Sandbox subscriptions", err)
		return
	}
	subs, err := p.subscriptionsOf(ctx, cus.Ref)
	if err != nil {
		p.writeFailure(w, r, "Sandbox subscriptions", err)
		return
	}
	v := subscriptionsView{Customer: cus.Name, Return: returnURL(r), Error: message}
	if v.Customer == "" {
		v.Customer = cus.Email
	}
	for _, s := range subs {
		sv := subscriptionView{
			Ref: s.Ref, Plan: s.Price.Plan, Interval: s.Price.Interval, Price: formatAmount(s.Price.Amount, s.Price.Currency),
			Seats: s.Seats, Status: s.Status, PeriodEnd: formatDate(s.CurrentPeriodEnd),
			CancelAtPeriodEnd: s.CancelAtPeriodEnd, Live: s.Status.Live(), PastDue: s.Status == domain.StatusPastDue,
		}
		if s.TrialEnd != nil && s.Status == domain.StatusTrialing {
			sv.TrialEnd = formatDate(*s.TrialEnd)
		}
		v.Subscriptions = append(v.Subscriptions, sv)
	}
	subscriptionsPageView.Write(w, status, v)
}

// returnURL is the page's ?return=, when it is an absolute http or https
// URL (the link is shown, never followed on its own).
func returnURL(r *http.Request) string {
	if u := r.URL.Query().Get("return"); checkURL(u) {
		return u
	}
	return ""
}

// subscriptionsForm serves POST /billing/sandbox/subscriptions/{customer}:
// an action on one of the customer's subscriptions, answered with a 303
// back to the page (404 for a subscription of another customer).
func (p *Provider) subscriptionsForm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := web.ParseForm(r); err != nil {
		p.writeFailure(w, r, "Sandbox subscriptions", err)
		return
	}
	ref := r.PostForm.Get("subscription")
	s, err := p.subscription(ctx, ref, false)
	if err == nil && s.CustomerRef != r.PathValue("customer") {
		err = domain.ErrUnknownSubscription
	}
	if err != nil {
		p.writeFailure(w, r, "Sandbox subscriptions", err)
		return
	}
	switch r.PostForm.Get("action") {
	case "cancel":
		_, err = p.Cancel(ctx, ref, false)
	case "cancel_at_period_end":
		_, err = p.Cancel(ctx, ref, true)
	case "resume":
		_, err = p.Resume(ctx, ref)
	case "fail_payment":
		err = p.FailPayment(ctx, ref)
	case "recover_payment":
		err = p.RecoverPayment(ctx, ref)
	case "end_period":
		err = p.EndPeriod(ctx, ref)
	default:
		p.writeSubscriptions(w, r, http.StatusUnprocessableEntity, "Choose what to do with the subscription.")
		return
	}
	if err != nil {
		var ke *kernel.Error
		if errors.As(err, &ke) && ke.Kind == kernel.KindConflict {
			p.writeSubscriptions(w, r, http.StatusConflict, ke.Detail)
			return
		}
		p.writeFailure(w, r, "Sandbox subscriptions", err)
		return
	}
	http.Redirect(w, r, r.URL.RequestURI(), http.StatusSeeOther)
}

// zeroDecimal are the currencies without a minor unit, as Stripe lists
// them: their amounts are whole units.
var zeroDecimal = map[string]bool{
	"bif": true, "clp": true, "djf": true, "gnf": true, "jpy": true, "kmf": true, "krw": true, "mga": true,
	"pyg": true, "rwf": true, "ugx": true, "vnd": true, "vuv": true, "xaf": true, "xof": true, "xpf": true,
}

// formatAmount shows an amount in minor units with its currency
// ("19.00 USD").
func formatAmount(amount int64, currency string) string {
	code := strings.ToUpper(currency)
	if zeroDecimal[strings.ToLower(currency)] {
		return fmt.Sprintf("%d %s", amount, code)
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, amount/100, amount%100, code)
}

func formatDate(t time.Time) string { return t.UTC().Format("2 January 2006") }
