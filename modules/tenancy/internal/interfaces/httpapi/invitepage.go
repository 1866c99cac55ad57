package httpapi

import (
	"net/http"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// The invitation page is where invitation emails link when there is no
// front end (WEB_ORIGINS unset): a signed-in invitee accepts or declines
// there with a plain form. A front end serves its own page at the same
// path of its origin.

// invitePage is what the page shows.
type invitePage struct {
	Preview  *application.InvitationPreview
	SignedIn bool
	Joined   string // the organization joined
	Declined bool
	Error    string
}

var invitePageView = web.NewPage(`{{define "title"}}Invitation{{end}}{{define "content"}}
{{if .Joined}}<h1>Welcome</h1><p class="done">You joined {{.Joined}}.</p>
{{else if .Declined}}<h1>Invitation declined</h1><p class="done">You declined the invitation.</p>
{{else}}<h1>Invitation</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{with .Preview}}<p>{{.InviterName}} invited you to join <strong>{{.OrganizationName}}</strong> with the {{.Role}} role.</p>
<p class="muted">The invitation is for {{.Email}}.</p>{{end}}
{{if and .Preview .SignedIn}}<form class="inline" method="post" action=""><input type="hidden" name="action" value="accept"><button type="submit">Accept</button></form>
<form class="inline" method="post" action=""><input type="hidden" name="action" value="decline"><button class="secondary" type="submit">Decline</button></form>
{{else if .Preview}}<p>Sign in as {{.Preview.Email}}, with the address verified, then open this link again to accept.</p>{{end}}
{{end}}{{end}}`)

func writeInvitePage(w http.ResponseWriter, status int, p invitePage) {
	invitePageView.Write(w, status, p)
}

// pageFailure is the status and sentence of err on the page: an unknown
// link says so; everything else as the shared page mapping says.
func pageFailure(w http.ResponseWriter, r *http.Request, err error) (int, string) {
	status, msg := web.PageError(w, r, err)
	if kernel.KindOf(err) == kernel.KindNotFound {
		msg = "This invitation link is not valid."
	}
	return status, msg
}

// invitationPage serves GET /invitations/{token}.
func (h *Handler) invitationPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, signedIn := kernel.PrincipalFrom(ctx)
	v, err := h.svc.PreviewInvitation(ctx, r.PathValue("token"))
	if err != nil {
		status, msg := pageFailure(w, r, err)
		writeInvitePage(w, status, invitePage{Error: msg})
		return
	}
	writeInvitePage(w, http.StatusOK, invitePage{Preview: &v, SignedIn: signedIn})
}

// invitationForm serves POST /invitations/{token}: accept or decline as
// the signed-in user.
func (h *Handler) invitationForm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.PathValue("token")
	p, signedIn := kernel.PrincipalFrom(ctx)
	if !signedIn {
		h.invitationPage(w, r)
		return
	}
	if err := web.ParseForm(r); err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	ref := application.InvitationRef{Token: token}
	switch r.PostForm.Get("action") {
	case "accept":
		v, err := h.svc.AcceptInvitation(ctx, p.UserID, ref)
		if err == nil {
			_, err = h.svc.SetActive(ctx, p.UserID, v.ID)
		}
		if err != nil {
			h.invitationFormError(w, r, err)
			return
		}
		c := h.activeCookie(v.ID)
		http.SetCookie(w, &c)
		writeInvitePage(w, http.StatusOK, invitePage{Joined: v.Name})
	case "decline":
		if err := h.svc.DeclineInvitation(ctx, p.UserID, ref); err != nil {
			h.invitationFormError(w, r, err)
			return
		}
		writeInvitePage(w, http.StatusOK, invitePage{Declined: true})
	default:
		writeInvitePage(w, http.StatusUnprocessableEntity, invitePage{Error: "Choose to accept or decline."})
	}
}

// invitationFormError shows err above the invitation, when it can still be
// previewed.
func (h *Handler) invitationFormError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := pageFailure(w, r, err)
	page := invitePage{Error: msg, SignedIn: true}
	if v, perr := h.svc.PreviewInvitation(r.Context(), r.PathValue("token")); perr == nil {
		page.Preview = &v
	}
	writeInvitePage(w, status, page)
}
