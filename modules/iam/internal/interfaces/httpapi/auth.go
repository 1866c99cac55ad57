package httpapi

import (
	"context"
	"errors"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// requireOwnSession is the gate of ownSession operations.
func requireOwnSession(ctx context.Context) error {
	_, err := kernel.RequireOwnSession(ctx)
	return err
}

// registerAuth mounts /api/auth. Paths, bodies and answers follow Better
// Auth's routes (packages/better-auth/src/api/routes/*.ts); see doc.go of
// the iam module for where they differ.
func (h *Handler) registerAuth(r *web.Router) {
	api := r.API()
	signedIn := huma.Middlewares{web.RequireUser(api)}
	op := func(id, method, path, summary, desc string, errs ...int) huma.Operation {
		return huma.Operation{
			OperationID: id, Method: method, Path: "/api/auth" + path,
			Summary: summary, Description: desc, Tags: []string{tagAuth}, Errors: errs,
			Metadata: map[string]any{web.ProblemRewriteKey: betterAuthProblem},
		}
	}
	withSession := func(o huma.Operation) huma.Operation {
		o.Middlewares = signedIn
		o.Errors = append(o.Errors, http.StatusUnauthorized)
		return o
	}
	// ownSession is for what only the account's person may do: an
	// impersonating admin is refused (403 platform.impersonating).
	ownSession := func(o huma.Operation) huma.Operation {
		o.Middlewares = huma.Middlewares{web.Gate(api, requireOwnSession)}
		o.Errors = append(o.Errors, http.StatusUnauthorized, http.StatusForbidden)
		o.Description += " Refused (403 platform.impersonating) to a platform admin impersonating the user."
		return o
	}

	huma.Register(api, op("sign-up-email", http.MethodPost, "/sign-up/email", "Sign up with email and password",
		"Creates the account, sends the verification email and, unless REQUIRE_EMAIL_VERIFICATION is on, signs the user in "+
			"(session cookie set; token is the new session's handle). With verification required, token is null and no session exists yet.",
		http.StatusConflict, http.StatusUnprocessableEntity, http.StatusTooManyRequests), h.signUp)
	huma.Register(api, op("sign-in-email", http.MethodPost, "/sign-in/email", "Sign in with email and password",
		"Opens a new session and sets its cookie. An unknown email and a wrong password answer "+
			"401 INVALID_EMAIL_OR_PASSWORD alike; the right password of a deactivated account answers 403 BANNED_USER, as Better Auth's admin plugin does. With a callbackURL, redirect is true and url (and Location) name it.",
		http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusTooManyRequests), h.signIn)
	huma.Register(api, op("sign-out", http.MethodPost, "/sign-out", "Sign out",
		"Revokes the session the cookie names, if any, and clears the cookie. Signing out without a session also succeeds."), h.signOut)
	getSession := op("get-session", http.MethodGet, "/get-session", "Get the current session",
		"The signed-in session and user, or null when the request carries no valid session cookie.")
	// The body is written as bytes (see encode.go); document its real shape.
	getSession.Responses = map[string]*huma.Response{"200": {
		Description: "The session and its user, or null.",
		Content: map[string]*huma.MediaType{"application/json": {
			Schema: api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[sessionBody](), true, "SessionBody"),
		}},
	}}
	huma.Register(api, getSession, h.getSession)
	huma.Register(api, withSession(op("list-sessions", http.MethodGet, "/list-sessions", "List your sessions",
		"Your unexpired sessions, newest first (a platform admin's impersonation of you is not among them). Their token fields are handles, not credentials.")), h.listSessions)
	huma.Register(api, ownSession(op("revoke-session", http.MethodPost, "/revoke-session", "Revoke one of your sessions",
		"Ends the session whose handle (token field of list-sessions) is given.", http.StatusNotFound, http.StatusUnprocessableEntity)), h.revokeSession)
	huma.Register(api, ownSession(op("revoke-sessions", http.MethodPost, "/revoke-sessions", "Revoke all your sessions",
		"Ends every session of yours, this one included.")), h.revokeSessions)
	huma.Register(api, ownSession(op("revoke-other-sessions", http.MethodPost, "/revoke-other-sessions", "Revoke your other sessions",
		"Ends every session of yours but this one.")), h.revokeOtherSessions)

	h.registerAccount(api, op, withSession, ownSession)
	h.registerVerification(r, op)
}

type userTokenBody struct {
	Token *string `json:"token" doc:"The new session's handle (its ID, not a credential); null when no session was opened."`
	User  User    `json:"user"`
}

type signUpInput struct {
	clientMeta
	Body struct {
		_           struct{} `additionalProperties:"true"` // Better Auth ignores unknown fields
		Name        string   `json:"name" doc:"Display name (may be empty)."`
		Email       string   `json:"email"`
		Password    string   `json:"password" doc:"8 to 128 characters."`
		Image       string   `json:"image,omitempty" doc:"Picture URL (absolute http or https)."`
		CallbackURL string   `json:"callbackURL,omitempty" doc:"Where the verification link leads after verifying: a path or a URL on SERVER_URL or WEB_ORIGINS."`
		RememberMe  *bool    `json:"rememberMe,omitempty" doc:"False makes the cookie last only as long as the browser session."`
		Username    string   `json:"username,omitempty" doc:"Groundwork: optional unique username, 3–32 of a-z 0-9 _ -."`
		Locale      string   `json:"locale,omitempty" doc:"Groundwork: preferred locale (BCP 47)."`
	}
}

type signUpOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      userTokenBody
}

func (h *Handler) signUp(ctx context.Context, in *signUpInput) (*signUpOutput, error) {
	b := in.Body
	user, issued, err := h.svc.SignUp(ctx, application.SignUpInput{
		Email: b.Email, Password: b.Password, Name: b.Name, Image: b.Image,
		Username: b.Username, Locale: b.Locale, CallbackURL: b.CallbackURL, Meta: in.meta,
	})
	if err != nil {
		return nil, err
	}
	out := &signUpOutput{Body: userTokenBody{User: userJSON(user)}}
	if issued != nil {
		out.Body.Token = nullable(issued.Session.ID.String())
		out.SetCookie = h.issueCookies(issued.Token, issued.Session.ExpiresAt, rememberMe(b.RememberMe))
	}
	return out, nil
}

func rememberMe(v *bool) bool { return v == nil || *v }

type signInInput struct {
	clientMeta
	Body struct {
		_           struct{} `additionalProperties:"true"` // Better Auth ignores unknown fields
		Email       string   `json:"email"`
		Password    string   `json:"password"`
		CallbackURL string   `json:"callbackURL,omitempty" doc:"Where the client should go once signed in: a path or a URL on SERVER_URL or WEB_ORIGINS."`
		RememberMe  *bool    `json:"rememberMe,omitempty" doc:"False makes the cookie last only as long as the browser session."`
	}
}

type signInBody struct {
	Redirect bool   `json:"redirect" doc:"True when a callbackURL was given."`
	Token    string `json:"token" doc:"The new session's handle (its ID, not a credential)."`
	URL      string `json:"url,omitempty" doc:"The callbackURL, when given."`
	User     User   `json:"user"`
}

type signInOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Location  string        `header:"Location"`
	Body      signInBody
}

func (h *Handler) signIn(ctx context.Context, in *signInInput) (*signInOutput, error) {
	b := in.Body
	if b.CallbackURL != "" && !h.svc.TrustedURL(b.CallbackURL) {
		return nil, application.ErrInvalidCallbackURL
	}
	issued, err := h.svc.SignIn(ctx, application.SignInInput{Email: b.Email, Password: b.Password, Meta: in.meta})
	if err != nil {
		return nil, err
	}
	return &signInOutput{
		SetCookie: h.issueCookies(issued.Token, issued.Session.ExpiresAt, rememberMe(b.RememberMe)),
		Location:  b.CallbackURL,
		Body: signInBody{
			Redirect: b.CallbackURL != "",
			Token:    issued.Session.ID.String(),
			URL:      b.CallbackURL,
			User:     userJSON(issued.User),
		},
	}, nil
}

type signOutOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      struct {
		Success bool `json:"success"`
	}
}

func (h *Handler) signOut(ctx context.Context, _ *struct{}) (*signOutOutput, error) {
	// Hydrate put the cookie's value in ctx when it named a live session;
	// any other cookie it has cleared already.
	token, _ := ctx.Value(tokenKey{}).(string)
	if err := h.svc.SignOut(ctx, token); err != nil {
		return nil, err
	}
	out := &signOutOutput{SetCookie: h.clearCookies()}
	out.Body.Success = true
	return out, nil
}

type sessionBody struct {
	Session Session `json:"session"`
	User    User    `json:"user"`
}

type getSessionInput struct {
	DisableCookieCache bool `query:"disableCookieCache" doc:"Accepted for Better Auth clients; there is no cookie cache."`
	DisableRefresh     bool `query:"disableRefresh" doc:"Accepted for Better Auth clients; a session slides at most daily either way."`
}

type getSessionOutput struct {
	CacheControl string `header:"Cache-Control"`
	ContentType  string `header:"Content-Type"`
	// Body is sessionBody's JSON, encoded by hand, or null.
	Body []byte
}

func (h *Handler) getSession(ctx context.Context, _ *getSessionInput) (*getSessionOutput, error) {
	out := &getSessionOutput{CacheControl: "no-store", ContentType: "application/json", Body: []byte("null")}
	if a, ok := currentSession(ctx); ok {
		body := sessionBody{Session: sessionJSON(a.Session), User: userJSON(a.User)}
		out.Body = body.appendJSON(make([]byte, 0, 640))
	}
	return out, nil
}

type listSessionsOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         []Session
}

func (h *Handler) listSessions(ctx context.Context, _ *struct{}) (*listSessionsOutput, error) {
	p, err := kernel.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.ListSessions(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out := &listSessionsOutput{CacheControl: "no-store", Body: make([]Session, 0, len(list))}
	for _, s := range list {
		// As Better Auth's admin plugin: an admin's impersonation is not
		// one of the user's sessions (platform administration lists it).
		if !s.ImpersonatedBy.IsZero() && s.ID != p.SessionID {
			continue
		}
		out.Body = append(out.Body, sessionJSON(s))
	}
	return out, nil
}

type statusOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      statusBody
}

type statusBody struct {
	Status bool `json:"status"`
}

func statusTrue(cookies ...http.Cookie) *statusOutput {
	return &statusOutput{SetCookie: cookies, Body: statusBody{Status: true}}
}

type revokeSessionInput struct {
	Body struct {
		_     struct{} `additionalProperties:"true"` // Better Auth ignores unknown fields
		Token string   `json:"token" maxLength:"100" doc:"The handle of the session to revoke (the token field of list-sessions)."`
	}
}

func (h *Handler) revokeSession(ctx context.Context, in *revokeSessionInput) (*statusOutput, error) {
	p, err := kernel.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	// An unknown or another user's session is already not yours: Better
	// Auth answers true, and so does this.
	if err := h.svc.RevokeSession(ctx, p.UserID, in.Body.Token); err != nil && !errors.Is(err, application.ErrUnknownSession) {
		return nil, err
	}
	if in.Body.Token == p.SessionID.String() {
		return statusTrue(h.clearCookies()...), nil
	}
	return statusTrue(), nil
}

func (h *Handler) revokeSessions(ctx context.Context, _ *struct{}) (*statusOutput, error) {
	p, err := kernel.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.RevokeAllSessions(ctx, p.UserID); err != nil {
		return nil, err
	}
	return statusTrue(h.clearCookies()...), nil
}

func (h *Handler) revokeOtherSessions(ctx context.Context, _ *struct{}) (*statusOutput, error) {
	p, err := kernel.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.svc.RevokeOtherSessions(ctx, p.UserID, p.SessionID); err != nil {
		return nil, err
	}
	return statusTrue(), nil
}
