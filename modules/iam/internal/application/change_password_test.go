package application_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
)

func TestChangePassword(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, current := b.signUp(t, "ana@example.com")
	other := b.signIn(t, "ana@example.com", goodPassword)
	before := len(b.events())

	iss, err := b.svc.ChangePassword(ctx, application.ChangePasswordInput{
		User: u.ID, Session: current.Session.ID, CurrentPassword: goodPassword, NewPassword: otherPassword, Meta: meta,
	})
	if err != nil || iss != nil {
		t.Fatalf("ChangePassword = %+v, %v", iss, err)
	}
	// Both sessions live on; only the new password signs in.
	for _, s := range []*application.Issued{current, other} {
		if _, err := b.svc.Authenticate(ctx, s.Token.String()); err != nil {
			t.Errorf("session lost: %v", err)
		}
	}
	b.signIn(t, "ana@example.com", otherPassword)
	_, err = b.svc.SignIn(ctx, application.SignInInput{Email: "ana@example.com", Password: goodPassword})
	wantCode(t, err, kernel.KindUnauthenticated, "INVALID_EMAIL_OR_PASSWORD")

	evs := b.events()[before:]
	if len(evs) < 1 || evs[0] != (application.UserPasswordChanged{UserID: u.ID}) {
		t.Errorf("events = %+v", evs)
	}
	if m := b.lastEmail(t, "password_changed"); m.User != u.ID {
		t.Errorf("email = %+v", m)
	}
}

func TestChangePasswordRevokingOtherSessions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, current := b.signUp(t, "ana@example.com")
	other := b.signIn(t, "ana@example.com", goodPassword)
	before := len(b.events())

	iss, err := b.svc.ChangePassword(ctx, application.ChangePasswordInput{
		User: u.ID, Session: current.Session.ID, CurrentPassword: goodPassword, NewPassword: otherPassword,
		RevokeOtherSessions: true, Meta: meta,
	})
	if err != nil || iss == nil {
		t.Fatalf("ChangePassword = %+v, %v", iss, err)
	}
	if iss.Session.ID == current.Session.ID || iss.User.ID != u.ID {
		t.Errorf("issued = %+v", iss)
	}
	for _, s := range []*application.Issued{current, other} {
		if _, err := b.svc.Authenticate(ctx, s.Token.String()); err == nil {
			t.Errorf("session %s survived", s.Session.ID)
		}
	}
	if _, err := b.svc.Authenticate(ctx, iss.Token.String()); err != nil {
		t.Errorf("new session: %v", err)
	}
	if b.sessionCount() != 1 {
		t.Errorf("sessions = %d", b.sessionCount())
	}
	evs := b.events()[before:]
	if got := eventNames(evs); !slices.Equal(got, []string{"session.revoked", "user.password_changed"}) {
		t.Fatalf("events = %v", got)
	}
	if !equalRevoked(evs[0], application.SessionRevoked{UserID: u.ID, Reason: "password_changed",
		SessionIDs: []kernel.SessionID{current.Session.ID, other.Session.ID}}) {
		t.Errorf("revoked = %+v", evs[0])
	}
	if evs[1] != (application.UserPasswordChanged{UserID: u.ID, OtherSessionsRevoked: true}) {
		t.Errorf("changed = %+v", evs[1])
	}
}

func TestChangePasswordRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		current, nw string
		noPassword  bool
		kind        kernel.ErrorKind
		code        string
		wantVerify  int32
	}{
		{"wrong current", "wrong password!", otherPassword, false, kernel.KindInvalid, "INVALID_PASSWORD", 1},
		{"new too short", goodPassword, "short", false, kernel.KindInvalid, "PASSWORD_TOO_SHORT", 0},
		{"new too long", goodPassword, strings.Repeat("x", 129), false, kernel.KindInvalid, "PASSWORD_TOO_LONG", 0},
		{"current too long", strings.Repeat("x", 129), otherPassword, false, kernel.KindInvalid, "PASSWORD_TOO_LONG", 0},
		{"no password set", goodPassword, otherPassword, true, kernel.KindInvalid, "CREDENTIAL_ACCOUNT_NOT_FOUND", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			pw := goodPassword
			if tt.noPassword {
				pw = ""
			}
			u := b.seedUser(t, "ana@example.com", pw, nil)
			check := b.unchanged(t)
			iss, err := b.svc.ChangePassword(context.Background(), application.ChangePasswordInput{
				User: u.ID(), CurrentPassword: tt.current, NewPassword: tt.nw, RevokeOtherSessions: true,
			})
			wantCode(t, err, tt.kind, tt.code)
			if iss != nil {
				t.Errorf("issued = %+v", iss)
			}
			check()
			if c := b.hasher.counts(); c != [3]int32{0, tt.wantVerify, 0} {
				t.Errorf("hasher calls = %v", c)
			}
		})
	}
}

func TestChangePasswordMessages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u := b.seedUser(t, "ana@example.com", goodPassword, nil)
	_, err := b.svc.ChangePassword(context.Background(), application.ChangePasswordInput{
		User: u.ID(), CurrentPassword: "nope nope nope", NewPassword: otherPassword,
	})
	if e := kernel.AsError(err); e == nil || e.Detail != "Invalid password" {
		t.Errorf("err = %v", err)
	}
}

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, _ := b.signUp(t, "ana@example.com")
	b.clock.Advance(time.Minute)
	before := len(b.events())
	v, err := b.svc.UpdateProfile(ctx, u.ID, domain.UserPatch{
		Name: ptr(" Ana Maria "), Username: ptr("Ana_M"), Locale: ptr("pt-br"), Image: ptr("https://cdn.example.com/a.png"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "Ana Maria" || v.Username != "ana_m" || v.Locale != "pt-BR" || v.Image != "https://cdn.example.com/a.png" ||
		!v.UpdatedAt.Equal(b.clock.Now()) {
		t.Errorf("view = %+v", v)
	}
	evs := b.events()[before:]
	if len(evs) != 1 {
		t.Fatalf("events = %+v", evs)
	}
	up := evs[0].(application.UserUpdated)
	if up.UserID != u.ID || up.By != u.ID || !slices.Equal(up.Changes, []string{"name", "username", "locale", "image"}) {
		t.Errorf("event = %+v", up)
	}
	// The same values again change nothing and announce nothing.
	if _, err := b.svc.UpdateProfile(ctx, u.ID, domain.UserPatch{Name: ptr("Ana Maria")}); err != nil || len(b.events()) != before+1 {
		t.Errorf("no-op: %v, events %v", err, eventNames(b.events()))
	}
}

func TestUpdateProfileRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, _ := b.signUp(t, "ana@example.com")
	b.seedUser(t, "bo@example.com", goodPassword, nil)
	if _, err := b.svc.UpdateProfile(ctx, b.findUser(t, "bo@example.com"), domain.UserPatch{Username: ptr("bob")}); err != nil {
		t.Fatal(err)
	}
	check := b.unchanged(t)

	_, err := b.svc.UpdateProfile(ctx, u.ID, domain.UserPatch{Name: ptr("Ana"), Active: ptr(false)})
	e := wantCode(t, err, kernel.KindInvalid, "FIELD_NOT_ALLOWED")
	if got := fieldNames(e); !slices.Equal(got, []string{"active"}) {
		t.Errorf("fields = %v", got)
	}
	_, err = b.svc.UpdateProfile(ctx, u.ID, domain.UserPatch{Name: ptr("Ana"), Locale: ptr("english"), Image: ptr("javascript:x")})
	e = wantCode(t, err, kernel.KindInvalid, "iam.invalid_user")
	if got := fieldNames(e); !slices.Equal(got, []string{"locale", "image"}) {
		t.Errorf("fields = %v", got)
	}
	_, err = b.svc.UpdateProfile(ctx, u.ID, domain.UserPatch{Username: ptr("BOB")})
	wantCode(t, err, kernel.KindConflict, "USERNAME_IS_ALREADY_TAKEN")
	check()
}
