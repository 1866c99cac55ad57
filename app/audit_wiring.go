package app

import (
	"context"
	"strconv"
	"time"

	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit"
	"github.com/groundworkhq/groundwork/modules/iam"
	"github.com/groundworkhq/groundwork/modules/tenancy"
)

// The audit log's target types.
const (
	targetUser         = "user"
	targetSession      = "session"
	targetOrganization = "organization"
	targetMember       = "member"
	targetInvitation   = "invitation"
	targetRole         = "role"
	targetJob          = "job"
)

// actor is the ID of who acted, or "" (the request's principal, else
// "system") when the event names nobody.
func actor(id kernel.UserID) string {
	if id.IsZero() {
		return ""
	}
	return id.String()
}

// adminOrganization is the organization an admin acted in (the request's
// active organization) when actor is not the user acted on; zero (the
// platform chain) otherwise.
func adminOrganization(ctx context.Context, by, user kernel.UserID) kernel.OrganizationID {
	if by.IsZero() || by == user {
		return kernel.OrganizationID{}
	}
	if org, ok := kernel.OrganizationFrom(ctx); ok {
		return org.OrganizationID
	}
	return kernel.OrganizationID{}
}

// subscribeAudit records the sensitive events of iam and tenancy in the
// audit log, each in its publisher's transaction. Account events go to the
// platform chain, or to the organization an admin acted in; organization
// events go to the organization's chain. Metadata never holds a secret
// (events carry none, and audit redacts secret-like fields anyway).
func subscribeAudit(d Deps, b builtins) {
	m, bus := b.audit, d.Bus

	// iam: sign-ins, passwords, sessions, account lifecycle and user
	// administration.
	audit.On(m, bus, func(_ context.Context, e iam.UserCreated) (audit.Entry, bool) {
		by := e.UserID.String()
		switch {
		case !e.ByAdmin.IsZero():
			by = e.ByAdmin.String()
		case e.ByOperator:
			by = "" // the system, from the command line
		}
		return audit.Entry{ActorID: by, OrganizationID: e.OrganizationID, TargetType: targetUser, TargetID: e.UserID.String(),
			Metadata: map[string]any{"email": e.Email, "byAdmin": !e.ByAdmin.IsZero(), "byOperator": e.ByOperator}}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.UserSignedIn) (audit.Entry, bool) {
		return audit.Entry{ActorID: e.UserID.String(), TargetType: targetSession, TargetID: e.SessionID.String()}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.UserEmailVerified) (audit.Entry, bool) {
		by := e.UserID
		if !e.By.IsZero() {
			by = e.By // a platform admin marked it
		}
		return audit.Entry{ActorID: by.String(), TargetType: targetUser, TargetID: e.UserID.String(),
			Metadata: map[string]any{"byAdmin": !e.By.IsZero()}}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.UserPasswordChanged) (audit.Entry, bool) {
		return audit.Entry{ActorID: e.UserID.String(), TargetType: targetUser, TargetID: e.UserID.String(),
			Metadata: map[string]any{"otherSessionsRevoked": e.OtherSessionsRevoked}}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.UserPasswordReset) (audit.Entry, bool) {
		return audit.Entry{ActorID: e.UserID.String(), TargetType: targetUser, TargetID: e.UserID.String()}, true
	})
	audit.On(m, bus, func(ctx context.Context, e iam.UserUpdated) (audit.Entry, bool) {
		return audit.Entry{ActorID: actor(e.By), OrganizationID: adminOrganization(ctx, e.By, e.UserID),
			TargetType: targetUser, TargetID: e.UserID.String(), Metadata: map[string]any{"changes": e.Changes}}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.UserDeactivated) (audit.Entry, bool) {
		meta := map[string]any{"reason": e.Reason}
		if e.Until != nil {
			meta["until"] = e.Until.UTC().Format(time.RFC3339)
		}
		return audit.Entry{ActorID: actor(e.By), TargetType: targetUser, TargetID: e.UserID.String(), Metadata: meta}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.UserReactivated) (audit.Entry, bool) {
		return audit.Entry{ActorID: actor(e.By), TargetType: targetUser, TargetID: e.UserID.String()}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.PasswordResetSent) (audit.Entry, bool) {
		return audit.Entry{ActorID: actor(e.By), TargetType: targetUser, TargetID: e.UserID.String()}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.ImpersonationStarted) (audit.Entry, bool) {
		return audit.Entry{ActorID: e.AdminID.String(), TargetType: targetUser, TargetID: e.UserID.String(),
			Metadata: map[string]any{"reason": e.Reason, "sessionId": e.SessionID.String(), "expiresAt": e.ExpiresAt.UTC().Format(time.RFC3339)}}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.ImpersonationStopped) (audit.Entry, bool) {
		return audit.Entry{ActorID: e.AdminID.String(), TargetType: targetUser, TargetID: e.UserID.String(),
			Metadata: map[string]any{"sessionId": e.SessionID.String()}}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.PlatformAdminGranted) (audit.Entry, bool) {
		return audit.Entry{ActorID: actor(e.By), TargetType: targetUser, TargetID: e.UserID.String()}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.PlatformAdminRevoked) (audit.Entry, bool) {
		return audit.Entry{ActorID: actor(e.By), TargetType: targetUser, TargetID: e.UserID.String()}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.UserDeleted) (audit.Entry, bool) {
		by := e.UserID
		if !e.By.IsZero() {
			by = e.By // a platform admin deleted the account
		}
		return audit.Entry{ActorID: by.String(), TargetType: targetUser, TargetID: e.UserID.String()}, true
	})
	audit.On(m, bus, func(_ context.Context, e iam.SessionRevoked) (audit.Entry, bool) {
		ids := make([]string, len(e.SessionIDs))
		for i, id := range e.SessionIDs {
			ids[i] = id.String()
		}
		return audit.Entry{TargetType: targetUser, TargetID: e.UserID.String(),
			Metadata: map[string]any{"reason": e.Reason, "sessions": ids}}, true
	})

	// The job plumbing: an admin's retry or cancellation.
	audit.On(m, bus, func(_ context.Context, e jobs.JobRetried) (audit.Entry, bool) {
		return audit.Entry{ActorID: actor(e.By), TargetType: targetJob, TargetID: strconv.FormatInt(e.JobID, 10),
			Metadata: map[string]any{"kind": e.Kind, "queue": e.Queue}}, true
	})
	audit.On(m, bus, func(_ context.Context, e jobs.JobCancelled) (audit.Entry, bool) {
		return audit.Entry{ActorID: actor(e.By), TargetType: targetJob, TargetID: strconv.FormatInt(e.JobID, 10),
			Metadata: map[string]any{"kind": e.Kind, "queue": e.Queue}}, true
	})

	// tenancy: organization lifecycle, memberships, invitations, roles.
	org := func(o kernel.OrganizationID, by kernel.UserID, targetType, targetID string, meta map[string]any) audit.Entry {
		return audit.Entry{ActorID: actor(by), OrganizationID: o, TargetType: targetType, TargetID: targetID, Metadata: meta}
	}
	// organization is an entry on the organization itself.
	organization := func(o kernel.OrganizationID, by kernel.UserID, meta map[string]any) audit.Entry {
		return org(o, by, targetOrganization, o.String(), meta)
	}
	// member is an entry on a membership whose metadata is its user and role.
	member := func(o kernel.OrganizationID, by kernel.UserID, membership string, user kernel.UserID, role string) audit.Entry {
		return org(o, by, targetMember, membership, map[string]any{"userId": user.String(), "role": role})
	}
	audit.On(m, bus, func(_ context.Context, e tenancy.OrganizationCreated) (audit.Entry, bool) {
		return organization(e.OrganizationID, e.ActorID, map[string]any{"name": e.Name, "slug": e.Slug}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.OrganizationUpdated) (audit.Entry, bool) {
		return organization(e.OrganizationID, e.ActorID, map[string]any{"changes": e.Changes, "name": e.Name, "slug": e.Slug}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.OrganizationDeleted) (audit.Entry, bool) {
		return organization(e.OrganizationID, e.ActorID, map[string]any{"slug": e.Slug}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.MemberInvited) (audit.Entry, bool) {
		return org(e.OrganizationID, e.ActorID, targetInvitation, e.InvitationID.String(),
			map[string]any{"email": e.Email, "role": e.Role, "resent": e.Resent}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.MemberJoined) (audit.Entry, bool) {
		meta := map[string]any{"userId": e.UserID.String(), "role": e.Role}
		if !e.InvitationID.IsZero() {
			meta["invitationId"] = e.InvitationID.String()
		}
		return org(e.OrganizationID, e.ActorID, targetMember, e.MembershipID.String(), meta), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.MemberRoleChanged) (audit.Entry, bool) {
		return org(e.OrganizationID, e.ActorID, targetMember, e.MembershipID.String(),
			map[string]any{"userId": e.UserID.String(), "from": e.From, "to": e.To}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.MemberRemoved) (audit.Entry, bool) {
		return member(e.OrganizationID, e.ActorID, e.MembershipID.String(), e.UserID, e.Role), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.MemberSuspended) (audit.Entry, bool) {
		return member(e.OrganizationID, e.ActorID, e.MembershipID.String(), e.UserID, e.Role), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.MemberReinstated) (audit.Entry, bool) {
		return member(e.OrganizationID, e.ActorID, e.MembershipID.String(), e.UserID, e.Role), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.MemberLeft) (audit.Entry, bool) {
		return member(e.OrganizationID, e.UserID, e.MembershipID.String(), e.UserID, e.Role), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.InvitationRevoked) (audit.Entry, bool) {
		return org(e.OrganizationID, e.ActorID, targetInvitation, e.InvitationID.String(), map[string]any{"email": e.Email}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.InvitationDeclined) (audit.Entry, bool) {
		return org(e.OrganizationID, e.ActorID, targetInvitation, e.InvitationID.String(), map[string]any{"email": e.Email}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.RoleCreated) (audit.Entry, bool) {
		return org(e.OrganizationID, e.ActorID, targetRole, e.RoleID.String(),
			map[string]any{"name": e.Name, "permissions": e.Permissions}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.RoleUpdated) (audit.Entry, bool) {
		return org(e.OrganizationID, e.ActorID, targetRole, e.RoleID.String(),
			map[string]any{"changes": e.Changes, "name": e.Name, "permissions": e.Permissions}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.RoleDeleted) (audit.Entry, bool) {
		return org(e.OrganizationID, e.ActorID, targetRole, e.RoleID.String(), map[string]any{"name": e.Name}), true
	})
	audit.On(m, bus, func(_ context.Context, e tenancy.OwnershipTransferred) (audit.Entry, bool) {
		return organization(e.OrganizationID, e.ActorID,
			map[string]any{"from": e.FromUserID.String(), "to": e.ToUserID.String(), "fromRole": e.FromRole}), true
	})
}
