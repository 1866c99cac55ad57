// Package httpapi is the platform module's HTTP surface: the first-run
// bootstrap (POST /api/v1/platform/bootstrap and the /setup page).
package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/platform/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// Handler serves the platform module's own routes.
type Handler struct {
	bootstrap *application.Bootstrap
}

// New returns a Handler over the bootstrap.
func New(b *application.Bootstrap) *Handler { return &Handler{bootstrap: b} }

// Register mounts the bootstrap: POST /api/v1/platform/bootstrap, which a
// signed-in user who is not (yet) an admin calls, so it is outside the
// admin gate; and the /setup page.
func (h *Handler) Register(r *web.Router) {
	api := r.API()
	op := web.Op("bootstrap-platform", http.MethodPost, web.AdminPrefix+"/bootstrap", web.AdminTag,
		"Become the first platform admin",
		"While no platform admin exists, serve logs a setup link (SERVER_URL/setup?token=…, valid 30 minutes, replaced at "+
			"each start). A signed-in user with a verified email who posts its token becomes the first platform admin and "+
			"spends it. A wrong token is 404; a spent or expired one, or any once an admin exists, 410.",
		http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone, http.StatusUnprocessableEntity)
	op.Middlewares = huma.Middlewares{web.Gate(api, ownSession)}
	huma.Register(api, op, h.spend)
	r.Handle("GET /setup", http.HandlerFunc(h.setupPage))
	r.Handle("POST /setup", http.HandlerFunc(h.setupForm))
}

// ownSession: a signed-in user acting as themselves.
func ownSession(ctx context.Context) error {
	_, err := kernel.RequireOwnSession(ctx)
	return err
}

type spendInput struct {
	Body struct {
		Token string `json:"token,omitempty" maxLength:"100" doc:"The token of the setup link (required)."`
	}
}

type spendOutput struct {
	Body struct {
		UserID        string `json:"userId" doc:"The new platform admin."`
		PlatformAdmin bool   `json:"platformAdmin" doc:"Always true."`
	}
}

func (h *Handler) spend(ctx context.Context, in *spendInput) (*spendOutput, error) {
	p, err := kernel.RequireOwnSession(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.bootstrap.Spend(ctx, p.UserID, in.Body.Token); err != nil {
		return nil, err
	}
	out := &spendOutput{}
	out.Body.UserID, out.Body.PlatformAdmin = p.UserID.String(), true
	return out, nil
}

// setupPage is what the setup link opens.
type setupPage struct {
	Token    string
	SignedIn bool
	Done     bool
	Error    string
}

// setupView posts to the page's own URL; it needs no script.
var setupView = web.NewPage(`{{define "title"}}Set up Groundwork{{end}}{{define "content"}}
<h1>{{if .Done}}You are the platform admin{{else}}Become the first platform admin{{end}}</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{if .Done}}<p class="done">Your account now administers this Groundwork: every route under /api/v1/platform is open to you, and you can promote other admins there.</p>
{{else if not .SignedIn}}<p>Sign in with the account that should administer this Groundwork (its email must be verified), then open this link again.</p>
{{else if .Token}}<p>Nobody administers this Groundwork yet. Your account will be its first platform admin; this link then stops working.</p>
<form method="post" action="/setup">
<input type="hidden" name="token" value="{{.Token}}">
<button class="wide" type="submit">Become the platform admin</button>
</form>{{end}}{{end}}`)

func (h *Handler) setupPage(w http.ResponseWriter, r *http.Request) {
	_, err := kernel.RequireOwnSession(r.Context())
	page := setupPage{Token: r.URL.Query().Get("token"), SignedIn: err == nil}
	if page.Token == "" {
		page.Error = application.ErrBootstrapNotFound.Detail
		setupView.Write(w, http.StatusNotFound, page)
		return
	}
	setupView.Write(w, http.StatusOK, page)
}

func (h *Handler) setupForm(w http.ResponseWriter, r *http.Request) {
	p, err := kernel.RequireOwnSession(r.Context())
	page := setupPage{Token: r.PostFormValue("token"), SignedIn: err == nil}
	if err == nil {
		err = h.bootstrap.Spend(r.Context(), p.UserID, page.Token)
	}
	if err != nil {
		status, msg := web.PageError(w, r, err)
		page.Error = msg
		setupView.Write(w, status, page)
		return
	}
	page.Done = true
	setupView.Write(w, http.StatusOK, page)
}
