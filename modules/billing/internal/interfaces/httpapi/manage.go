package httpapi

import (
	"net/http"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/billing/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

// ManagePath is Groundwork's own page for managing a subscription: the
// portal of a provider that has none (Mercado Pago).
const ManagePath = "/billing/manage"

// managePage is what the page shows.
type managePage struct {
	Sub     *domain.Subscription
	Message string
	Error   string
}

// manageView is a plain page with same-origin forms; it needs no script.
var manageView = web.NewPage(`{{define "title"}}Your subscription{{end}}{{define "content"}}
<h1>Your subscription</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Message}}<p class="done">{{.Message}}</p>{{end}}
{{with .Sub}}<p>Plan <strong>{{.Plan}}</strong>, {{.Status}}{{if .CancelAtPeriodEnd}}, ending on {{.CurrentPeriodEnd.Format "2006-01-02"}}{{else}}, renewing on {{.CurrentPeriodEnd.Format "2006-01-02"}}{{end}}.</p>
<form method="post" action="">
{{if .CancelAtPeriodEnd}}<button type="submit" name="action" value="resume">Keep the subscription</button>
{{else}}<button class="secondary" type="submit" name="action" value="cancel_at_period_end">Cancel at the end of the period</button>{{end}}
<button class="secondary" type="submit" name="action" value="cancel">Cancel now</button>
</form>
{{else}}{{if not .Error}}<p>The organization is on the free plan.</p>{{end}}{{end}}{{end}}`)

// manage serves GET and POST ManagePath for the active organization:
// the signed-in caller needs billing:manage there.
func (h *Handler) manage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fail := func(err error) {
		status, msg := web.PageError(w, r, err)
		manageView.Write(w, status, managePage{Error: msg})
	}
	if err := kernel.RequirePermission(ctx, PermManage); err != nil {
		fail(err)
		return
	}
	o, _ := org(ctx)
	page := managePage{}
	if r.Method == http.MethodPost {
		var err error
		switch r.PostFormValue("action") {
		case "cancel_at_period_end":
			_, err = h.svc.Cancel(ctx, o, true)
			page.Message = "The subscription ends with the period."
		case "cancel":
			_, err = h.svc.Cancel(ctx, o, false)
			page.Message = "The subscription is canceled."
		case "resume":
			_, err = h.svc.Resume(ctx, o)
			page.Message = "The subscription goes on."
		default:
			err = kernel.Invalid("billing.invalid_action", "Choose one of the buttons.")
		}
		if err != nil {
			fail(err)
			return
		}
	}
	sub, err := h.svc.Subscription(ctx, o)
	if err != nil {
		fail(err)
		return
	}
	if sub != nil && sub.Status == domain.StatusCanceled {
		sub = nil
	}
	page.Sub = sub
	manageView.Write(w, http.StatusOK, page)
}
