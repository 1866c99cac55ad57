package tenancy_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/eventbus"
	"github.com/groundworkhq/groundwork/jobs"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/tenancy"
	"github.com/groundworkhq/groundwork/testkit"
)

// tenancyEventLog records, in order, the events tenancy publishes on an
// app's bus. Events are published inside the request's transaction, so a
// request's events are recorded by the time its response arrives.
type tenancyEventLog struct {
	mu     sync.Mutex
	events []kernel.Event
	taken  int
}

// newTenancyEventLog subscribes a recorder to a's bus.
func newTenancyEventLog(a *testkit.App) *tenancyEventLog {
	l := &tenancyEventLog{}
	a.Bus().SubscribeAll("tenancy_test", func(_ context.Context, e kernel.Event) error {
		if isTenancyEvent(e) {
			l.mu.Lock()
			l.events = append(l.events, e)
			l.mu.Unlock()
		}
		return nil
	})
	return l
}

// take returns the events recorded since the previous take.
func (l *tenancyEventLog) take() []kernel.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.events[l.taken:])
	l.taken = len(l.events)
	return out
}

func isTenancyEvent(e kernel.Event) bool {
	switch e.(type) {
	case tenancy.OrganizationCreated, tenancy.OrganizationUpdated, tenancy.OrganizationDeleted,
		tenancy.MemberInvited, tenancy.MemberJoined, tenancy.MemberRoleChanged, tenancy.MemberRemoved, tenancy.MemberLeft,
		tenancy.InvitationRevoked, tenancy.InvitationDeclined,
		tenancy.RoleCreated, tenancy.RoleUpdated, tenancy.RoleDeleted, tenancy.OwnershipTransferred:
		return true
	}
	return false
}

// requireEventNames fails unless events carry exactly the names, in order.
func requireEventNames(t testing.TB, events []kernel.Event, names ...string) {
	t.Helper()
	got := make([]string, len(events))
	for i, e := range events {
		got[i] = e.EventName()
	}
	if !slices.Equal(got, names) {
		t.Fatalf("events = %q, want %q", got, names)
	}
}

// eventAs returns e as an E, failing the test when it is something else.
func eventAs[E kernel.Event](t testing.TB, e kernel.Event) E {
	t.Helper()
	typed, ok := e.(E)
	if !ok {
		t.Fatalf("event %s is a %T, want %T", e.EventName(), e, typed)
	}
	return typed
}

// memberID returns the membership ID of user in ms.
func memberID(t testing.TB, ms []memberJSON, user kernel.UserID) string {
	t.Helper()
	for _, m := range ms {
		if m.UserID == user.String() {
			return m.ID
		}
	}
	t.Fatalf("%s is not among %+v", user, ms)
	return ""
}

// TestEvents_Lifecycle drives an organization through its life and checks
// each step publishes exactly its events, with who did what to whom.
func TestEvents_Lifecycle(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)
		bob := a.SignUp(t, testkit.NewEmail("bob"), "Bob", true)
		carol := a.SignUp(t, testkit.NewEmail("carol"), "Carol", true)
		log := newTenancyEventLog(a)

		// Create: the organization, then its first member.
		o := createOrg(t, owner.Client, "Acme", "acme")
		ev := log.take()
		requireEventNames(t, ev, "organization.created", "member.joined")
		if e := eventAs[tenancy.OrganizationCreated](t, ev[0]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID || e.Name != "Acme" || e.Slug != "acme" {
			t.Errorf("organization.created = %+v", e)
		}
		ownerMembership := memberID(t, members(t, owner.Client, o.ID), owner.ID)
		if e := eventAs[tenancy.MemberJoined](t, ev[1]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID || e.UserID != owner.ID ||
			e.Role != "owner" || e.MembershipID.String() != ownerMembership || !e.InvitationID.IsZero() {
			t.Errorf("member.joined = %+v", e)
		}

		// Update: Changes names what changed; no change, no event.
		path := "/api/organizations/" + o.ID
		owner.Do(http.MethodPatch, path, map[string]any{"name": "Acme Corp"}).RequireStatus(t, http.StatusOK)
		owner.Do(http.MethodPatch, path, map[string]any{"name": "Acme 2", "slug": "acme-two"}).RequireStatus(t, http.StatusOK)
		owner.Do(http.MethodPatch, path, map[string]any{"name": "Acme 2"}).RequireStatus(t, http.StatusOK)
		ev = log.take()
		requireEventNames(t, ev, "organization.updated", "organization.updated")
		if e := eventAs[tenancy.OrganizationUpdated](t, ev[0]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID ||
			!slices.Equal(e.Changes, []string{"name"}) || e.Name != "Acme Corp" || e.Slug != "acme" {
			t.Errorf("first organization.updated = %+v", e)
		}
		if e := eventAs[tenancy.OrganizationUpdated](t, ev[1]); !slices.Equal(e.Changes, []string{"name", "slug"}) || e.Name != "Acme 2" || e.Slug != "acme-two" {
			t.Errorf("second organization.updated = %+v", e)
		}

		// Invite, then resend.
		inv := invite(t, owner.Client, o.ID, bob.Email, "member")
		invitationToken(t, a, bob.Email, 1) // so the resent email is the second in the mailbox
		a.Clock.Advance(time.Minute)        // resends wait a minute
		owner.Post(path+"/invitations/"+inv.ID+"/resend", nil).RequireStatus(t, http.StatusOK)
		ev = log.take()
		requireEventNames(t, ev, "member.invited", "member.invited")
		for i, resent := range []bool{false, true} {
			if e := eventAs[tenancy.MemberInvited](t, ev[i]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID ||
				e.InvitationID.String() != inv.ID || e.Email != bob.Email || e.Role != "member" || e.Resent != resent {
				t.Errorf("member.invited #%d = %+v, want Resent %v", i+1, e, resent)
			}
		}

		// Accept.
		bob.Post("/api/invitations/"+invitationToken(t, a, bob.Email, 2)+"/accept", nil).RequireStatus(t, http.StatusOK)
		ev = log.take()
		requireEventNames(t, ev, "member.joined")
		bobMembership := memberID(t, members(t, owner.Client, o.ID), bob.ID)
		if e := eventAs[tenancy.MemberJoined](t, ev[0]); e.OrganizationID.String() != o.ID || e.ActorID != bob.ID || e.UserID != bob.ID ||
			e.Role != "member" || e.InvitationID.String() != inv.ID || e.MembershipID.String() != bobMembership {
			t.Errorf("member.joined = %+v", e)
		}

		// Decline.
		declined := invite(t, owner.Client, o.ID, carol.Email, "admin")
		carol.Post("/api/invitations/"+invitationToken(t, a, carol.Email, 1)+"/decline", nil).RequireStatus(t, http.StatusNoContent)
		ev = log.take()
		requireEventNames(t, ev, "member.invited", "invitation.declined")
		if e := eventAs[tenancy.InvitationDeclined](t, ev[1]); e.OrganizationID.String() != o.ID || e.ActorID != carol.ID ||
			e.InvitationID.String() != declined.ID || e.Email != carol.Email {
			t.Errorf("invitation.declined = %+v", e)
		}

		// Revoke.
		revoked := invite(t, owner.Client, o.ID, testkit.NewEmail("rita"), "member")
		owner.Post(path+"/invitations/"+revoked.ID+"/revoke", nil).RequireStatus(t, http.StatusOK)
		ev = log.take()
		requireEventNames(t, ev, "member.invited", "invitation.revoked")
		if e := eventAs[tenancy.InvitationRevoked](t, ev[1]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID ||
			e.InvitationID.String() != revoked.ID || e.Email != revoked.Email {
			t.Errorf("invitation.revoked = %+v", e)
		}

		// Change a role; the same role again changes nothing.
		owner.Do(http.MethodPatch, path+"/members/"+bob.ID.String(), map[string]any{"role": "admin"}).RequireStatus(t, http.StatusOK)
		owner.Do(http.MethodPatch, path+"/members/"+bob.ID.String(), map[string]any{"role": "admin"}).RequireStatus(t, http.StatusOK)
		ev = log.take()
		requireEventNames(t, ev, "member.role_changed")
		if e := eventAs[tenancy.MemberRoleChanged](t, ev[0]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID || e.UserID != bob.ID ||
			e.MembershipID.String() != bobMembership || e.From != "member" || e.To != "admin" {
			t.Errorf("member.role_changed = %+v", e)
		}

		// Roles: create, update, delete.
		var role roleJSON
		owner.Post(path+"/roles", map[string]any{"name": "billing", "permissions": []string{"roles:read", "members:read"}}).
			RequireStatus(t, http.StatusCreated).JSON(t, &role)
		owner.Do(http.MethodPatch, path+"/roles/billing", map[string]any{"name": "finance", "permissions": []string{"members:read"}}).
			RequireStatus(t, http.StatusOK)
		owner.Do(http.MethodDelete, path+"/roles/"+role.ID, nil).RequireStatus(t, http.StatusNoContent)
		ev = log.take()
		requireEventNames(t, ev, "role.created", "role.updated", "role.deleted")
		if e := eventAs[tenancy.RoleCreated](t, ev[0]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID || e.RoleID.String() != role.ID ||
			e.Name != "billing" || !slices.Equal(e.Permissions, []string{"members:read", "roles:read"}) {
			t.Errorf("role.created = %+v", e)
		}
		if e := eventAs[tenancy.RoleUpdated](t, ev[1]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID || e.RoleID.String() != role.ID ||
			!slices.Equal(e.Changes, []string{"name", "permissions"}) || e.Name != "finance" || !slices.Equal(e.Permissions, []string{"members:read"}) {
			t.Errorf("role.updated = %+v", e)
		}
		if e := eventAs[tenancy.RoleDeleted](t, ev[2]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID || e.RoleID.String() != role.ID || e.Name != "finance" {
			t.Errorf("role.deleted = %+v", e)
		}

		// Remove a member.
		erin := join(t, a, owner.Client, o.ID, "erin", "member")
		log.take()
		erinMembership := memberID(t, members(t, owner.Client, o.ID), erin.ID)
		owner.Do(http.MethodDelete, path+"/members/"+erinMembership, nil).RequireStatus(t, http.StatusNoContent)
		ev = log.take()
		requireEventNames(t, ev, "member.removed")
		if e := eventAs[tenancy.MemberRemoved](t, ev[0]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID || e.UserID != erin.ID ||
			e.MembershipID.String() != erinMembership || e.Role != "member" {
			t.Errorf("member.removed = %+v", e)
		}

		// Leave.
		frank := join(t, a, owner.Client, o.ID, "frank", "member")
		log.take()
		frankMembership := memberID(t, members(t, owner.Client, o.ID), frank.ID)
		frank.Post(path+"/leave", nil).RequireStatus(t, http.StatusNoContent)
		ev = log.take()
		requireEventNames(t, ev, "member.left")
		if e := eventAs[tenancy.MemberLeft](t, ev[0]); e.OrganizationID.String() != o.ID || e.UserID != frank.ID ||
			e.MembershipID.String() != frankMembership || e.Role != "member" {
			t.Errorf("member.left = %+v", e)
		}

		// Transfer to bob (an admin): his promotion, the owner's demotion,
		// then the transfer.
		owner.Post(path+"/transfer", map[string]any{"memberId": bob.ID.String()}).RequireStatus(t, http.StatusOK)
		ev = log.take()
		requireEventNames(t, ev, "member.role_changed", "member.role_changed", "ownership.transferred")
		if e := eventAs[tenancy.MemberRoleChanged](t, ev[0]); e.UserID != bob.ID || e.ActorID != owner.ID || e.From != "admin" || e.To != "owner" {
			t.Errorf("bob's member.role_changed = %+v", e)
		}
		if e := eventAs[tenancy.MemberRoleChanged](t, ev[1]); e.UserID != owner.ID || e.ActorID != owner.ID || e.MembershipID.String() != ownerMembership ||
			e.From != "owner" || e.To != "admin" {
			t.Errorf("owner's member.role_changed = %+v", e)
		}
		if e := eventAs[tenancy.OwnershipTransferred](t, ev[2]); e.OrganizationID.String() != o.ID || e.ActorID != owner.ID ||
			e.FromUserID != owner.ID || e.ToUserID != bob.ID || e.FromRole != "admin" {
			t.Errorf("ownership.transferred = %+v", e)
		}

		// Delete, by the new owner.
		bob.Do(http.MethodDelete, path+"?confirm=acme-two", nil).RequireStatus(t, http.StatusNoContent)
		ev = log.take()
		requireEventNames(t, ev, "organization.deleted")
		if e := eventAs[tenancy.OrganizationDeleted](t, ev[0]); e.OrganizationID.String() != o.ID || e.ActorID != bob.ID || e.Slug != "acme-two" {
			t.Errorf("organization.deleted = %+v", e)
		}
	})
}

// emailJobsTo counts the queued email jobs of template to the address, in
// any state.
func emailJobsTo(t testing.TB, a *testkit.App, to, template string) int {
	t.Helper()
	rows, err := a.Jobs().List(context.Background(), jobs.ListParams{Kind: "notifications.email", Limit: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		var args struct {
			Email struct {
				To   []string
				Tags map[string]string
			} `json:"email"`
		}
		if err := json.Unmarshal(r.EncodedArgs, &args); err != nil {
			t.Fatalf("email job %d: %v", r.ID, err)
		}
		if slices.Contains(args.Email.To, to) && args.Email.Tags["template"] == template {
			n++
		}
	}
	return n
}

// TestEvents_SubscriberErrorRollsBackTheChange: the change, its events and
// its email commit together or not at all. A subscriber failing
// organization.created leaves no organization and no membership; one
// failing member.invited leaves no invitation and no email job.
func TestEvents_SubscriberErrorRollsBackTheChange(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)
		var failCreated, failInvited atomic.Bool
		eventbus.Subscribe(a.Bus(), "tenancy_test", func(context.Context, tenancy.OrganizationCreated) error {
			if failCreated.Load() {
				return errors.New("subscriber refuses organization.created")
			}
			return nil
		})
		eventbus.Subscribe(a.Bus(), "tenancy_test", func(context.Context, tenancy.MemberInvited) error {
			if failInvited.Load() {
				return errors.New("subscriber refuses member.invited")
			}
			return nil
		})
		allEmailJobs := func() int {
			rows, err := a.Jobs().List(context.Background(), jobs.ListParams{Kind: "notifications.email", Limit: 10_000})
			if err != nil {
				t.Fatal(err)
			}
			return len(rows)
		}

		failCreated.Store(true)
		jobsBefore := allEmailJobs()
		r := owner.Post("/api/organizations", map[string]any{"name": "Acme", "slug": "acme"})
		r.RequireProblem(t, http.StatusInternalServerError, "internal")
		for _, c := range r.Cookies() {
			if c.Name == tenancy.ActiveCookieName && c.Value != "" {
				t.Errorf("the failed creation set the active cookie to %q", c.Value)
			}
		}
		var list page[orgJSON]
		owner.Get("/api/organizations").RequireStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("after the failed creation, organizations = %+v", list.Items)
		}
		var act activeJSON
		owner.Get("/api/organizations/active").RequireStatus(t, http.StatusOK).JSON(t, &act)
		if act.Organization != nil {
			t.Fatalf("after the failed creation, active = %+v", act.Organization)
		}
		owner.Get("/api/organizations/acme").RequireProblem(t, http.StatusNotFound, "tenancy.organization_not_found")
		if n := allEmailJobs(); n != jobsBefore {
			t.Errorf("email jobs went from %d to %d", jobsBefore, n)
		}

		// Nothing was left behind: the slug is free, and the owner is the
		// only member.
		failCreated.Store(false)
		o := createOrg(t, owner.Client, "Acme", "acme")
		if ms := members(t, owner.Client, o.ID); len(ms) != 1 || ms[0].UserID != owner.ID.String() {
			t.Fatalf("members = %+v", ms)
		}

		// The invitation email is enqueued in the invitation's transaction.
		failInvited.Store(true)
		bob := testkit.NewEmail("bob")
		owner.Post("/api/organizations/"+o.ID+"/invitations", map[string]any{"email": bob}).RequireProblem(t, http.StatusInternalServerError, "internal")
		if list := listInvitations(t, owner.Client, o.ID, "all"); len(list) != 0 {
			t.Fatalf("after the failed invitation, invitations = %+v", list)
		}
		if n := emailJobsTo(t, a, bob, "organization_invitation"); n != 0 {
			t.Fatalf("the failed invitation left %d email jobs", n)
		}

		failInvited.Store(false)
		invite(t, owner.Client, o.ID, bob, "member") // not already_invited
		a.WaitEmail(t, bob, "organization_invitation")
		if n := emailJobsTo(t, a, bob, "organization_invitation"); n != 1 {
			t.Errorf("%d invitation email jobs, want 1", n)
		}
		if n := len(a.WaitEmails(t, bob, "organization_invitation", 1)); n != 1 {
			t.Errorf("%d invitation emails, want 1", n)
		}
	})
}

// signIn signs email in on a new client and returns it.
func signIn(t testing.TB, a *testkit.App, email string) *testkit.Client {
	t.Helper()
	c := a.Client()
	c.Post("/api/auth/sign-in/email", map[string]any{"email": email, "password": testkit.Password}).RequireStatus(t, http.StatusOK)
	return c
}

// TestEvents_AccountDeletion: a deleted account leaves the organizations it
// shared (member.left) and takes those it was alone in
// (organization.deleted).
func TestEvents_AccountDeletion(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner := a.SignUp(t, testkit.NewEmail("owner"), "Olivia Owner", true)
		x := createOrg(t, owner.Client, "Xylo", "xylo")
		uma := join(t, a, owner.Client, x.ID, "uma", "member")
		y := createOrg(t, uma.Client, "Yonder", "yonder")
		umaMembership := memberID(t, members(t, owner.Client, x.ID), uma.ID)
		log := newTenancyEventLog(a)

		uma.Post("/api/auth/delete-user", map[string]any{"password": testkit.Password}).RequireStatus(t, http.StatusOK)

		ev := log.take()
		names := make([]string, len(ev))
		for i, e := range ev {
			names[i] = e.EventName()
		}
		slices.Sort(names) // organizations are visited in ID order
		if !slices.Equal(names, []string{"member.left", "organization.deleted"}) {
			t.Fatalf("events = %q, want member.left and organization.deleted", names)
		}
		for _, e := range ev {
			switch e := e.(type) {
			case tenancy.MemberLeft:
				if e.OrganizationID.String() != x.ID || e.UserID != uma.ID || e.MembershipID.String() != umaMembership || e.Role != "member" {
					t.Errorf("member.left = %+v", e)
				}
			case tenancy.OrganizationDeleted:
				if e.OrganizationID.String() != y.ID || e.Slug != "yonder" {
					t.Errorf("organization.deleted = %+v", e)
				}
			}
		}

		if ms := members(t, owner.Client, x.ID); len(ms) != 1 || ms[0].UserID != owner.ID.String() {
			t.Errorf("Xylo's members = %+v, want the owner only", ms)
		}
		ctx := context.Background()
		if ids, err := a.Tenancy().MemberIDs(ctx, kernel.MustParseID[kernel.OrganizationKind](y.ID)); err != nil || len(ids) != 0 {
			t.Errorf("Yonder's members = %v (%v), want none", ids, err)
		}
		// Yonder is gone: its slug is free again.
		createOrg(t, owner.Client, "Yonder", "yonder")
	})
}

// TestEvents_AccountDeletionRefusedForSoleOwner: the only owner of an
// organization others belong to cannot delete their account; nothing
// changes and they can still sign in.
func TestEvents_AccountDeletionRefusedForSoleOwner(t *testing.T) {
	t.Parallel()
	testkit.Run(t, func(t *testing.T, a *testkit.App) {
		owner, o := acme(t, a)
		bob := join(t, a, owner.Client, o.ID, "bob", "admin")
		log := newTenancyEventLog(a)

		owner.Post("/api/auth/delete-user", map[string]any{"password": testkit.Password}).RequireProblem(t, http.StatusConflict, "tenancy.last_owner")
		requireEventNames(t, log.take())

		// Still there, still the owner, still signed in and able to sign in.
		requireActive(t, owner.Client, o.ID, "owner")
		c := signIn(t, a, owner.Email)
		requireActive(t, c, o.ID, "owner")
		ms := members(t, bob.Client, o.ID)
		if len(ms) != 2 || roleOf(ms, owner.ID.String()) != "owner" || roleOf(ms, bob.ID.String()) != "admin" {
			t.Errorf("members = %+v", ms)
		}
		if _, err := a.IAM().User(context.Background(), owner.ID); err != nil {
			t.Errorf("the owner's account: %v", err)
		}

		// Once bob owns it too, the deletion goes through.
		owner.Do(http.MethodPatch, "/api/organizations/"+o.ID+"/members/"+bob.ID.String(), map[string]any{"role": "owner"}).RequireStatus(t, http.StatusOK)
		log.take()
		owner.Post("/api/auth/delete-user", map[string]any{"password": testkit.Password}).RequireStatus(t, http.StatusOK)
		requireEventNames(t, log.take(), "member.left")
		if ms := members(t, bob.Client, o.ID); len(ms) != 1 || ms[0].UserID != bob.ID.String() {
			t.Errorf("members = %+v, want bob only", ms)
		}
	})
}
