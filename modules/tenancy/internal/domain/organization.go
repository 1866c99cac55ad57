package domain

import (
	"time"

	"github.com/groundworkhq/groundwork/kernel"
)

// Organization is a tenant: the unit that owns members, roles, invitations
// and, in other modules, data. Its slug is unique across the installation;
// the repository enforces that (unique index → Conflict).
type Organization struct {
	id        kernel.OrganizationID
	name      OrgName
	slug      Slug
	logo      LogoURL
	createdAt time.Time
	updatedAt time.Time
}

// NewOrganization returns a new Organization with a fresh ID. It returns an
// Invalid error with code "tenancy.invalid_organization" carrying a field
// error for each of name and slug that is not valid.
func NewOrganization(name, slug string, now time.Time) (*Organization, error) {
	var fields []kernel.FieldError
	n, err := ParseOrgName(name)
	if err != nil {
		fields = append(fields, kernel.FieldsOf(err)...)
	}
	s, err := ParseSlug(slug)
	if err != nil {
		fields = append(fields, kernel.FieldsOf(err)...)
	}
	if len(fields) > 0 {
		return nil, invalidAggregate("tenancy.invalid_organization", "organization", fields)
	}
	return &Organization{id: kernel.NewID[kernel.OrganizationKind](), name: n, slug: s, createdAt: now, updatedAt: now}, nil
}

// OrganizationSnapshot is an Organization's state, for repositories.
type OrganizationSnapshot struct {
	ID        kernel.OrganizationID
	Name      string
	Slug      string
	Logo      string // the logo's URL; "" when there is none
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RehydrateOrganization rebuilds an Organization from stored state without
// validating it; for repositories only.
func RehydrateOrganization(s OrganizationSnapshot) *Organization {
	return &Organization{
		id: s.ID, name: OrgName{s: s.Name}, slug: Slug{s: s.Slug}, logo: LogoURL{s: s.Logo},
		createdAt: s.CreatedAt, updatedAt: s.UpdatedAt,
	}
}

// Snapshot returns o's state for a repository to store.
func (o *Organization) Snapshot() OrganizationSnapshot {
	return OrganizationSnapshot{
		ID: o.id, Name: o.name.String(), Slug: o.slug.String(), Logo: o.logo.String(),
		CreatedAt: o.createdAt, UpdatedAt: o.updatedAt,
	}
}

// ID returns the organization's ID.
func (o *Organization) ID() kernel.OrganizationID { return o.id }

// Name returns the display name.
func (o *Organization) Name() OrgName { return o.name }

// Slug returns the URL name.
func (o *Organization) Slug() Slug { return o.slug }

// Logo returns the logo's URL; the zero LogoURL when there is none.
func (o *Organization) Logo() LogoURL { return o.logo }

// CreatedAt returns when the organization was created.
func (o *Organization) CreatedAt() time.Time { return o.createdAt }

// UpdatedAt returns when the organization last changed.
func (o *Organization) UpdatedAt() time.Time { return o.updatedAt }

// Rename sets the display name. It returns the ParseOrgName error for an
// invalid name, and reports whether anything changed.
func (o *Organization) Rename(name string, now time.Time) (changed bool, err error) {
	return setField(o, &o.name, ParseOrgName, name, now)
}

// ChangeSlug sets the URL name. It returns the ParseSlug error for an
// invalid slug, and reports whether anything changed; uniqueness is the
// repository's to check.
func (o *Organization) ChangeSlug(slug string, now time.Time) (changed bool, err error) {
	return setField(o, &o.slug, ParseSlug, slug, now)
}

// ChangeLogo sets the logo's URL; "" removes the logo. It returns the
// ParseLogoURL error for an invalid URL, and reports whether anything
// changed.
func (o *Organization) ChangeLogo(url string, now time.Time) (changed bool, err error) {
	return setField(o, &o.logo, ParseLogoURL, url, now)
}

// setField sets *field, one of o's, to what parse makes of value and
// stamps o updated at now, unless that is what *field holds already. It
// returns parse's error, and reports whether anything changed.
func setField[T comparable](o *Organization, field *T, parse func(string) (T, error), value string, now time.Time) (changed bool, err error) {
	v, err := parse(value)
	if err != nil {
		return false, err
	}
	if v == *field {
		return false, nil
	}
	*field, o.updatedAt = v, now
	return true, nil
}

// ConfirmDeletion checks that typed is the organization's slug, as deleting
// an organization requires. It returns an Invalid error with code
// "tenancy.confirmation_mismatch" otherwise.
func (o *Organization) ConfirmDeletion(typed string) error {
	s, err := ParseSlug(typed)
	if err != nil || s != o.slug {
		return kernel.Invalid("tenancy.confirmation_mismatch", "Type the organization's slug to confirm.",
			kernel.FieldError{Field: "confirm", Code: "confirmation_mismatch", Message: "does not match the organization's slug"})
	}
	return nil
}
