package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

// resetRequestedMessage is Better Auth's answer to request-password-reset,
// the same whether or not the account exists.
const resetRequestedMessage = "If this email exists in our system, check your email for the reset link"

func (h *Handler) registerVerification(r *web.Router, op opFunc) {
	api := r.API()
	huma.Register(api, op("send-verification-email", http.MethodPost, "/send-verification-email", "Send a verification email",
		"Emails a new verification link to the account with that email when it exists and is unverified; the answer is the same either way. "+
			"A signed-in caller may only ask for their own, unverified, email.",
		http.StatusUnprocessableEntity, http.StatusTooManyRequests), h.sendVerificationEmail)
	for _, path := range []string{"/request-password-reset", "/forget-password"} {
		id, summary := "request-password-reset", "Request a password reset email"
		if path == "/forget-password" {
			id, summary = "forget-password", "Request a password reset email (Better Auth's older name)"
		}
		huma.Register(api, op(id, http.MethodPost, path, summary,
			"Emails a reset link (valid one hour) when the account exists; the answer is the same either way. With redirectTo "+
				"(a path or a URL on SERVER_URL or WEB_ORIGINS) the link leads there with ?token=; otherwise to "+
				"GET /api/auth/reset-password/{token}, a page to choose the new password.",
			http.StatusUnprocessableEntity, http.StatusTooManyRequests), h.requestPasswordReset)
	}
	huma.Register(api, op("reset-password", http.MethodPost, "/reset-password", "Reset the password",
		"Spends a reset (or set-password) token and sets the new password; every session of the user ends. "+
			"The token comes in the body or the query. A used, expired or unknown token answers INVALID_TOKEN, nothing changed.",
		http.StatusUnprocessableEntity), h.resetPassword)

	r.Handle("GET /api/auth/verify-email", http.HandlerFunc(h.verifyEmail))
	r.Handle("GET /api/auth/reset-password/{token}", http.HandlerFunc(h.resetPasswordLink))
	r.Handle("POST /api/auth/reset-password/{token}", http.HandlerFunc(h.resetPasswordForm))
	documentLinks(api)
}

type sendVerificationInput struct {
	clientMeta
	Body struct {
		_           struct{} `additionalProperties:"true"` // Better Auth ignores unknown fields
		Email       string   `json:"email"`
		CallbackURL string   `json:"callbackURL,omitempty" doc:"Where the link leads after verifying: a path or a URL on SERVER_URL or WEB_ORIGINS."`
	}
}

func (h *Handler) sendVerificationEmail(ctx context.Context, in *sendVerificationInput) (*statusOutput, error) {
	if a, ok := currentSession(ctx); ok {
		if e, err := domain.ParseEmail(in.Body.Email); err == nil && e.String() != a.User.Email {
			return nil, errEmailMismatch
		}
		if a.User.EmailVerified {
			return nil, errEmailAlreadyVerified
		}
	}
	if err := h.svc.SendVerificationEmail(ctx, in.Body.Email, in.Body.CallbackURL, in.meta); err != nil {
		return nil, err
	}
	return statusTrue(), nil
}

type requestResetInput struct {
	clientMeta
	Body struct {
		_          struct{} `additionalProperties:"true"` // Better Auth ignores unknown fields
		Email      string   `json:"email"`
		RedirectTo string   `json:"redirectTo,omitempty" doc:"The front end's reset page: a path or a URL on SERVER_URL or WEB_ORIGINS. The email's link leads there with ?token=."`
	}
}

type requestResetOutput struct {
	Body struct {
		_       struct{} `additionalProperties:"true"` // Better Auth ignores unknown fields
		Status  bool     `json:"status"`
		Message string   `json:"message"`
	}
}

func (h *Handler) requestPasswordReset(ctx context.Context, in *requestResetInput) (*requestResetOutput, error) {
	if err := h.svc.RequestPasswordReset(ctx, in.Body.Email, in.Body.RedirectTo, in.meta); err != nil {
		return nil, err
	}
	out := &requestResetOutput{}
	out.Body.Status, out.Body.Message = true, resetRequestedMessage
	return out, nil
}

type resetPasswordInput struct {
	Token string `query:"token" doc:"The token, when not in the body."`
	Body  struct {
		NewPassword string `json:"newPassword" doc:"8 to 128 characters."`
		Token       string `json:"token,omitempty" doc:"The token from the reset link."`
	}
}

func (h *Handler) resetPassword(ctx context.Context, in *resetPasswordInput) (*statusOutput, error) {
	token := in.Body.Token
	if token == "" {
		token = in.Token
	}
	if token == "" {
		return nil, domain.ErrInvalidToken
	}
	if err := h.svc.ResetPassword(ctx, token, in.Body.NewPassword); err != nil {
		return nil, err
	}
	return statusTrue(), nil
}

// verifyEmail serves the link in a verification email, opened from a mail
// client. With a callbackURL it redirects there (adding ?error=<code> when
// the token is spent, expired or unknown); without one it answers JSON. A
// callbackURL that is not on SERVER_URL or WEB_ORIGINS is refused before
// the token is touched: never an open redirect.
func (h *Handler) verifyEmail(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	q := r.URL.Query()
	token, callback := q.Get("token"), q.Get("callbackURL")
	if callback != "" && !h.svc.TrustedURL(callback) {
		writeAuthProblem(w, r, application.ErrInvalidCallbackURL, verifyEmailProblem)
		return
	}
	user, err := h.svc.VerifyEmail(r.Context(), token)
	switch {
	case err != nil && callback != "" && kernel.KindOf(err) != kernel.KindInternal:
		redirect(w, withQuery(callback, "error", kernel.CodeOf(err)))
	case err != nil:
		writeAuthProblem(w, r, err, verifyEmailProblem)
	case callback != "":
		redirect(w, callback)
	default:
		writeJSON(w, http.StatusOK, verifiedBody{Status: true, User: userJSON(user)})
	}
}

type verifiedBody struct {
	Status bool `json:"status"`
	User   User `json:"user"`
}

// resetPasswordLink serves GET /api/auth/reset-password/{token}. With a
// trusted callbackURL (Better Auth's flow) it redirects there with
// ?token=, or ?error=INVALID_TOKEN when the token is malformed; an
// untrusted one is refused. Without one it shows a small page to choose the
// new password. The token's validity is checked when the password is set.
func (h *Handler) resetPasswordLink(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	token, callback := r.PathValue("token"), r.URL.Query().Get("callbackURL")
	_, wellFormed := kernel.ParseToken(token)
	switch {
	case callback != "" && !h.svc.TrustedURL(callback):
		writeAuthProblem(w, r, application.ErrInvalidCallbackURL, betterAuthProblem)
	case callback != "" && !wellFormed:
		redirect(w, withQuery(callback, "error", domain.ErrInvalidToken.Code))
	case callback != "":
		// A spent or expired token is not handed on: the front end is told,
		// as Better Auth tells it.
		live, err := h.svc.ResetTokenLive(r.Context(), token)
		switch {
		case err != nil:
			writeAuthProblem(w, r, err, betterAuthProblem)
		case !live:
			redirect(w, withQuery(callback, "error", domain.ErrInvalidToken.Code))
		default:
			redirect(w, withQuery(callback, "token", token))
		}
	case !wellFormed:
		writeResetPage(w, http.StatusUnprocessableEntity, resetPage{Error: invalidLinkMessage})
	default:
		writeResetPage(w, http.StatusOK, resetPage{Form: true})
	}
}

// resetPasswordForm takes the page's form (application/x-www-form-urlencoded:
// newPassword, confirmPassword) and answers with a page. Cross-origin posts
// are refused by the router's cross-origin protection.
func (h *Handler) resetPasswordForm(w http.ResponseWriter, r *http.Request) {
	noStore(w)
	token := r.PathValue("token")
	if err := web.ParseForm(r); err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	pw := r.PostForm.Get("newPassword")
	if pw != r.PostForm.Get("confirmPassword") {
		writeResetPage(w, http.StatusUnprocessableEntity, resetPage{Form: true, Error: "The two passwords do not match."})
		return
	}
	err := h.svc.ResetPassword(r.Context(), token, pw)
	switch {
	case err == nil:
		writeResetPage(w, http.StatusOK, resetPage{Done: true})
	case kernel.CodeOf(err) == domain.ErrInvalidToken.Code:
		writeResetPage(w, http.StatusUnprocessableEntity, resetPage{Error: invalidLinkMessage})
	default:
		status, msg := web.PageError(w, r, err)
		if e := kernel.AsError(err); e != nil && e.Kind == kernel.KindInvalid && len(e.Fields) > 0 {
			msg = "The password " + e.Fields[0].Message + "."
		}
		writeResetPage(w, status, resetPage{Form: true, Error: msg})
	}
}

func noStore(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	// The URL carries a secret token: do not hand it to another site.
	// same-origin, not no-referrer: the page's own form posts then carry
	// its real Origin (no-referrer makes it "null", which the origin check
	// refuses from a browser too old to send Sec-Fetch-Site).
	h.Set("Referrer-Policy", "same-origin")
}

func redirect(w http.ResponseWriter, location string) {
	w.Header().Set("Location", location)
	w.WriteHeader(http.StatusFound)
}

// withQuery adds key=value to the query of u (already checked by
// TrustedURL, so it parses), keeping what the query already holds.
func withQuery(u, key, value string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	if parsed.RawQuery != "" {
		parsed.RawQuery += "&"
	}
	parsed.RawQuery += url.QueryEscape(key) + "=" + url.QueryEscape(value)
	return parsed.String()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// documentLinks adds the plain handlers to the OpenAPI document.
func documentLinks(api huma.API) {
	oapi := api.OpenAPI()
	problem := oapi.Components.Schemas.Schema(reflect.TypeFor[web.Problem](), true, "")
	verified := oapi.Components.Schemas.Schema(reflect.TypeFor[verifiedBody](), true, "VerifiedBody")
	str := &huma.Schema{Type: huma.TypeString}
	problemContent := map[string]*huma.MediaType{"application/problem+json": {Schema: problem}}
	html := map[string]*huma.MediaType{"text/html": {Schema: str}}
	location := map[string]*huma.Param{"Location": {Schema: str}}
	oapi.AddOperation(&huma.Operation{
		OperationID: "verify-email", Method: http.MethodGet, Path: "/api/auth/verify-email",
		Summary: "Verify an email address",
		Description: "The link in a verification email. Spends the token and marks the email verified. With a callbackURL it redirects there " +
			"(with ?error=INVALID_TOKEN when the token is used, expired or unknown); without one it answers JSON. " +
			"A callbackURL not on SERVER_URL or WEB_ORIGINS is refused, never followed.",
		Tags: []string{tagAuth},
		Parameters: []*huma.Param{
			{Name: "token", In: "query", Required: true, Schema: str},
			{Name: "callbackURL", In: "query", Schema: str, Description: "A path or a URL on SERVER_URL or WEB_ORIGINS."},
		},
		Responses: map[string]*huma.Response{
			"200": {Description: "Verified.", Content: map[string]*huma.MediaType{"application/json": {Schema: verified}}},
			"302": {Description: "Redirect to callbackURL.", Headers: location},
			"422": {Description: "INVALID_TOKEN or INVALID_CALLBACK_URL.", Content: problemContent},
		},
	})
	oapi.AddOperation(&huma.Operation{
		OperationID: "reset-password-link", Method: http.MethodGet, Path: "/api/auth/reset-password/{token}",
		Summary: "Open a password reset link",
		Description: "With a callbackURL (on SERVER_URL or WEB_ORIGINS), redirects there with ?token= (or ?error=INVALID_TOKEN for a malformed token). " +
			"Without one, answers a self-contained HTML page whose form posts the new password to this same URL.",
		Tags: []string{tagAuth},
		Parameters: []*huma.Param{
			{Name: "token", In: "path", Required: true, Schema: str},
			{Name: "callbackURL", In: "query", Schema: str},
		},
		Responses: map[string]*huma.Response{
			"200": {Description: "The reset page.", Content: html},
			"302": {Description: "Redirect to callbackURL.", Headers: location},
			"422": {Description: "INVALID_CALLBACK_URL, or the page telling the link is invalid.", Content: problemContent},
		},
	})
	oapi.AddOperation(&huma.Operation{
		OperationID: "reset-password-form", Method: http.MethodPost, Path: "/api/auth/reset-password/{token}",
		Summary:     "Submit the password reset page",
		Description: "The reset page's form (newPassword, confirmPassword, form-encoded). Answers an HTML page saying what happened.",
		Tags:        []string{tagAuth},
		Parameters:  []*huma.Param{{Name: "token", In: "path", Required: true, Schema: str}},
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{
			"application/x-www-form-urlencoded": {Schema: &huma.Schema{Type: huma.TypeObject, Properties: map[string]*huma.Schema{
				"newPassword": str, "confirmPassword": str,
			}}},
		}},
		Responses: map[string]*huma.Response{
			"200": {Description: "Password changed.", Content: html},
			"422": {Description: "The link is invalid or the password does not fit the policy.", Content: html},
		},
	})
}
