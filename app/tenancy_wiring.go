package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/notifications"
	"github.com/groundworkhq/groundwork/modules/tenancy"
)

// iamMembers is iam's Members port over tenancy: /api/users is the
// active organization's members.
type iamMembers struct{ t *tenancy.Module }

var _ iam.Members = (*iamMembers)(nil)

func (m *iamMembers) Membership(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) (iam.Membership, error) {
	member, suspended, err := m.t.MemberState(ctx, org, user)
	return iam.Membership{Member: member, Suspended: suspended}, err
}

func (m *iamMembers) SuspendedIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return m.t.SuspendedMemberIDs(ctx, org)
}

func (m *iamMembers) Suspend(ctx context.Context, org kernel.OrganizationID, user kernel.UserID, suspended bool) error {
	if cur, ok := kernel.OrganizationFrom(ctx); !ok || cur.OrganizationID != org {
		return kernel.ErrNoActiveOrganization
	}
	return m.t.SuspendMember(ctx, user, suspended)
}

func (m *iamMembers) Organizations(ctx context.Context, user kernel.UserID) ([]iam.UserOrganization, error) {
	list, err := m.t.OrganizationsOf(ctx, user)
	if err != nil {
		return nil, err
	}
	out := make([]iam.UserOrganization, len(list))
	for i, o := range list {
		out[i] = iam.UserOrganization{ID: o.ID, Name: o.Name, Slug: o.Slug, Role: o.Role, Suspended: o.Suspended}
	}
	return out, nil
}

func (m *iamMembers) MemberIDs(ctx context.Context, org kernel.OrganizationID) ([]kernel.UserID, error) {
	return m.t.MemberIDs(ctx, org)
}

func (m *iamMembers) Invite(ctx context.Context, org kernel.OrganizationID, email string) (iam.Invitation, error) {
	if cur, ok := kernel.OrganizationFrom(ctx); !ok || cur.OrganizationID != org {
		return iam.Invitation{}, kernel.ErrNoActiveOrganization
	}
	inv, err := m.t.InviteMember(ctx, email)
	if err != nil {
		return iam.Invitation{}, err
	}
	return iam.Invitation{ID: inv.ID, Email: inv.Email, ExpiresAt: inv.ExpiresAt}, nil
}

func (m *iamMembers) Remove(ctx context.Context, org kernel.OrganizationID, user kernel.UserID) error {
	if cur, ok := kernel.OrganizationFrom(ctx); !ok || cur.OrganizationID != org {
		return kernel.ErrNoActiveOrganization
	}
	return m.t.RemoveMember(ctx, user)
}

// tenancyUsers is tenancy's Users port over iam.
type tenancyUsers struct{ iam *iam.Module }

var _ tenancy.Users = tenancyUsers{}

// userInfo is what tenancy knows of u; iam's not-found becomes tenancy's.
func userInfo(u iam.User, err error) (tenancy.UserInfo, error) {
	if errors.Is(err, iam.ErrUserNotFound) {
		return tenancy.UserInfo{}, tenancy.ErrUserNotFound
	}
	if err != nil {
		return tenancy.UserInfo{}, err
	}
	return tenancy.UserInfo{ID: u.ID, Email: u.Email, EmailVerified: u.EmailVerified, Name: u.Name, Image: u.Image, Locale: u.Locale}, nil
}

func (p tenancyUsers) User(ctx context.Context, id kernel.UserID) (tenancy.UserInfo, error) {
	return userInfo(p.iam.User(ctx, id))
}

func (p tenancyUsers) ByEmail(ctx context.Context, email string) (tenancy.UserInfo, error) {
	return userInfo(p.iam.UserByEmail(ctx, email))
}

func (p tenancyUsers) Profiles(ctx context.Context, ids []kernel.UserID) (map[kernel.UserID]tenancy.UserInfo, error) {
	ps, err := p.iam.Profiles(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[kernel.UserID]tenancy.UserInfo, len(ps))
	for _, u := range ps {
		out[u.ID] = tenancy.UserInfo{ID: u.ID, Email: u.Email, Name: u.Name, Image: u.Image}
	}
	return out, nil
}

// tenancyEmails is tenancy's Emails port over notifications.
type tenancyEmails struct{ n *notifications.Module }

var _ tenancy.Emails = tenancyEmails{}

func (e tenancyEmails) Invitation(ctx context.Context, inv tenancy.InvitationEmail) error {
	_, err := e.n.SendEmail(ctx, notifications.EmailRequest{
		To: inv.To, Locale: inv.Locale, Template: notifications.TemplateOrganizationInvitation,
		Data: map[string]any{
			"InviterName": inv.InviterName, "OrganizationName": inv.OrganizationName, "Role": inv.Role,
			"URL": inv.URL, "ExpiresInDays": ceilUnits(inv.ExpiresIn, 24*time.Hour),
		},
	})
	return err
}

// invitationURL links invitation emails to the front end's
// /invitations/{token} page (the first WEB_ORIGINS), or to the server's
// own when there is no front end.
func invitationURL(d Deps) func(token string) string {
	base := ""
	switch {
	case len(d.Config.Server.WebOrigins) > 0:
		base = d.Config.Server.WebOrigins[0]
	case d.Config.Server.URL != nil:
		base = d.Config.Server.URL.String()
	}
	base = strings.TrimRight(base, "/")
	return func(token string) string { return base + "/invitations/" + token }
}

// subscribeTenancy connects iam's events to tenancy: a deleted account
// leaves its organizations in the deletion's transaction (or the deletion
// is refused when it is an organization's only owner), and a profile
// change reaches the member lists that show it.
func subscribeTenancy(d Deps, b builtins) {
	eventbus.Subscribe(d.Bus, "app", func(ctx context.Context, e iam.UserUpdated) error {
		return b.tenancy.ProfileChanged(ctx, e.UserID)
	})
	eventbus.Subscribe(d.Bus, "app", func(ctx context.Context, e iam.UserDeleted) error {
		return b.tenancy.UserDeleted(ctx, e.UserID)
	})
}
