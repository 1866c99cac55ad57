package application_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
)

// orgs sets up two organizations: A with admin and ana, B with bo.
type orgs struct {
	a, b           kernel.OrganizationID
	admin, ana, bo kernel.UserID
}

func (b *bundle) orgs(t *testing.T) orgs {
	t.Helper()
	o := orgs{a: kernel.NewID[kernel.OrganizationKind](), b: kernel.NewID[kernel.OrganizationKind]()}
	o.admin = b.seedUser(t, "admin@example.com", goodPassword, nil).ID()
	o.ana = b.seedUser(t, "ana@example.com", goodPassword, nil).ID()
	o.bo = b.seedUser(t, "bo@example.com", goodPassword, nil).ID()
	b.w.members[o.a] = map[kernel.UserID]bool{o.admin: true, o.ana: true}
	b.w.members[o.b] = map[kernel.UserID]bool{o.bo: true}
	return o
}

func viewIDs(vs []application.MemberView) []kernel.UserID {
	var out []kernel.UserID
	for _, v := range vs {
		out = append(out, v.ID)
	}
	return out
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.orgs(t)

	all, next, err := b.svc.ListUsers(ctx, o.a, "", kernel.UserID{}, 0)
	if err != nil || !next.IsZero() {
		t.Fatalf("ListUsers = %v, %v", next, err)
	}
	if got := viewIDs(all); !slices.Equal(got, []kernel.UserID{o.admin, o.ana}) {
		t.Errorf("org A = %v, want admin and ana only", got)
	}
	if got, _, _ := b.svc.ListUsers(ctx, o.a, "ANA@", kernel.UserID{}, 0); !slices.Equal(viewIDs(got), []kernel.UserID{o.ana}) {
		t.Errorf("search = %v", viewIDs(got))
	}
	if got, _, _ := b.svc.ListUsers(ctx, o.a, "bo@", kernel.UserID{}, 0); len(got) != 0 {
		t.Errorf("another org's user found by search: %v", viewIDs(got))
	}
	// Pages of one.
	p1, next, err := b.svc.ListUsers(ctx, o.a, "", kernel.UserID{}, 1)
	if err != nil || !slices.Equal(viewIDs(p1), []kernel.UserID{o.admin}) || next != o.admin {
		t.Fatalf("page 1 = %v, next %v, %v", viewIDs(p1), next, err)
	}
	p2, next, err := b.svc.ListUsers(ctx, o.a, "", next, 1)
	if err != nil || !slices.Equal(viewIDs(p2), []kernel.UserID{o.ana}) || !next.IsZero() {
		t.Fatalf("page 2 = %v, next %v, %v; want the last page", viewIDs(p2), next, err)
	}
	// A cursor past the end gives an empty last page.
	p3, next3, err := b.svc.ListUsers(ctx, o.a, "", o.ana, 1)
	if err != nil || len(p3) != 0 || !next3.IsZero() {
		t.Errorf("past the end = %v, next %v, %v", viewIDs(p3), next3, err)
	}
}

func TestGetUserIsScopedToTheOrganization(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.orgs(t)
	v, err := b.svc.GetUser(ctx, o.a, o.ana)
	if err != nil || v.Email != "ana@example.com" {
		t.Errorf("GetUser = %+v, %v", v, err)
	}
	for _, id := range []kernel.UserID{o.bo, kernel.NewID[kernel.UserKind]()} {
		_, err := b.svc.GetUser(ctx, o.a, id)
		wantCode(t, err, kernel.KindNotFound, "iam.user_not_found")
	}
}

// TestAddUserInvites: adding a person is an invitation, whether or not an
// account exists, and no account is created or touched.
func TestAddUserInvites(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.orgs(t)
	check := b.unchanged(t)
	for _, email := range []string{"New@Example.com", "bo@example.com"} { // nobody's; bo's (a member of B)
		inv, err := b.svc.AddUser(ctx, o.a, email)
		if err != nil || inv.Email != strings.ToLower(email) {
			t.Fatalf("AddUser(%s) = %+v, %v", email, inv, err)
		}
	}
	if !slices.Equal(b.w.invites, []string{"new@example.com", "bo@example.com"}) {
		t.Errorf("invites = %v", b.w.invites)
	}
	if b.w.members[o.a][o.bo] {
		t.Error("bo joined without accepting")
	}
	check() // no user, token, email or event
	_, err := b.svc.AddUser(ctx, o.a, "ana@example.com")
	wantCode(t, err, kernel.KindConflict, "tenancy.already_member")
	_, err = b.svc.AddUser(ctx, o.a, "x@")
	e := wantCode(t, err, kernel.KindInvalid, "iam.invalid_email")
	if got := fieldNames(e); !slices.Equal(got, []string{"email"}) {
		t.Errorf("fields = %v", got)
	}
}

func TestRemoveUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.orgs(t)
	wantCode(t, b.svc.RemoveUser(ctx, o.a, o.admin, o.bo), kernel.KindNotFound, "iam.user_not_found")
	if err := b.svc.RemoveUser(ctx, o.a, o.admin, o.ana); err != nil {
		t.Fatal(err)
	}
	if b.w.members[o.a][o.ana] {
		t.Error("still a member")
	}
	b.user(t, o.ana) // the account stays
	_, err := b.svc.GetUser(ctx, o.a, o.ana)
	wantCode(t, err, kernel.KindNotFound, "iam.user_not_found")
}

func TestNoMembers(t *testing.T) {
	t.Parallel()
	b := setup(t, withNoMembers)
	ctx := context.Background()
	org := kernel.NewID[kernel.OrganizationKind]()
	ana := b.seedUser(t, "ana@example.com", goodPassword, nil).ID()
	if list, next, err := b.svc.ListUsers(ctx, org, "", kernel.UserID{}, 10); err != nil || len(list) != 0 || !next.IsZero() {
		t.Errorf("ListUsers = %v, %v, %v", viewIDs(list), next, err)
	}
	_, err := b.svc.GetUser(ctx, org, ana)
	wantCode(t, err, kernel.KindNotFound, "iam.user_not_found")
	check := b.unchanged(t)
	_, err = b.svc.AddUser(ctx, org, "new@example.com")
	e := wantCode(t, err, kernel.KindUnavailable, "iam.no_tenancy")
	if e.Detail != "Organizations are not available." {
		t.Errorf("detail = %q", e.Detail)
	}
	check()
	if err := (application.NoMembers{}).Remove(ctx, org, ana); kernel.CodeOf(err) != "iam.no_tenancy" {
		t.Errorf("Remove = %v", err)
	}
}
