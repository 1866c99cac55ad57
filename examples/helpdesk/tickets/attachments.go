package tickets

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/storage"
	"github.com/groundworkhq/groundwork/web"
)

// FlagAttachments is the beta opt-in of attachments: off by default, an
// organization's admins switch it on for their organization
// (PUT /api/feature-flags/ticket-attachments/organization).
const FlagAttachments = "ticket-attachments"

// MaxAttachment is the largest attachment, in bytes.
const MaxAttachment = 1 << 20

// attachmentURLFor is how long an attachment's signed URL lasts.
const attachmentURLFor = time.Hour

var (
	errAttachmentsOff = kernel.Forbidden("tickets.attachments_off",
		"Attachments are a beta: an admin of the organization can switch them on.")
	errTicketNotFound = kernel.NotFound("tickets.not_found", "There is no such ticket.")
	errNoAttachment   = kernel.NotFound("tickets.no_attachment", "This ticket has no attachment.")
)

// Attachment is what the attachment routes answer: the file and a URL
// that serves it for an hour.
type Attachment struct {
	Name        string    `json:"name"`
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	URL         string    `json:"url"`
	ExpiresAt   time.Time `json:"expiresAt"`
}

// attachmentRoutes mounts PUT and GET /api/tickets/{id}/attachment: the
// raw body (at most MaxAttachment bytes, its Content-Type kept, its name
// from the X-File-Name header) stored as a private file of the
// organization, for organizations that switched the beta on.
func (m *Module) attachmentRoutes(r *web.Router) {
	r.HandleUpload("PUT /api/tickets/{id}/attachment", MaxAttachment+1, web.RequirePermissionHandler(PermCreate)(http.HandlerFunc(m.putAttachment)))
	r.Handle("GET /api/tickets/{id}/attachment", web.RequirePermissionHandler(PermRead)(http.HandlerFunc(m.getAttachment)))
}

// ticketKey returns the attachment key of the active organization's
// ticket of the path ("" when it has none); another organization's ticket
// is not found.
func (m *Module) ticketKey(r *http.Request) (kernel.OrganizationID, *string, error) {
	org, _ := kernel.OrganizationFrom(r.Context())
	id, err := kernel.ParseIDOr[Kind](r.PathValue("id"), errTicketNotFound)
	if err != nil {
		return kernel.OrganizationID{}, nil, err
	}
	key, err := db.QueryOne(r.Context(), m.db.Q(r.Context()), db.ScanValue[*string], errTicketNotFound, "read a ticket",
		`SELECT attachment_key FROM tickets WHERE id = $1 AND organization_id = $2`, id, org.OrganizationID)
	return org.OrganizationID, key, err
}

func (m *Module) putAttachment(w http.ResponseWriter, r *http.Request) {
	if !m.attachments.Value(r.Context()) {
		web.WriteProblem(w, r, errAttachmentsOff)
		return
	}
	org, old, err := m.ticketKey(r)
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	name := r.Header.Get("X-File-Name")
	if name == "" {
		name = "attachment"
	}
	f, err := m.storage.PutFile(r.Context(), org, storage.NewFile{Name: name, ContentType: r.Header.Get("Content-Type"),
		Body: r.Body, MaxBytes: MaxAttachment})
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	if _, err := m.db.QW(r.Context()).Exec(r.Context(), `UPDATE tickets SET attachment_key = $1 WHERE id = $2 AND organization_id = $3`,
		f.Key, r.PathValue("id"), org); err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	if old != nil && *old != f.Key {
		// The replaced file goes (its bytes by Groundwork's clean-up job).
		if err := m.storage.DeleteFile(r.Context(), org, *old); err != nil && !errors.Is(err, storage.ErrNotFound) {
			web.WriteProblem(w, r, err)
			return
		}
	}
	m.answer(w, r, org, f)
}

func (m *Module) getAttachment(w http.ResponseWriter, r *http.Request) {
	org, key, err := m.ticketKey(r)
	if err == nil && key == nil {
		err = errNoAttachment
	}
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	f, err := m.storage.FileInfo(r.Context(), org, *key)
	if errors.Is(err, storage.ErrNotFound) {
		err = errNoAttachment
	}
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	m.answer(w, r, org, f)
}

// answer writes the attachment with a fresh signed URL.
func (m *Module) answer(w http.ResponseWriter, r *http.Request, org kernel.OrganizationID, f storage.File) {
	expires := m.clock.Now().Add(attachmentURLFor)
	url, err := m.storage.SignedFileURL(r.Context(), org, f.Key, expires)
	if err != nil {
		web.WriteProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(Attachment{Name: f.Name, ContentType: f.ContentType, Size: f.Size, URL: url, ExpiresAt: expires})
}
