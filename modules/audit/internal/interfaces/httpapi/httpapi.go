// Package httpapi is the audit log's HTTP surface: GET /api/audit, the
// active organization's entries for holders of audit:read, and GET
// /api/v1/platform/audit, every entry, for platform admins. It also
// captures the caller's address and user agent for the entries recorded
// while a request is served.
package httpapi

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/application"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
	"github.com/groundworkhq/groundwork/web"
)

const tag = "Audit"

// PermRead is the permission GET /api/audit checks.
const PermRead = "audit:read"

var (
	errInvalidCursor = kernel.Invalid("audit.invalid_cursor", "The cursor is not valid; list again from the first page.",
		kernel.FieldError{Field: "query.cursor", Code: "invalid", Message: "The cursor is not one this API returned."})
)

// Handler serves the audit routes.
type Handler struct {
	svc *application.Service
}

// New returns a Handler over the use cases.
func New(svc *application.Service) *Handler { return &Handler{svc: svc} }

// Register mounts GET /api/audit on r.
func (h *Handler) Register(r *web.Router) {
	api := r.API()
	huma.Register(api, web.PermissionOp(api, PermRead, "list-audit-entries", http.MethodGet, "/api/audit", tag,
		"List the organization's audit log",
		"The active organization's audit entries, newest first, a page at a time: pass the nextCursor of one page "+
			"as the cursor of the next; entries recorded meanwhile never make a page repeat or skip one.",
		http.StatusUnprocessableEntity), h.listOrganization)
}

// RegisterAdmin mounts GET /api/v1/platform/audit on the platform's admin
// API.
func (h *Handler) RegisterAdmin(a *web.Admin) {
	huma.Register(a.API(), web.Op("list-platform-audit-entries", http.MethodGet, "/audit", tag,
		"List the whole audit log",
		"Every organization's audit entries and the platform's own, newest first, a page at a time.",
		http.StatusUnprocessableEntity), h.listPlatform)
}

// FilterQuery is the query both listings take. It is exported because
// huma reads the parameters of an embedded struct only when it is.
type FilterQuery struct {
	Action     string    `query:"action" maxLength:"128" doc:"Only actions that start with this (user. matches user.created and user.signed_in)."`
	ActorID    string    `query:"actorId" maxLength:"200" doc:"Only entries by this actor (a user ID, or a provider's ID)."`
	TargetType string    `query:"targetType" maxLength:"64" doc:"Only entries about targets of this type."`
	TargetID   string    `query:"targetId" maxLength:"200" doc:"Only entries about this target."`
	From       time.Time `query:"from" doc:"Only entries at or after this time (RFC 3339)."`
	To         time.Time `query:"to" doc:"Only entries before this time (RFC 3339)."`
	Cursor     string    `query:"cursor" maxLength:"200" doc:"The nextCursor of the previous page; omit for the first."`
	Limit      int       `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Page size."`
}

func (in FilterQuery) filter() application.Filter {
	return application.Filter{
		ActionPrefix: in.Action, ActorID: in.ActorID, TargetType: in.TargetType, TargetID: in.TargetID,
		From: in.From, To: in.To,
	}
}

type platformInput struct {
	FilterQuery
	OrganizationID string `query:"organizationId" maxLength:"100" doc:"Only this organization's entries (org_…)."`
}

// Entry is an audit entry as the API shows it. Optional fields that are
// not set are null.
type Entry struct {
	ID             string          `json:"id" doc:"The entry's ID (aud_…)."`
	OccurredAt     time.Time       `json:"occurredAt"`
	ActorType      string          `json:"actorType" doc:"user, system, or a payment provider's name."`
	ActorID        *string         `json:"actorId" doc:"Who acted: a user ID for a user."`
	ImpersonatorID *string         `json:"impersonatorId" doc:"The platform admin who acted as the user, if one did."`
	OrganizationID *string         `json:"organizationId" doc:"The organization; null for a platform-level entry."`
	Action         string          `json:"action" doc:"What happened, usually an event name (user.signed_in)."`
	TargetType     *string         `json:"targetType"`
	TargetID       *string         `json:"targetId"`
	Metadata       json.RawMessage `json:"metadata" doc:"Details; fields that could hold a secret are [REDACTED]."`
	IP             *string         `json:"ip" doc:"The client's address."`
	UserAgent      *string         `json:"userAgent"`
	RequestID      *string         `json:"requestId"`
	Seq            int64           `json:"seq" doc:"The entry's position in its chain (the organization's, or the platform's)."`
	Hash           string          `json:"hash" doc:"The entry's SHA-256 chain hash, in hex."`
}

func entryJSON(e domain.Entry) Entry {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	metadata := json.RawMessage(e.Metadata)
	if !json.Valid(metadata) {
		// Only an edited row can hold this; show it rather than fail the
		// page (verify reports the edit).
		metadata, _ = json.Marshal(e.Metadata)
	}
	return Entry{
		ID: e.ID.String(), OccurredAt: e.OccurredAt, ActorType: e.ActorType, ActorID: opt(e.ActorID),
		ImpersonatorID: opt(e.ImpersonatorID.String()), OrganizationID: opt(e.OrganizationID.String()),
		Action: e.Action, TargetType: opt(e.TargetType), TargetID: opt(e.TargetID),
		Metadata: metadata, IP: opt(e.IP), UserAgent: opt(e.UserAgent), RequestID: opt(e.RequestID),
		Seq: e.Seq, Hash: hex.EncodeToString(e.Hash),
	}
}

func (h *Handler) listOrganization(ctx context.Context, in *FilterQuery) (*web.CursorOutput[Entry], error) {
	org, ok := kernel.OrganizationFrom(ctx)
	if !ok {
		return nil, kernel.ErrNoActiveOrganization
	}
	after, err := decodeCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	return pageJSON(h.svc.ListOrganization(ctx, org.OrganizationID, in.filter(), after, in.Limit))
}

func (h *Handler) listPlatform(ctx context.Context, in *platformInput) (*web.CursorOutput[Entry], error) {
	var org kernel.OrganizationID
	if in.OrganizationID != "" {
		var err error
		if org, err = kernel.ParseID[kernel.OrganizationKind](in.OrganizationID); err != nil {
			return nil, kernel.Invalid("audit.invalid_filter", "The organization ID is not valid.",
				kernel.FieldError{Field: "query.organizationId", Code: "invalid", Message: "must be an organization ID (org_…)", Value: in.OrganizationID})
		}
	}
	after, err := decodeCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	return pageJSON(h.svc.ListPlatform(ctx, org, in.filter(), after, in.Limit))
}

// pageJSON is a page of entries, newest first.
func pageJSON(p application.Page, err error) (*web.CursorOutput[Entry], error) {
	if err != nil {
		return nil, err
	}
	next := ""
	if p.Next != nil {
		next = encodeCursor(*p.Next)
	}
	return web.ReplyPage(p.Items, next, nil, entryJSON)
}

// encodeCursor makes the page's last position opaque
// (web.EncodeTimeCursor), so clients do not come to rely on its form.
func encodeCursor(c application.Cursor) string { return web.EncodeTimeCursor(c.OccurredAt, c.ID) }

func decodeCursor(s string) (*application.Cursor, error) {
	at, id, ok := web.DecodeTimeCursor[domain.EntryKind](s)
	switch {
	case !ok:
		return nil, errInvalidCursor
	case id.IsZero():
		return nil, nil
	}
	return &application.Cursor{OccurredAt: at, ID: id}, nil
}
