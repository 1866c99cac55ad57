package sqlstore

import (
	"context"
	"strings"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// organizationSummaries is every organization with its member count, as a
// table to filter and order by either: member_count is one probe of the
// memberships (organization_id, …) indexes per organization the query
// reaches, never a query per row of a page.
const organizationSummaries = `(SELECT o.id, o.name, o.slug, o.logo, o.created_at, o.updated_at,
		(SELECT count(*) FROM memberships m WHERE m.organization_id = o.id) AS member_count
	FROM organizations o) AS s`

var selectOrganizationSummary = `SELECT ` + organizationColumns + `, member_count FROM ` + organizationSummaries

// Search returns the organizations q selects, each with its member count,
// newest first (created_at, then ID, both descending), after q.After, at
// most q.Limit (capped at MaxListLimit; non-positive means MaxListLimit),
// in one query. q.Search matches a substring of the name or the slug,
// case-insensitively, with %, _ and \ literal; on SQLite, whose lower()
// folds only ASCII, a name with non-ASCII capitals matches a search in the
// same case only. CreatedFrom keeps what was created at or after it,
// CreatedTo what was created before it, to the microsecond both dialects
// store.
func (r *Organizations) Search(ctx context.Context, q application.OrganizationQuery) ([]application.OrganizationSummary, error) {
	var f db.Filter
	arg := f.Arg
	if search := strings.TrimSpace(q.Search); search != "" {
		f.Where(f.LikeFold(db.LikeContains, search, "name", "slug"))
	}
	if q.MinMembers != nil {
		f.Where(`member_count >= ` + arg(*q.MinMembers))
	}
	if q.MaxMembers != nil {
		f.Where(`member_count <= ` + arg(*q.MaxMembers))
	}
	if !q.CreatedFrom.IsZero() {
		f.Where(`created_at >= ` + arg(q.CreatedFrom))
	}
	if !q.CreatedTo.IsZero() {
		f.Where(`created_at < ` + arg(q.CreatedTo))
	}
	if q.After != nil {
		at := arg(q.After.CreatedAt)
		f.Where(`(created_at < ` + at + ` OR (created_at = ` + at + ` AND id < ` + arg(q.After.ID) + `))`)
	}
	limit := q.Limit
	if limit <= 0 || limit > MaxListLimit {
		limit = MaxListLimit
	}
	query := selectOrganizationSummary + f.Clause() + ` ORDER BY created_at DESC, id DESC LIMIT ` + arg(limit)
	return db.QueryAll(ctx, r.db.Q(ctx), scanOrganizationSummary, "search organizations", query, f.Args()...)
}

// Summary returns the organization with its member count, or
// application.ErrOrganizationNotFound.
func (r *Organizations) Summary(ctx context.Context, id kernel.OrganizationID) (application.OrganizationSummary, error) {
	return db.QueryOne(ctx, r.db.Q(ctx), scanOrganizationSummary, application.ErrOrganizationNotFound,
		"get organization summary", selectOrganizationSummary+` WHERE id = $1`, id)
}

func scanOrganizationSummary(row db.Row) (application.OrganizationSummary, error) {
	var s application.OrganizationSummary
	o, err := scanOrganization(row, &s.MemberCount)
	s.Organization = o
	return s, err
}

// ListRole returns org's members holding role, suspended ones included,
// ordered by ID; the (organization_id, role) index answers it.
func (r *Memberships) ListRole(ctx context.Context, org kernel.OrganizationID, role string) ([]*domain.Membership, error) {
	return db.QueryAll(ctx, r.db.Q(ctx), scanMembership, "list role holders",
		selectMembership+` WHERE organization_id = $1 AND role = $2 ORDER BY id`, org, role)
}
