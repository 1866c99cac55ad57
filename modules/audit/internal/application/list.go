package application

import (
	"context"
	"fmt"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

// Filter narrows a listing. Empty fields do not filter.
type Filter struct {
	// ActionPrefix keeps entries whose action starts with it ("user.").
	ActionPrefix string
	ActorID      string
	TargetType   string
	TargetID     string
	// From and To bound the time: From <= occurred < To.
	From, To time.Time
}

// Cursor is the position after which the next page starts: the last
// entry of the previous page. Entries are ordered newest first by
// (OccurredAt, ID); since a new entry is never older than those already
// written, a cursor gives no duplicates and skips nothing while entries
// arrive.
type Cursor struct {
	OccurredAt time.Time
	ID         domain.EntryID
}

// Page is one page of entries, newest first; Next is nil on the last page.
type Page struct {
	Items []domain.Entry
	Next  *Cursor
}

// Page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ListOrganization returns a page of the organization's entries, and only
// its own: never another organization's or the platform's. It returns a
// kernel Invalid error (CodeInvalidFilter) for a time range that ends
// before it starts.
func (s *Service) ListOrganization(ctx context.Context, org kernel.OrganizationID, f Filter, after *Cursor, limit int) (Page, error) {
	if org.IsZero() {
		return Page{}, fmt.Errorf("list audit entries: no organization")
	}
	return s.list(ctx, StoreQuery{Org: org, Filter: f, After: after, Limit: limit})
}

// ListPlatform returns a page of every organization's entries and the
// platform's, or only org's when org is not zero. Errors as
// ListOrganization.
func (s *Service) ListPlatform(ctx context.Context, org kernel.OrganizationID, f Filter, after *Cursor, limit int) (Page, error) {
	return s.list(ctx, StoreQuery{Org: org, AllOrganizations: org.IsZero(), Filter: f, After: after, Limit: limit})
}

func (s *Service) list(ctx context.Context, q StoreQuery) (Page, error) {
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return Page{}, kernel.Invalid(CodeInvalidFilter, "The time range ends before it starts.",
			kernel.FieldError{Field: "query.to", Code: "before_from", Message: "must be after from"})
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	limit := q.Limit
	q.Limit++ // one more tells whether there is a next page
	items, err := s.store.List(ctx, q)
	if err != nil {
		return Page{}, fmt.Errorf("list audit entries: %w", err)
	}
	p := Page{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.Next = &Cursor{OccurredAt: last.OccurredAt, ID: last.ID}
	}
	return p, nil
}
