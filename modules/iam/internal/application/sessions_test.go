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

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	_, iss := b.signUp(t, "ana@example.com")
	a, err := b.svc.Authenticate(ctx, iss.Token.String())
	if err != nil {
		t.Fatal(err)
	}
	if a.Refreshed || a.User.Email != "ana@example.com" || a.Session.ID != iss.Session.ID {
		t.Errorf("authenticated = %+v", a)
	}
	if q, r := b.w.byHashCalls.Load(), b.w.refreshes.Load(); q != 1 || r != 0 {
		t.Errorf("queries = %d, refreshes = %d", q, r)
	}
	if b.w.txCount != 1 { // the sign-up's
		t.Errorf("transactions = %d; Authenticate must open none", b.w.txCount)
	}
}

func TestAuthenticateRefusals(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.signUp(t, "ana@example.com")
	fresh, _ := kernel.NewToken()
	calls := b.w.byHashCalls.Load()
	for _, tok := range []string{"", "garbage", strings.Repeat("A", 42) + "!", strings.Repeat("A", 43) + "\n"} {
		_, err := b.svc.Authenticate(ctx, tok)
		e := wantCode(t, err, kernel.KindUnauthenticated, "UNAUTHORIZED")
		if e.Detail != "Unauthorized" {
			t.Errorf("detail = %q", e.Detail)
		}
	}
	if b.w.byHashCalls.Load() != calls {
		t.Error("a malformed token reached the store")
	}
	_, err := b.svc.Authenticate(ctx, fresh.String())
	wantCode(t, err, kernel.KindUnauthenticated, "UNAUTHORIZED")
}

func TestAuthenticateSlidesExpiryAtMostDaily(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	_, iss := b.signUp(t, "ana@example.com")
	auth := func() *application.Authenticated {
		t.Helper()
		a, err := b.svc.Authenticate(ctx, iss.Token.String())
		if err != nil {
			t.Fatalf("at %s: %v", b.clock.Now().Sub(t0), err)
		}
		return a
	}
	b.clock.Advance(23 * time.Hour)
	if a := auth(); a.Refreshed || !a.Session.ExpiresAt.Equal(t0.Add(domain.SessionTTL)) {
		t.Errorf("refreshed before a day: %+v", a.Session)
	}
	b.clock.Advance(time.Hour)
	a := auth()
	if !a.Refreshed || !a.Session.ExpiresAt.Equal(b.clock.Now().Add(domain.SessionTTL)) {
		t.Errorf("not refreshed after a day: %+v", a)
	}
	if a := auth(); a.Refreshed {
		t.Error("refreshed twice in a day")
	}
	if r := b.w.refreshes.Load(); r != 1 {
		t.Errorf("refresh writes = %d", r)
	}
	// Used daily, a session outlives its first 7 days.
	for range 10 {
		b.clock.Advance(24 * time.Hour)
		auth()
	}
	// Left alone past its expiry, it stops working.
	b.clock.Advance(domain.SessionTTL)
	_, err := b.svc.Authenticate(ctx, iss.Token.String())
	wantCode(t, err, kernel.KindUnauthenticated, "UNAUTHORIZED")
}

func TestAuthenticateRefusesDeactivatedUser(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u, iss := b.signUp(t, "ana@example.com")
	b.editUser(t, u.ID, func(s *domain.UserSnapshot) { s.Active = false })
	_, err := b.svc.Authenticate(context.Background(), iss.Token.String())
	wantCode(t, err, kernel.KindUnauthenticated, "UNAUTHORIZED")
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, iss := b.signUp(t, "ana@example.com")
	other := b.signIn(t, "ana@example.com", goodPassword)
	before := len(b.events())
	if err := b.svc.SignOut(ctx, iss.Token.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Authenticate(ctx, iss.Token.String()); err == nil {
		t.Error("signed-out session still authenticates")
	}
	if _, err := b.svc.Authenticate(ctx, other.Token.String()); err != nil {
		t.Errorf("other session: %v", err)
	}
	evs := b.events()[before:]
	want := application.SessionRevoked{UserID: u.ID, SessionIDs: []kernel.SessionID{iss.Session.ID}, Reason: "sign_out"}
	if len(evs) != 1 || !equalRevoked(evs[0], want) {
		t.Errorf("events = %+v", evs)
	}
	// Unknown, repeated or malformed tokens are not errors, and announce
	// nothing.
	for _, tok := range []string{iss.Token.String(), "garbage", ""} {
		if err := b.svc.SignOut(ctx, tok); err != nil {
			t.Errorf("SignOut(%q) = %v", tok, err)
		}
	}
	if len(b.events()) != before+1 {
		t.Errorf("events = %v", eventNames(b.events()))
	}
}

func equalRevoked(e kernel.Event, want application.SessionRevoked) bool {
	got, ok := e.(application.SessionRevoked)
	return ok && got.UserID == want.UserID && got.Reason == want.Reason && slices.Equal(sortedIDs(got.SessionIDs), sortedIDs(want.SessionIDs))
}

func sortedIDs(ids []kernel.SessionID) []string {
	var out []string
	for _, id := range ids {
		out = append(out, id.String())
	}
	slices.Sort(out)
	return out
}

func TestListAndRevokeSessions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	u, s1 := b.signUp(t, "ana@example.com")
	b.clock.Advance(time.Minute)
	s2 := b.signIn(t, "ana@example.com", goodPassword)
	b.clock.Advance(time.Minute)
	s3 := b.signIn(t, "ana@example.com", goodPassword)
	b.seedUser(t, "bo@example.com", goodPassword, nil)
	bo := b.signIn(t, "bo@example.com", goodPassword)

	list, err := b.svc.ListSessions(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []kernel.SessionID
	for _, s := range list {
		ids = append(ids, s.ID)
		if s.UserID != u.ID || s.IPAddress != meta.IP {
			t.Errorf("session = %+v", s)
		}
	}
	if !slices.Equal(ids, []kernel.SessionID{s3.Session.ID, s2.Session.ID, s1.Session.ID}) {
		t.Errorf("list = %v, want newest first", ids)
	}

	// One by handle.
	before := len(b.events())
	if err := b.svc.RevokeSession(ctx, u.ID, s2.Session.ID.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Authenticate(ctx, s2.Token.String()); err == nil {
		t.Error("revoked session still authenticates")
	}
	if evs := b.events()[before:]; len(evs) != 1 || !equalRevoked(evs[0], application.SessionRevoked{
		UserID: u.ID, SessionIDs: []kernel.SessionID{s2.Session.ID}, Reason: "revoked"}) {
		t.Errorf("events = %+v", evs)
	}
	// Unknown, malformed, already revoked, or another user's: NotFound,
	// nothing changed.
	check := b.unchanged(t)
	for _, h := range []string{s2.Session.ID.String(), "ses_nope", "", s1.Token.String(), bo.Session.ID.String()} {
		e := wantCode(t, b.svc.RevokeSession(ctx, u.ID, h), kernel.KindNotFound, "SESSION_NOT_FOUND")
		if e.Detail != "Session not found" {
			t.Errorf("detail = %q", e.Detail)
		}
	}
	check()

	// All others.
	before = len(b.events())
	if err := b.svc.RevokeOtherSessions(ctx, u.ID, s3.Session.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Authenticate(ctx, s1.Token.String()); err == nil {
		t.Error("other session survived")
	}
	if _, err := b.svc.Authenticate(ctx, s3.Token.String()); err != nil {
		t.Errorf("current session: %v", err)
	}
	if evs := b.events()[before:]; len(evs) != 1 || !equalRevoked(evs[0], application.SessionRevoked{
		UserID: u.ID, SessionIDs: []kernel.SessionID{s1.Session.ID}, Reason: "revoked"}) {
		t.Errorf("events = %+v", evs)
	}
	// Nothing left to revoke: nothing announced.
	before = len(b.events())
	if err := b.svc.RevokeOtherSessions(ctx, u.ID, s3.Session.ID); err != nil || len(b.events()) != before {
		t.Errorf("err = %v, events = %v", err, eventNames(b.events()[before:]))
	}

	// All.
	if err := b.svc.RevokeAllSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if list, _ := b.svc.ListSessions(ctx, u.ID); len(list) != 0 {
		t.Errorf("left: %+v", list)
	}
	if _, err := b.svc.Authenticate(ctx, bo.Token.String()); err != nil {
		t.Errorf("another user's session was revoked: %v", err)
	}
}

func TestListSessionsSkipsExpired(t *testing.T) {
	t.Parallel()
	b := setup(t)
	u, _ := b.signUp(t, "ana@example.com")
	b.clock.Advance(6 * 24 * time.Hour)
	s2 := b.signIn(t, "ana@example.com", goodPassword)
	b.clock.Advance(24 * time.Hour)
	list, err := b.svc.ListSessions(context.Background(), u.ID)
	if err != nil || len(list) != 1 || list[0].ID != s2.Session.ID {
		t.Errorf("list = %+v, %v", list, err)
	}
}

func TestPurgeExpired(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.signUp(t, "ana@example.com") // a session and a 24 h verification token
	b.clock.Advance(2 * time.Hour)
	if err := b.svc.RequestPasswordReset(ctx, "ana@example.com", "", meta); err != nil { // a 1 h token
		t.Fatal(err)
	}
	live := b.signIn(t, "ana@example.com", goodPassword)
	b.clock.Advance(90 * time.Minute)
	if s, tk, err := b.svc.PurgeExpired(ctx); s != 0 || tk != 1 || err != nil {
		t.Errorf("purge = %d, %d, %v; want the reset token", s, tk, err)
	}
	b.clock.Advance(domain.SessionTTL - 90*time.Minute - time.Minute)
	// The first session is past its 7 days, the second not yet.
	if s, tk, err := b.svc.PurgeExpired(ctx); s != 1 || tk != 1 || err != nil {
		t.Errorf("purge = %d, %d, %v", s, tk, err)
	}
	if _, err := b.svc.Authenticate(ctx, live.Token.String()); err != nil {
		t.Errorf("live session purged: %v", err)
	}
}
