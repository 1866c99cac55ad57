package application_test

import (
	"context"
	"slices"
	"testing"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
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

func viewIDs(vs []application.UserView) []kernel.UserID {
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

func TestCreateUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.orgs(t)
	before := len(b.events())

	v, err := b.svc.CreateUser(ctx, o.a, o.admin, application.CreateUserInput{
		Email: "New@Example.com", Name: "Nova", Username: "nova", Locale: "fr",
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.Email != "new@example.com" || v.Name != "Nova" || v.Username != "nova" || v.Locale != "fr" || v.EmailVerified {
		t.Errorf("view = %+v", v)
	}
	if b.user(t, v.ID).PasswordHash != "" || !b.w.members[o.a][v.ID] {
		t.Error("the new user has a password or is not a member")
	}
	evs := b.events()[before:]
	want := application.UserCreated{UserID: v.ID, Email: "new@example.com", Name: "Nova", Locale: "fr", ByAdmin: o.admin, OrganizationID: o.a}
	if len(evs) != 1 || evs[0] != want {
		t.Errorf("events = %+v", evs)
	}
	m := b.lastEmail(t, "set_password")
	tok := tokenOf(t, m.URL)
	if m.User != v.ID || m.URL != "https://app.example.com/api/auth/reset-password/"+tok {
		t.Errorf("email = %+v", m)
	}
	// Nobody can sign in until the password is set through the link.
	_, err = b.svc.SignIn(ctx, application.SignInInput{Email: "new@example.com", Password: goodPassword})
	wantCode(t, err, kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
	if err := b.svc.ResetPassword(ctx, tok, goodPassword); err != nil {
		t.Fatal(err)
	}
	if iss := b.signIn(t, "new@example.com", goodPassword); !iss.User.EmailVerified {
		t.Error("setting the password through the emailed link did not verify the email")
	}
}

func TestCreateUserWithAnExistingAccount(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.orgs(t)
	check := b.unchanged(t)
	_, err := b.svc.CreateUser(ctx, o.a, o.admin, application.CreateUserInput{Email: "ANA@example.com"})
	wantCode(t, err, kernel.KindConflict, "iam.already_member")
	check()

	// bo has an account (in B): joining A sends no email and creates no user.
	mails, evs := len(b.emails()), len(b.events())
	v, err := b.svc.CreateUser(ctx, o.a, o.admin, application.CreateUserInput{Email: "bo@example.com", Name: "ignored"})
	if err != nil || v.ID != o.bo || v.Name != "Seeded" {
		t.Fatalf("CreateUser = %+v, %v", v, err)
	}
	if !b.w.members[o.a][o.bo] || len(b.emails()) != mails || len(b.events()) != evs {
		t.Errorf("member %v, emails %d → %d, events %d → %d", b.w.members[o.a][o.bo], mails, len(b.emails()), evs, len(b.events()))
	}
}

func TestCreateUserRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.orgs(t)
	if _, err := b.svc.UpdateProfile(ctx, o.bo, domain.UserPatch{Username: ptr("bob")}); err != nil {
		t.Fatal(err)
	}
	check := b.unchanged(t)
	_, err := b.svc.CreateUser(ctx, o.a, o.admin, application.CreateUserInput{Email: "x@", Locale: "english"})
	e := wantCode(t, err, kernel.KindInvalid, "iam.invalid_user")
	if got := fieldNames(e); !slices.Equal(got, []string{"email", "locale"}) {
		t.Errorf("fields = %v", got)
	}
	_, err = b.svc.CreateUser(ctx, o.a, o.admin, application.CreateUserInput{Email: "new@example.com", Username: "Bob"})
	wantCode(t, err, kernel.KindConflict, "USERNAME_IS_ALREADY_TAKEN")
	check()
}

func TestAdminUpdateUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.orgs(t)
	s1 := b.signIn(t, "ana@example.com", goodPassword)
	s2 := b.signIn(t, "ana@example.com", goodPassword)
	before := len(b.events())

	v, err := b.svc.AdminUpdateUser(ctx, o.a, o.admin, o.ana, domain.UserPatch{Name: ptr("Ana B"), Active: ptr(false)})
	if err != nil || v.Active || v.Name != "Ana B" {
		t.Fatalf("AdminUpdateUser = %+v, %v", v, err)
	}
	for _, s := range []*application.Issued{s1, s2} {
		if _, err := b.svc.Authenticate(ctx, s.Token.String()); err == nil {
			t.Error("a deactivated user's session still authenticates")
		}
	}
	_, err = b.svc.SignIn(ctx, application.SignInInput{Email: "ana@example.com", Password: goodPassword})
	wantCode(t, err, kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")
	evs := b.events()[before:]
	if got := eventNames(evs); !slices.Equal(got, []string{"user.updated", "session.revoked", "user.deactivated"}) {
		t.Fatalf("events = %v", got)
	}
	if up := evs[0].(application.UserUpdated); up.By != o.admin || !slices.Equal(up.Changes, []string{"name"}) {
		t.Errorf("updated = %+v", up)
	}
	if !equalRevoked(evs[1], application.SessionRevoked{UserID: o.ana, Reason: "deactivated",
		SessionIDs: []kernel.SessionID{s1.Session.ID, s2.Session.ID}}) || evs[2] != (application.UserDeactivated{UserID: o.ana, By: o.admin}) {
		t.Errorf("events = %+v", evs)
	}

	before = len(b.events())
	if _, err := b.svc.AdminUpdateUser(ctx, o.a, o.admin, o.ana, domain.UserPatch{Active: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if evs := b.events()[before:]; len(evs) != 1 || evs[0] != (application.UserReactivated{UserID: o.ana, By: o.admin}) {
		t.Errorf("events = %+v", evs)
	}
	b.signIn(t, "ana@example.com", goodPassword)
}

func TestAdminUpdateUserRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	o := b.orgs(t)
	check := b.unchanged(t)
	_, err := b.svc.AdminUpdateUser(ctx, o.a, o.admin, o.bo, domain.UserPatch{Active: ptr(false)})
	wantCode(t, err, kernel.KindNotFound, "iam.user_not_found")
	_, err = b.svc.AdminUpdateUser(ctx, o.a, o.admin, o.admin, domain.UserPatch{Active: ptr(false)})
	wantCode(t, err, kernel.KindForbidden, "iam.cannot_deactivate_self")
	_, err = b.svc.AdminUpdateUser(ctx, o.a, o.admin, o.ana, domain.UserPatch{Locale: ptr("nope!")})
	wantCode(t, err, kernel.KindInvalid, "iam.invalid_user")
	check()
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
	_, err = b.svc.CreateUser(ctx, org, ana, application.CreateUserInput{Email: "new@example.com"})
	e := wantCode(t, err, kernel.KindUnavailable, "iam.no_tenancy")
	if e.Detail != "Organizations are not available." {
		t.Errorf("detail = %q", e.Detail)
	}
	check()
	if err := (application.NoMembers{}).Remove(ctx, org, ana); kernel.CodeOf(err) != "iam.no_tenancy" {
		t.Errorf("Remove = %v", err)
	}
}
