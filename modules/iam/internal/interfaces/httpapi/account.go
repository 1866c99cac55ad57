package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

type opFunc func(id, method, path, summary, desc string, errs ...int) huma.Operation

func (h *Handler) registerAccount(api huma.API, op opFunc, withSession, ownSession func(huma.Operation) huma.Operation) {
	huma.Register(api, withSession(op("update-user", http.MethodPost, "/update-user", "Update your profile",
		"Changes the signed-in user's name, image, username or locale. null (or \"\") clears image, username and locale. "+
			"The email and the active flag cannot be changed here.",
		http.StatusConflict, http.StatusUnprocessableEntity)), h.updateUser)
	huma.Register(api, ownSession(op("change-password", http.MethodPost, "/change-password", "Change your password",
		"Checks the current password and sets the new one; the user is emailed. With revokeOtherSessions every session ends "+
			"and a new one replaces this one (its cookie is set, token is its handle); otherwise token is null.",
		http.StatusUnprocessableEntity)), h.changePassword)
	huma.Register(api, ownSession(op("delete-user", http.MethodPost, "/delete-user", "Delete your account",
		"Deletes the signed-in user's account once the password checks out: personal data and sessions go; the audit log keeps the ID only.",
		http.StatusUnprocessableEntity)), h.deleteUser)
}

type updateUserInput struct {
	Body struct {
		_        struct{}       `additionalProperties:"true"` // Better Auth ignores unknown fields
		Name     *string        `json:"name,omitempty" doc:"Display name, at most 100 characters."`
		Image    optionalString `json:"image,omitempty" doc:"Picture URL (absolute http or https); null clears it."`
		Username optionalString `json:"username,omitempty" doc:"Groundwork: unique username, 3–32 of a-z 0-9 _ -; null clears it."`
		Locale   optionalString `json:"locale,omitempty" doc:"Groundwork: preferred locale (BCP 47); null clears it."`
		Email    *string        `json:"email,omitempty" doc:"Refused (EMAIL_CAN_NOT_BE_UPDATED), as Better Auth does."`
		Active   *bool          `json:"active,omitempty" doc:"Refused (FIELD_NOT_ALLOWED): only an administrator can change it."`
	}
}

func (h *Handler) updateUser(ctx context.Context, in *updateUserInput) (*statusOutput, error) {
	p, err := kernel.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	b := in.Body
	if b.Email != nil {
		return nil, errEmailCannotBeUpdated
	}
	patch := domain.UserPatch{Name: b.Name, Image: b.Image.patch(), Username: b.Username.patch(), Locale: b.Locale.patch(), Active: b.Active}
	if patch == (domain.UserPatch{}) {
		return nil, errNoFieldsToUpdate
	}
	if _, err := h.svc.UpdateProfile(ctx, p.UserID, patch); err != nil {
		return nil, err
	}
	return statusTrue(), nil
}

type changePasswordInput struct {
	clientMeta
	DontRemember string `cookie:"groundwork.dont_remember" doc:"Set when the user signed in with rememberMe false."`
	Body         struct {
		NewPassword         string `json:"newPassword" doc:"8 to 128 characters."`
		CurrentPassword     string `json:"currentPassword"`
		RevokeOtherSessions bool   `json:"revokeOtherSessions,omitempty" doc:"End every other session (a new session replaces this one)."`
	}
}

type changePasswordOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      userTokenBody
}

func (h *Handler) changePassword(ctx context.Context, in *changePasswordInput) (*changePasswordOutput, error) {
	p, err := kernel.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	b := in.Body
	issued, err := h.svc.ChangePassword(ctx, application.ChangePasswordInput{
		User: p.UserID, Session: p.SessionID,
		CurrentPassword: b.CurrentPassword, NewPassword: b.NewPassword,
		RevokeOtherSessions: b.RevokeOtherSessions, Meta: in.meta,
	})
	if err != nil {
		return nil, err
	}
	out := &changePasswordOutput{}
	if issued != nil {
		// The replacement session keeps the browser's remember-me choice;
		// the marker cookie is left as it is.
		out.SetCookie = []http.Cookie{h.sessionCookie(issued.Token.String(), issued.Session.ExpiresAt, in.DontRemember == "")}
		out.Body = userTokenBody{Token: nullable(issued.Session.ID.String()), User: userJSON(issued.User)}
		return out, nil
	}
	u, err := h.user(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	out.Body.User = userJSON(u)
	return out, nil
}

type deleteUserInput struct {
	Body struct {
		_           struct{} `additionalProperties:"true"` // Better Auth ignores unknown fields
		Password    string   `json:"password,omitempty" doc:"The current password, to confirm; may be left out on a session opened within the last day (else SESSION_EXPIRED)."`
		CallbackURL string   `json:"callbackURL,omitempty" doc:"Accepted for Better Auth clients (a path or a trusted URL); unused, as deletion needs no email confirmation."`
	}
}

type deleteUserOutput struct {
	SetCookie []http.Cookie `header:"Set-Cookie"`
	Body      struct {
		Success bool   `json:"success"`
		Message string `json:"message"`
	}
}

func (h *Handler) deleteUser(ctx context.Context, in *deleteUserInput) (*deleteUserOutput, error) {
	p, err := kernel.RequireUser(ctx)
	if err != nil {
		return nil, err
	}
	if cb := in.Body.CallbackURL; cb != "" && !h.svc.TrustedURL(cb) {
		return nil, application.ErrInvalidCallbackURL
	}
	var opened time.Time // zero: not fresh (a principal set without a session)
	if a, ok := currentSession(ctx); ok {
		opened = a.Session.CreatedAt
	}
	if err := h.svc.DeleteUser(ctx, p.UserID, in.Body.Password, opened); err != nil {
		return nil, err
	}
	out := &deleteUserOutput{SetCookie: h.clearCookies()}
	out.Body.Success, out.Body.Message = true, "User deleted"
	return out, nil
}
