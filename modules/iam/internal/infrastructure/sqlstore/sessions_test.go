package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/groundworkhq/groundwork/db"
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/iam/internal/application"
	"github.com/groundworkhq/groundwork/modules/iam/internal/domain"
	"github.com/groundworkhq/groundwork/modules/iam/internal/infrastructure/sqlstore"
	"github.com/groundworkhq/groundwork/testkit/testdb"
)

// createSession stores a session of user opened at at.
func createSession(t testing.TB, s *sqlstore.Store, user kernel.UserID, at time.Time) (*domain.Session, kernel.Token) {
	t.Helper()
	tok := newToken(t)
	sess := domain.NewSession(user, tok, at, "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
	if err := s.Sessions.Create(context.Background(), sess); err != nil {
		t.Fatal(err)
	}
	return sess, tok
}

func sessionIDs(ss []*domain.Session) []kernel.SessionID {
	out := make([]kernel.SessionID, len(ss))
	for i, s := range ss {
		out[i] = s.ID()
	}
	return out
}

func TestSessionsCreateAndByTokenHash(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		sessions, ctx := s.Sessions, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		admin := createUser(t, s, "admin@example.com", "Admin")

		sess, tok := createSession(t, s, u.ID(), t0)
		got, gotUser, err := sessions.ByTokenHash(ctx, tok.Hash())
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(sess.Snapshot()) {
			t.Errorf("session:\n got %s\nwant %s", flat(got.Snapshot()), flat(sess.Snapshot()))
		}
		if flat(gotUser.Snapshot()) != flat(u.Snapshot()) {
			t.Errorf("user:\n got %s\nwant %s", flat(gotUser.Snapshot()), flat(u.Snapshot()))
		}
		if !got.MatchesToken(tok) || got.Impersonated() {
			t.Errorf("session %+v", got.Snapshot())
		}
		if _, _, err := sessions.ByTokenHash(ctx, newToken(t).Hash()); !errors.Is(err, application.ErrSessionNotFound) {
			t.Errorf("unknown token = %v, want ErrSessionNotFound", err)
		}

		// Impersonation, and client strings at their limits.
		itok := newToken(t)
		imp := domain.NewImpersonationSession(u.ID(), admin.ID(), itok, t0, time.Hour, "2001:db8::1", strings.Repeat("é", 300))
		if err := sessions.Create(ctx, imp); err != nil {
			t.Fatal(err)
		}
		got, gotUser, err = sessions.ByTokenHash(ctx, itok.Hash())
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(imp.Snapshot()) || got.ImpersonatorID() != admin.ID() || gotUser.ID() != u.ID() {
			t.Errorf("impersonation:\n got %s\nwant %s", flat(got.Snapshot()), flat(imp.Snapshot()))
		}

		// An expired session is still found: the caller checks the expiry.
		old, oldTok := createSession(t, s, u.ID(), t0.Add(-30*24*time.Hour))
		if got, _, err := sessions.ByTokenHash(ctx, oldTok.Hash()); err != nil || got.ID() != old.ID() || !got.Expired(t0) {
			t.Errorf("expired session: %v, %v", got, err)
		}

		// A session needs its user.
		orphan := domain.NewSession(kernel.NewID[kernel.UserKind](), newToken(t), t0, "", "")
		if err := sessions.Create(ctx, orphan); !errors.Is(err, application.ErrUserNotFound) {
			t.Errorf("session of an unknown user = %v, want ErrUserNotFound", err)
		}
	})
}

func TestSessionsRefresh(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		sessions, ctx := s.Sessions, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		sess, tok := createSession(t, s, u.ID(), t0)
		other, otherTok := createSession(t, s, u.ID(), t0)

		now := t0.Add(25*time.Hour + 654321*time.Microsecond)
		if !sess.Refresh(now) {
			t.Fatal("session not refreshable")
		}
		if err := sessions.Refresh(ctx, sess); err != nil {
			t.Fatal(err)
		}
		got, _, err := sessions.ByTokenHash(ctx, tok.Hash())
		if err != nil {
			t.Fatal(err)
		}
		if flat(got.Snapshot()) != flat(sess.Snapshot()) || !got.ExpiresAt().Equal(now.Add(domain.SessionTTL)) || !got.UpdatedAt().Equal(now) {
			t.Errorf("refreshed:\n got %s\nwant %s", flat(got.Snapshot()), flat(sess.Snapshot()))
		}
		if got, _, _ := sessions.ByTokenHash(ctx, otherTok.Hash()); flat(got.Snapshot()) != flat(other.Snapshot()) {
			t.Errorf("another session changed: %s", flat(got.Snapshot()))
		}

		if err := sessions.Delete(ctx, u.ID(), sess.ID()); err != nil {
			t.Fatal(err)
		}
		if err := sessions.Refresh(ctx, sess); !errors.Is(err, application.ErrSessionNotFound) {
			t.Errorf("Refresh of a deleted session = %v, want ErrSessionNotFound", err)
		}
	})
}

func TestSessionsListAndDelete(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		sessions, ctx := s.Sessions, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		other := createUser(t, s, "bob@example.com", "Bob")
		now := t0.Add(3 * time.Hour)

		a, _ := createSession(t, s, u.ID(), t0)
		c, _ := createSession(t, s, u.ID(), t0.Add(2*time.Hour))
		b, _ := createSession(t, s, u.ID(), t0.Add(time.Hour))
		createSession(t, s, u.ID(), t0.Add(-8*24*time.Hour))                   // expired a day ago
		createSession(t, s, u.ID(), now.Add(-domain.SessionTTL))               // expires exactly now
		theirs, theirTok := createSession(t, s, other.ID(), t0.Add(time.Hour)) // another user's

		list := func(user kernel.UserID) []kernel.SessionID {
			t.Helper()
			got, err := sessions.ListByUser(ctx, user, now)
			if err != nil {
				t.Fatal(err)
			}
			return sessionIDs(got)
		}
		if got, want := list(u.ID()), []kernel.SessionID{c.ID(), b.ID(), a.ID()}; !slices.Equal(got, want) {
			t.Errorf("ListByUser = %v, want %v (live ones, newest first)", got, want)
		}
		if got, err := sessions.ListByUser(ctx, u.ID(), now); err == nil && flat(got[0].Snapshot()) != flat(c.Snapshot()) {
			t.Errorf("listed:\n got %s\nwant %s", flat(got[0].Snapshot()), flat(c.Snapshot()))
		}
		if got := list(kernel.NewID[kernel.UserKind]()); len(got) != 0 {
			t.Errorf("ListByUser of nobody = %v", got)
		}

		// Delete is scoped by user.
		if err := sessions.Delete(ctx, u.ID(), theirs.ID()); !errors.Is(err, application.ErrSessionNotFound) {
			t.Errorf("Delete of another user's session = %v, want ErrSessionNotFound", err)
		}
		if _, _, err := sessions.ByTokenHash(ctx, theirTok.Hash()); err != nil {
			t.Errorf("another user's session was deleted: %v", err)
		}
		if err := sessions.Delete(ctx, u.ID(), a.ID()); err != nil {
			t.Fatal(err)
		}
		if err := sessions.Delete(ctx, u.ID(), a.ID()); !errors.Is(err, application.ErrSessionNotFound) {
			t.Errorf("Delete twice = %v, want ErrSessionNotFound", err)
		}
		if got, want := list(u.ID()), []kernel.SessionID{c.ID(), b.ID()}; !slices.Equal(got, want) {
			t.Errorf("after Delete: %v, want %v", got, want)
		}
	})
}

func TestSessionsDeleteAllForUser(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		sessions, ctx := s.Sessions, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		other := createUser(t, s, "bob@example.com", "Bob")
		var mine []kernel.SessionID
		for i := range 4 {
			sess, _ := createSession(t, s, u.ID(), t0.Add(time.Duration(i)*time.Minute))
			mine = append(mine, sess.ID())
		}
		_, theirTok := createSession(t, s, other.ID(), t0)
		keep := mine[1]

		got, err := sessions.DeleteAllForUser(ctx, u.ID(), keep)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(a, b kernel.SessionID) int { return strings.Compare(a.String(), b.String()) })
		if want := []kernel.SessionID{mine[0], mine[2], mine[3]}; !slices.Equal(got, want) {
			t.Errorf("DeleteAllForUser keeping one = %v, want %v", got, want)
		}
		left, _ := sessions.ListByUser(ctx, u.ID(), t0)
		if ids := sessionIDs(left); !slices.Equal(ids, []kernel.SessionID{keep}) {
			t.Errorf("left %v, want %v", ids, keep)
		}

		got, err = sessions.DeleteAllForUser(ctx, u.ID(), kernel.SessionID{})
		if err != nil || !slices.Equal(got, []kernel.SessionID{keep}) {
			t.Errorf("DeleteAllForUser keeping none = %v, %v; want %v", got, err, keep)
		}
		if got, err := sessions.DeleteAllForUser(ctx, u.ID(), kernel.SessionID{}); err != nil || len(got) != 0 {
			t.Errorf("DeleteAllForUser of no sessions = %v, %v", got, err)
		}
		if _, _, err := sessions.ByTokenHash(ctx, theirTok.Hash()); err != nil {
			t.Errorf("another user's session was deleted: %v", err)
		}
	})
}

func TestSessionsDeleteExpired(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		sessions, ctx := s.Sessions, context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		now := t0.Add(domain.SessionTTL)
		createSession(t, s, u.ID(), t0.Add(-time.Hour)) // expired an hour ago
		createSession(t, s, u.ID(), t0)                 // expires exactly now
		live, liveTok := createSession(t, s, u.ID(), t0.Add(time.Microsecond))

		n, err := sessions.DeleteExpired(ctx, now)
		if err != nil || n != 2 {
			t.Errorf("DeleteExpired = %d, %v; want 2", n, err)
		}
		if got, _, err := sessions.ByTokenHash(ctx, liveTok.Hash()); err != nil || got.ID() != live.ID() {
			t.Errorf("the live session: %v, %v", got, err)
		}
		if n, err := sessions.DeleteExpired(ctx, now); err != nil || n != 0 {
			t.Errorf("DeleteExpired again = %d, %v; want 0", n, err)
		}
	})
}

func TestCascadeOnUserDelete(t *testing.T) {
	t.Parallel()
	testdb.Run(t, func(t *testing.T, dialect db.Dialect) {
		s, _ := setup(t, dialect)
		ctx := context.Background()
		u := createUser(t, s, "ana@example.com", "Ana")
		admin := createUser(t, s, "admin@example.com", "Admin")
		victim := createUser(t, s, "victim@example.com", "Victim")

		_, tok := createSession(t, s, u.ID(), t0)
		vt, err := domain.NewVerificationToken(domain.PurposeEmailVerification, u.ID(), u.Email(), newToken(t), t0)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Tokens.Create(ctx, vt); err != nil {
			t.Fatal(err)
		}
		itok := newToken(t)
		if err := s.Sessions.Create(ctx, domain.NewImpersonationSession(victim.ID(), admin.ID(), itok, t0, time.Hour, "", "")); err != nil {
			t.Fatal(err)
		}
		_, victimTok := createSession(t, s, victim.ID(), t0)

		if err := s.Users.Delete(ctx, u.ID()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Sessions.ByTokenHash(ctx, tok.Hash()); !errors.Is(err, application.ErrSessionNotFound) {
			t.Errorf("session of a deleted user: %v", err)
		}
		if _, err := s.Tokens.ByHash(ctx, vt.TokenHash()); !errors.Is(err, application.ErrTokenNotFound) {
			t.Errorf("token of a deleted user: %v", err)
		}

		// Deleting an admin ends the sessions opened as someone else, not
		// that person's own.
		if err := s.Users.Delete(ctx, admin.ID()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Sessions.ByTokenHash(ctx, itok.Hash()); !errors.Is(err, application.ErrSessionNotFound) {
			t.Errorf("impersonation by a deleted admin: %v", err)
		}
		if _, _, err := s.Sessions.ByTokenHash(ctx, victimTok.Hash()); err != nil {
			t.Errorf("the impersonated user's own session: %v", err)
		}
	})
}

// BenchmarkSessionsByTokenHash measures the lookup every authenticated
// request makes, among 1000 users with 2 sessions each.
func BenchmarkSessionsByTokenHash(b *testing.B) {
	for _, dialect := range testdb.Dialects() {
		b.Run(string(dialect), func(b *testing.B) {
			s, d := setup(b, dialect)
			ctx := context.Background()
			var toks []kernel.Token
			err := d.Tx(ctx, func(ctx context.Context) error {
				for i := range 1000 {
					u := newUser(b, fmt.Sprintf("u%d@example.com", i), "User")
					if err := s.Users.Create(ctx, u); err != nil {
						return err
					}
					for range 2 {
						tok := newToken(b)
						if err := s.Sessions.Create(ctx, domain.NewSession(u.ID(), tok, t0, "203.0.113.7", "Mozilla/5.0")); err != nil {
							return err
						}
						toks = append(toks, tok)
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			hashes := make([][32]byte, len(toks))
			for i, tok := range toks {
				hashes[i] = tok.Hash()
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, _, err := s.Sessions.ByTokenHash(ctx, hashes[i%len(hashes)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
