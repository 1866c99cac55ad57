// Package httpapi is storage's HTTP edge: the avatar and logo uploads,
// plain handlers because their bodies are files (multipart or raw), not
// JSON.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage/internal/application"
	"github.com/groundworkhq/groundwork/web"
)

// PermOrganizationUpdate is the permission a logo's upload needs:
// tenancy's organization:update.
const PermOrganizationUpdate = "organization:update"

// Access answers a user's role and grants in an organization, NotFound
// when they are not a member (tenancy's Access).
type Access func(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (kernel.OrganizationContext, error)

// Handler serves the routes.
type Handler struct {
	svc      *application.Service
	access   Access
	maxBytes int64
}

// New returns the handler; maxBytes is UPLOAD_MAX_BYTES.
func New(svc *application.Service, access Access, maxBytes int64) *Handler {
	return &Handler{svc: svc, access: access, maxBytes: maxBytes}
}

// multipartSlack is what a route's body limit allows beyond the file for
// a multipart form's boundaries and headers.
const multipartSlack = 64 << 10

// Register mounts PUT and DELETE /api/users/me/avatar and
// /api/organizations/{id}/logo.
func (h *Handler) Register(r *web.Router) {
	limit := h.maxBytes + multipartSlack
	r.HandleUpload("PUT /api/users/me/avatar", limit, http.HandlerFunc(h.putAvatar))
	r.Handle("DELETE /api/users/me/avatar", http.HandlerFunc(h.deleteAvatar))
	r.HandleUpload("PUT /api/organizations/{id}/logo", limit, http.HandlerFunc(h.putLogo))
	r.Handle("DELETE /api/organizations/{id}/logo", http.HandlerFunc(h.deleteLogo))
}

// errNoFile answers a multipart form without a "file" part.
var errNoFile = kernel.Invalid("storage.no_file", "Send the image as the multipart field \"file\", or as the body.",
	kernel.FieldError{Field: "file", Code: "required", Message: "is required"})

// upload returns the uploaded image: the "file" part of a multipart form,
// or the raw body whatever its declared type (the type is sniffed from
// the bytes, never trusted). The caller closes it.
func upload(r *http.Request) (io.Reader, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return r.Body, nil
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	if params["boundary"] == "" {
		return nil, errNoFile
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, errNoFile
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return nil, err
			}
			return nil, kernel.Invalid("storage.invalid_form", "The multipart form is malformed.")
		}
		if p.FormName() == "file" {
			return p, nil
		}
	}
}

func (h *Handler) putAvatar(w http.ResponseWriter, r *http.Request) {
	p, err := kernel.RequireUser(r.Context())
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	body, err := upload(r)
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	url, err := h.svc.SetAvatar(r.Context(), p.UserID, body)
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"image": url})
}

func (h *Handler) deleteAvatar(w http.ResponseWriter, r *http.Request) {
	p, err := kernel.RequireUser(r.Context())
	if err == nil {
		err = h.svc.RemoveAvatar(r.Context(), p.UserID)
	}
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"image": nil})
}

// errOrgNotFound answers an organization the caller is not a member of,
// or an ID that is not one: tenancy's 404.
var errOrgNotFound = kernel.NotFound("tenancy.organization_not_found", "Organization not found.")

// orgMember returns the signed-in user and the organization of the path,
// where they hold organization:update: 404 unless they are a member, 403
// without the permission.
func (h *Handler) orgMember(r *http.Request) (kernel.UserID, kernel.OrganizationID, error) {
	p, err := kernel.RequireUser(r.Context())
	if err != nil {
		return kernel.UserID{}, kernel.OrganizationID{}, err
	}
	org, err := kernel.ParseIDOr[kernel.OrganizationKind](strings.TrimSpace(r.PathValue("id")), errOrgNotFound)
	if err != nil {
		return kernel.UserID{}, kernel.OrganizationID{}, err
	}
	oc, err := h.access(r.Context(), org, p.UserID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return kernel.UserID{}, kernel.OrganizationID{}, errOrgNotFound
	}
	if err != nil {
		return kernel.UserID{}, kernel.OrganizationID{}, err
	}
	if err := kernel.RequirePermission(kernel.WithOrganization(r.Context(), oc), PermOrganizationUpdate); err != nil {
		return kernel.UserID{}, kernel.OrganizationID{}, err
	}
	return p.UserID, org, nil
}

func (h *Handler) putLogo(w http.ResponseWriter, r *http.Request) {
	user, org, err := h.orgMember(r)
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	body, err := upload(r)
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	url, err := h.svc.SetLogo(r.Context(), user, org, body)
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"logo": url})
}

func (h *Handler) deleteLogo(w http.ResponseWriter, r *http.Request) {
	user, org, err := h.orgMember(r)
	if err == nil {
		err = h.svc.RemoveLogo(r.Context(), user, org)
	}
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	writeJSON(w, map[string]any{"logo": nil})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}
