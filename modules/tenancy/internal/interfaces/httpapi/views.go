package httpapi

import (
	"time"

	"github.com/groundworkhq/groundwork/modules/tenancy/internal/application"
)

// Organization is an organization as the API shows it.
type Organization struct {
	ID        string    `json:"id" doc:"org_… ID."`
	Name      string    `json:"name"`
	Slug      string    `json:"slug"`
	Logo      *string   `json:"logo" nullable:"true" doc:"The logo's URL; null when the organization has none."`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	Role      string    `json:"role,omitempty" doc:"Your role in the organization."`
	Suspended bool      `json:"suspended,omitempty" doc:"True when the organization suspended your membership: it grants nothing, and the organization cannot be your active one, until reinstated."`
}

func organizationJSON(v application.OrganizationView) Organization {
	return Organization{
		ID: v.ID.String(), Name: v.Name, Slug: v.Slug, Logo: logoJSON(v.Logo),
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, Role: v.Role, Suspended: v.Suspended,
	}
}

// logoJSON is an organization's logo as the API shows it, Better Auth's
// way: the URL, or null when there is none.
func logoJSON(url string) *string {
	if url == "" {
		return nil
	}
	return &url
}

// Active is the caller's active organization.
type Active struct {
	Organization *Organization `json:"organization" doc:"null when no organization is active."`
	Role         string        `json:"role" doc:"Your role in it; empty when none is active."`
	Grants       []string      `json:"grants" doc:"The role's grants as stored, wildcards included."`
	Permissions  []string      `json:"permissions" doc:"Every declared permission the grants allow."`
}

func activeJSON(v application.ActiveView) Active {
	o := organizationJSON(v.Organization)
	return Active{Organization: &o, Role: v.Role, Grants: v.Grants, Permissions: v.Permissions}
}

// MemberUser is a member's public profile.
type MemberUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Image string `json:"image,omitempty"`
}

// Member is a membership with the member's profile.
type Member struct {
	ID             string     `json:"id" doc:"mem_… ID."`
	OrganizationID string     `json:"organizationId"`
	UserID         string     `json:"userId"`
	Role           string     `json:"role"`
	CreatedAt      time.Time  `json:"createdAt" doc:"When the user joined."`
	Status         string     `json:"status" enum:"active,suspended" doc:"suspended: the organization suspended the membership; it keeps its role and grants nothing until reinstated."`
	SuspendedAt    *time.Time `json:"suspendedAt,omitempty" doc:"When the membership was suspended; absent while active."`
	User           MemberUser `json:"user"`
}

// The membership statuses.
const (
	statusActive    = "active"
	statusSuspended = "suspended"
)

func memberJSON(v application.MemberView) Member {
	m := Member{
		ID: v.ID.String(), OrganizationID: v.OrganizationID.String(), UserID: v.UserID.String(), Role: v.Role, CreatedAt: v.JoinedAt,
		Status: statusActive, SuspendedAt: v.SuspendedAt,
		User: MemberUser{ID: v.UserID.String(), Email: v.Email, Name: v.Name, Image: v.Image},
	}
	if v.SuspendedAt != nil {
		m.Status = statusSuspended
	}
	return m
}

// Invitation is an invitation as its organization sees it; never the token.
type Invitation struct {
	ID             string    `json:"id" doc:"inv_… ID."`
	OrganizationID string    `json:"organizationId"`
	Email          string    `json:"email"`
	Role           string    `json:"role"`
	InviterID      string    `json:"inviterId"`
	Status         string    `json:"status" enum:"pending,accepted,declined,revoked,expired"`
	ExpiresAt      time.Time `json:"expiresAt"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

func invitationJSON(v application.InvitationView) Invitation {
	return Invitation{
		ID: v.ID.String(), OrganizationID: v.OrganizationID.String(), Email: v.Email, Role: v.Role, InviterID: v.InviterID.String(),
		Status: v.Status, ExpiresAt: v.ExpiresAt, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}

// Role is a built-in or custom role.
type Role struct {
	ID          string     `json:"id,omitempty" doc:"rol_… ID; absent for built-in roles."`
	Name        string     `json:"name"`
	Permissions []string   `json:"permissions"`
	Builtin     bool       `json:"builtin"`
	CreatedAt   *time.Time `json:"createdAt,omitempty"`
	UpdatedAt   *time.Time `json:"updatedAt,omitempty"`
}

func roleJSON(v application.RoleView) Role {
	r := Role{Name: v.Name, Permissions: v.Permissions, Builtin: v.Builtin}
	if r.Permissions == nil {
		r.Permissions = []string{}
	}
	if !v.Builtin {
		r.ID = v.ID.String()
		r.CreatedAt, r.UpdatedAt = &v.CreatedAt, &v.UpdatedAt
	}
	return r
}
