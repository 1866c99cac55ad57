package httpapi

import (
	"bytes"
	"html/template"
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

var invitePageTemplate = template.Must(template.New("invite").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Invitation</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f6f8;color:#1f2328;margin:0;padding:48px 16px}
main{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:32px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 16px}
form{display:inline}
button{margin:16px 8px 0 0;padding:10px 18px;border:0;border-radius:6px;background:#1f6feb;color:#fff;font-size:1rem;cursor:pointer}
button.secondary{background:#eaeef2;color:#1f2328}
.error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:10px}
.done{background:#dafbe1;border:1px solid #4ac26b;border-radius:6px;padding:10px}
.muted{color:#59636e}
</style>
</head>
<body>
<main>
{{if .Joined}}<h1>Welcome</h1><p class="done">You joined {{.Joined}}.</p>
{{else if .Declined}}<h1>Invitation declined</h1><p class="done">You declined the invitation.</p>
{{else}}<h1>Invitation</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
{{with .Preview}}<p>{{.InviterName}} invited you to join <strong>{{.OrganizationName}}</strong> with the {{.Role}} role.</p>
<p class="muted">The invitation is for {{.Email}}.</p>{{end}}
{{if and .Preview .SignedIn}}<form method="post" action=""><input type="hidden" name="action" value="accept"><button type="submit">Accept</button></form>
<form method="post" action=""><input type="hidden" name="action" value="decline"><button class="secondary" type="submit">Decline</button></form>
{{else if .Preview}}<p>Sign in as {{.Preview.Email}}, with the address verified, then open this link again to accept.</p>{{end}}
{{end}}
</main>
</body>
</html>
`))

// invitePageCSP allows the inline style and posting the form to this
// origin, nothing else.
const invitePageCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func writeInvitePage(w http.ResponseWriter, status int, p invitePage) {
	var b bytes.Buffer
	if err := invitePageTemplate.Execute(&b, p); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError) // the template is fixed: cannot happen
		return
	}
	web.WriteHTMLPage(w, status, invitePageCSP, b.Bytes())
}

// statusOf is the HTTP status of err's kind (500 for the unknown).
func statusOf(err error) int {
	switch kernel.KindOf(err) {
	case kernel.KindNotFound:
		return http.StatusNotFound
	case kernel.KindGone:
		return http.StatusGone
	case kernel.KindForbidden:
		return http.StatusForbidden
	case kernel.KindConflict:
		return http.StatusConflict
	case kernel.KindInvalid:
		return http.StatusUnprocessableEntity
	case kernel.KindUnauthenticated:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// pageError is what the page says of err: the error's own sentence for
// the caller's errors, a generic one otherwise (the cause is logged).
func pageError(r *http.Request, err error) string {
	if e := kernel.AsError(err); e != nil && e.Kind != kernel.KindInternal {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return "This invitation link is not valid."
		}
		return e.Detail
	}
	webLogError(r, err)
	return "Something went wrong; try again in a moment."
}

// invitationPage serves GET /invitations/{token}.
func (h *Handler) invitationPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_, signedIn := kernel.PrincipalFrom(ctx)
	v, err := h.svc.PreviewInvitation(ctx, r.PathValue("token"))
	if err != nil {
		writeInvitePage(w, statusOf(err), invitePage{Error: pageError(r, err)})
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
	page := invitePage{Error: pageError(r, err), SignedIn: true}
	if v, perr := h.svc.PreviewInvitation(r.Context(), r.PathValue("token")); perr == nil {
		page.Preview = &v
	}
	writeInvitePage(w, statusOf(err), page)
}

// webLogError logs an unexpected failure with the request's logger.
func webLogError(r *http.Request, err error) {
	web.Logger(r.Context()).ErrorContext(r.Context(), "invitation page failed", "error", err)
}
