package application

import (
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy/internal/domain"
)

// OrganizationView is an organization as the API shows it, with the
// caller's role in it when known.
type OrganizationView struct {
	ID        kernel.OrganizationID
	Name      string
	Slug      string
	Logo      string // the logo's URL; "" when there is none
	CreatedAt time.Time
	UpdatedAt time.Time
	// Role is the caller's role ("" when not asked for).
	Role string
	// Suspended is true when the organization suspended the caller's
	// membership (in their list of organizations).
	Suspended bool
}

func organizationView(o *domain.Organization, role string) OrganizationView {
	return OrganizationView{
		ID: o.ID(), Name: o.Name().String(), Slug: o.Slug().String(), Logo: o.Logo().String(),
		CreatedAt: o.CreatedAt(), UpdatedAt: o.UpdatedAt(), Role: role,
	}
}

// ActiveView is the caller's active organization: the organization, their
// role and the grants it carries, and those grants expanded over the
// catalog.
type ActiveView struct {
	Organization OrganizationView
	Role         string
	Grants       []string
	Permissions  []string
}

// MemberView is a membership with the member's public profile.
type MemberView struct {
	ID             domain.MembershipID
	OrganizationID kernel.OrganizationID
	UserID         kernel.UserID
	Role           string
	JoinedAt       time.Time
	Email          string
	Name           string
	Image          string
	// SuspendedAt is when the organization suspended the membership; nil
	// while it is active.
	SuspendedAt *time.Time
}

func memberView(m *domain.Membership, u UserInfo) MemberView {
	return MemberView{
		ID: m.ID(), OrganizationID: m.OrganizationID(), UserID: m.UserID(), Role: m.Role(), JoinedAt: m.JoinedAt(),
		Email: u.Email, Name: u.Name, Image: u.Image, SuspendedAt: m.SuspendedAt(),
	}
}

// RoleView is a role as the API shows it.
type RoleView struct {
	// ID is empty for a built-in role.
	ID          domain.RoleID
	Name        string
	Permissions []string
	Builtin     bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func roleView(r *domain.Role) RoleView {
	return RoleView{
		ID: r.ID(), Name: r.Name(), Permissions: r.Permissions(), Builtin: r.IsBuiltin(),
		CreatedAt: r.CreatedAt(), UpdatedAt: r.UpdatedAt(),
	}
}

// InvitationView is an invitation as its organization's members see it.
// The token is never shown: only the invitee's email carries it.
type InvitationView struct {
	ID             domain.InvitationID
	OrganizationID kernel.OrganizationID
	Email          string
	Role           string
	InviterID      kernel.UserID
	Status         string
	ExpiresAt      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func invitationView(i *domain.Invitation, now time.Time) InvitationView {
	return InvitationView{
		ID: i.ID(), OrganizationID: i.OrganizationID(), Email: i.Email().String(), Role: i.Role(),
		InviterID: i.InviterID(), Status: i.StatusAt(now).String(), ExpiresAt: i.ExpiresAt(),
		CreatedAt: i.CreatedAt(), UpdatedAt: i.UpdatedAt(),
	}
}

// InvitationPreview is what the holder of an invitation link sees before
// signing in: enough to decide, nothing more.
type InvitationPreview struct {
	OrganizationName string
	OrganizationSlug string
	InviterName      string
	Role             string
	Email            string
	Status           string
	ExpiresAt        time.Time
}

// ReceivedInvitation is a pending invitation addressed to the caller, as
// their own list shows it.
type ReceivedInvitation struct {
	ID               domain.InvitationID
	OrganizationID   kernel.OrganizationID
	OrganizationName string
	InviterName      string
	Role             string
	ExpiresAt        time.Time
}
